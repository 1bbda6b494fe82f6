"""The caches that callers can fill are bounded by what they really hold:
entries cost what they are counted at, and a document dropped from the cache
of documents is held by nothing else (resolvers/caches.py, engine/documents.py)."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import httpx
import pytest
from graphql import GraphQLError

from engine import documents
from resolvers.caches import ENTRY_OVERHEAD, BoundedCache
from settings import Settings
from tests.conftest import hub_settings

# A nested page: relation pages (their reads) and plain fields (their plans)
# are worked out for it and kept with the document.
NESTED = """
query Nested{n}($first: Int!) {{
  members(first: $first) {{
    edges {{ node {{ id name country
      initiatives(first: 3) {{ edges {{ role node {{ title
        partners(first: 3) {{ edges {{ node {{ id name kind }} }} }} }} }} }} }} }}
  }}
}}
"""


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Every request runs: no response cache.
    return hub_settings(database_url, response_cache_mb=0)


def test_an_entry_costs_no_more_than_it_is_counted_at() -> None:
    cache: BoundedCache[tuple[str, int], bytes] = BoundedCache(10**9, 10**6)
    keys = [("key", n) for n in range(2_000)]
    values = [b"v" * 10 for _ in keys]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for key, value in zip(keys, values, strict=True):
            cache.put(key, value, 0)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown <= cache.bytes_held == len(keys) * ENTRY_OVERHEAD


def test_the_cache_keeps_to_its_bytes_and_its_entries() -> None:
    by_bytes: BoundedCache[int, str] = BoundedCache(8 * (1_000 + ENTRY_OVERHEAD), 100)
    for n in range(20):
        assert by_bytes.put(n, "x", 1_000)
    assert len(by_bytes) == 8
    assert by_bytes.get(0) is None
    assert by_bytes.get(19) == "x"

    by_entries: BoundedCache[int, str] = BoundedCache(10**9, 3)
    for n in range(5):
        by_entries.put(n, "x", 10)
    assert len(by_entries) == 3
    # The least recently used goes first: 2 was read, so 3 goes.
    assert by_entries.get(2) == "x"
    by_entries.put(5, "x", 10)
    assert by_entries.get(3) is None
    assert by_entries.get(2) == "x"

    # One entry may not take more than an eighth.
    assert not by_entries.put(6, "x", 10**9)


async def test_a_dropped_document_is_held_by_nothing_else(client: httpx.AsyncClient) -> None:
    # Given a document the hub ran, with its plans and page reads worked out,
    query = NESTED.format(n="Dropped")
    response = await client.post("/graphql", json={"query": query, "variables": {"first": 3}})
    assert "errors" not in response.json()
    entry = documents.parsed(query)
    assert entry.memo, "plans and page reads are kept with the document"
    document = weakref.ref(entry.document)
    del entry

    # when it leaves the cache of documents,
    documents._DOCUMENTS.pop(query)
    gc.collect()

    # then nothing keeps it alive.
    assert document() is None


async def test_documents_cost_no_more_than_they_are_counted_at(
    client: httpx.AsyncClient,
) -> None:
    # Given the hub warmed up with one document,
    await client.post("/graphql", json={"query": NESTED.format(n=0), "variables": {"first": 5}})
    gc.collect()
    counted = documents._DOCUMENTS.bytes_held
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        # when 30 new documents run (each padded to 2 KB of text),
        for n in range(1, 31):
            query = NESTED.format(n=n) + "#" + "x" * 2_000
            response = await client.post(
                "/graphql", json={"query": query, "variables": {"first": 5}}
            )
            assert "errors" not in response.json()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    # then the process grew by less than the cache counts for them.
    assert 0 < grown <= documents._DOCUMENTS.bytes_held - counted


def test_a_document_is_parsed_within_the_token_limit() -> None:
    query = "{ " + " ".join(f"a{n}" for n in range(2_000)) + " }"
    with pytest.raises(GraphQLError, match="more than 1000 tokens"):
        documents.parsed(query)
