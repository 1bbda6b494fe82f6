"""Where a command puts the file it makes: the path given, or standard output
for `-`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_output_argument", "write_output"]


def write_output(output: str, content: str | bytes, *, end_on_stdout: str = "") -> None:
    """Write `content` to standard output when `output` is `-` (followed there
    by `end_on_stdout`), else to the file `output`, and say so."""
    if output == "-":
        if isinstance(content, str):
            sys.stdout.write(content + end_on_stdout)
        else:
            sys.stdout.buffer.write(content + end_on_stdout.encode())
        return
    if isinstance(content, str):
        Path(output).write_text(content, encoding="utf-8")
    else:
        Path(output).write_bytes(content)
    print(f"wrote {output}")


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    """`--output`, for a command that writes to standard output by default."""
    parser.add_argument("--output", default="-", help="file to write (default: stdout)")
