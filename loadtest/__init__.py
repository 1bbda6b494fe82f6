"""What the hub is put under, shared by the benchmarks (`bench/`) and the
tests: the read queries they time and check (`queries`), and the hub as its
own server process with clients that read and write over HTTP and the check
that every acknowledged write is in the database (`workload`).

Nothing here measures: the figures are `bench/`'s.
"""
