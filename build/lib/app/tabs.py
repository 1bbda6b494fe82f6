"""The playground's example operations, a tab for each kind of user: each is a
`.graphql` file in `tabs/`, with its variables in a `.json` file beside it
when it has any, opened in the order of their names."""

from __future__ import annotations

from pathlib import Path

import web

__all__ = ["EXAMPLE_TABS"]

TABS_DIR = Path(__file__).resolve().parent / "tabs"


def _tab(document: Path) -> web.Tab:
    variables = document.with_suffix(".json")
    return web.Tab(
        document.read_text(encoding="utf-8"),
        variables.read_text(encoding="utf-8").strip() if variables.exists() else "",
    )


EXAMPLE_TABS = [_tab(document) for document in sorted(TABS_DIR.glob("*.graphql"))]
