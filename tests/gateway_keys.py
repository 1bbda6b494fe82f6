"""A gateway's key, made as an operator makes it: `metrohub keys create
--role gateway`, which prints the key on its last line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["gateway_key"]

PROJECT_DIR = Path(__file__).resolve().parent.parent


def gateway_key(database_url: str, name: str = "test gateway") -> str:
    """A new gateway key on the hub's database at `database_url`."""
    result = subprocess.run(
        [sys.executable, "-m", "cli", "keys", "create", "--role", "gateway", "--name", name],
        cwd=PROJECT_DIR,
        env={**os.environ, "HUB_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]
