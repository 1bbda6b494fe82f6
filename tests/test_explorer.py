"""The explorer's routes: the page and its built files, and nothing else.

Its behaviour in a browser is in test_explorer_browser.py.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

import explorer


async def test_missing_build_and_unknown_files_get_clear_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given the explorer's routes alone
    transport = httpx.ASGITransport(app=Starlette(routes=explorer.routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        # then only the built files are served,
        assert (await client.get(f"{explorer.PATH}/..%2Fserver.py")).status_code == 404
        assert (await client.get(f"{explorer.PATH}/package.json")).status_code == 404

        # and before a build, the page and its files say how to make one.
        monkeypatch.setattr(explorer, "DIST", tmp_path)
        for path in (explorer.PATH, f"{explorer.PATH}/explorer.js"):
            missing = await client.get(path)
            assert missing.status_code == 503
            assert missing.text == explorer.MISSING_BUILD_MESSAGE
