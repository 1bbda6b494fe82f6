"""Supergraph composition with the federation world's own composers.

The hub does not compose schemas itself: `federation/compose.mjs` runs
Apollo's, The Guild's and WunderGraph's composers (npm packages pinned in
`federation/package-lock.json`) and this module talks to it over stdin/stdout.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

__all__ = [
    "COMPOSERS",
    "Composition",
    "CompositionUnavailableError",
    "SubgraphSource",
    "Verdict",
    "compose",
    "judge",
]

FEDERATION_DIR = Path(__file__).resolve().parent.parent / "federation"
COMPOSE_SCRIPT = FEDERATION_DIR / "compose.mjs"
COMPOSERS = ("apollo", "guild", "wundergraph")
TIMEOUT_SECONDS = 120


class CompositionUnavailableError(RuntimeError):
    """Node.js or the composers are not installed, or the composer failed to run."""


@dataclass(frozen=True, slots=True)
class SubgraphSource:
    """A subgraph as composition sees it: its name, routing URL and SDL."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True, slots=True)
class Composition:
    """One composer's verdict on a set of subgraphs."""

    composer: str
    ok: bool
    supergraph_sdl: str | None
    errors: list[str]
    warnings: list[str]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the required composers decided, and what the others said.

    Apollo's composer is what Apollo Gateway and Router run, so it decides by
    default; The Guild's and WunderGraph's rejections are kept as warnings,
    since their gateways are not the ones partners' traffic goes through."""

    accepted: bool
    # The required composers' errors: why it was rejected.
    errors: list[str]
    # The other composers' errors: recorded and shown, deciding nothing.
    warnings: list[str]


def judge(results: Sequence[Composition], required: Sequence[str]) -> Verdict:
    """The verdict on `results` when the composers in `required` decide."""
    deciding = [result for result in results if result.composer in required]
    advisory = [result for result in results if result.composer not in required]
    return Verdict(
        accepted=all(result.ok for result in deciding),
        errors=_prefixed(deciding),
        warnings=_prefixed(advisory),
    )


def _prefixed(results: Sequence[Composition]) -> list[str]:
    return [f"{result.composer}: {error}" for result in results for error in result.errors]


async def compose(
    subgraphs: Sequence[SubgraphSource],
    composers: Sequence[str] = COMPOSERS,
    *,
    timeout_seconds: float = TIMEOUT_SECONDS,
) -> list[Composition]:
    """Compose `subgraphs` with each of `composers`, in order. The composer
    process is killed if it takes over `timeout_seconds` or the caller gives up."""
    node = shutil.which("node")
    if node is None:
        raise CompositionUnavailableError(
            "Node.js is not installed: composition needs `node` (20+)."
        )
    if not (FEDERATION_DIR / "node_modules").is_dir():
        raise CompositionUnavailableError(
            "the composers are not installed: run `npm ci --prefix federation`."
        )
    request = orjson.dumps(
        {
            "composers": list(composers),
            "subgraphs": [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs],
        }
    )
    process = await asyncio.create_subprocess_exec(
        node,
        str(COMPOSE_SCRIPT),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(request), timeout_seconds)
    except TimeoutError as error:
        raise CompositionUnavailableError(
            f"composition did not finish within {timeout_seconds:g} s"
        ) from error
    finally:
        # A timeout or a cancelled caller must not leave node running.
        if process.returncode is None:
            process.kill()
            await process.wait()
    if process.returncode != 0:
        raise CompositionUnavailableError(f"the composer failed: {stderr.decode().strip()}")
    results = orjson.loads(stdout)["results"]
    return [
        Composition(
            composer=result["composer"],
            ok=bool(result["ok"]),
            supergraph_sdl=result.get("supergraphSdl"),
            errors=list(result.get("errors") or []),
            warnings=list(result.get("warnings") or []),
        )
        for result in results
    ]
