"""What the load and crash scripts share: a hub run as a server process on a
SQLite file, API keys for it, clients that read and write over HTTP and keep
every write the hub acknowledged, and the check, in the database file itself,
that each of those writes is there.

The hub is a separate process (`python -m cli serve`), so that the clients
measure it as partner apps do, over HTTP, and so that it can be killed.
"""

from loadtest.workload.clients import Ack, Client, Tally, percentile
from loadtest.workload.hub import Hub, Keys, prepare, sqlite_url
from loadtest.workload.verdict import Verdict, failures, verify

__all__ = [
    "Ack",
    "Client",
    "Hub",
    "Keys",
    "Tally",
    "Verdict",
    "failures",
    "percentile",
    "prepare",
    "sqlite_url",
    "verify",
]
