"""docs/benchmarks.md: each benchmark command owns one `## ` section and replaces only that one."""

from __future__ import annotations

import re
import subprocess

from bot import paths

BENCHMARKS = paths.PROJECT / "docs" / "benchmarks.md"
TITLE = "# Benchmarks\n\nFigures written by the `make bench-…` commands; each command replaces its own section.\n"


def write_section(heading: str, body: str) -> None:
    """Replace (or append) the section `## heading` of docs/benchmarks.md with `body`."""
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else TITLE
    section = f"## {heading}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else f"{text.rstrip()}\n\n{section}"
    BENCHMARKS.write_text(text.rstrip() + "\n", encoding="utf-8")


def current_commit() -> str:
    """The checkout's commit (short hash), for the figures' heading."""
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=paths.PROJECT,
                          capture_output=True, text=True).stdout.strip()
