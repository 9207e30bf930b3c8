"""`make bench-patches`: what each of bot/patches' speed-ups buys, by leaving it out.

One assistant with every patch and one without each speed-up in turn (SHIZHONG_PATCHES_OFF), all
started side by side from the same model and driven in turn by the same closed-loop users as
`make bench-load` (tools/bench/load.py), so that all meet the same machine. CPU per message counts
every process of each set-up (Rasa and its action server); a patch that saves under 5 % of it is
to be removed (issue: lean and legible), unless security or privacy depends on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from bot import patches
from bot.model import model_path
from tools.bench.load import Ours, Questions, Row, measure
from tools.bench.report import current_commit, write_section

HEADING = "What each patch buys (make bench-patches)"
THRESHOLD = 0.05


class OursWithout(Ours):
    """One instance as `make run` starts it, without the patch `left_out` (None: all patches)."""

    def __init__(self, model: Path, folder: Path, left_out: str | None) -> None:
        super().__init__(model, folder)
        self.name = f"without {left_out}" if left_out else "every patch"
        self.servers.extra_env[patches.OFF_ENV] = left_out or ""


def shares(rows: list[Row]) -> list[tuple[str, float, float]]:
    """(patch, CPU ms a message without it, the share of that CPU it saves) for every left-out row."""
    baseline = next(row for row in rows if row.setup == "every patch")
    return [(row.setup.removeprefix("without "), row.cpu_ms_per_message,
             1 - baseline.cpu_ms_per_message / row.cpu_ms_per_message)
            for row in rows if row.setup.startswith("without ") and row.cpu_ms_per_message]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60, help="seconds per set-up (default 60)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md")
    args = parser.parse_args(argv)
    model = model_path()
    if not model.exists():
        print("bench-patches: no trained model; run `make setup`", file=sys.stderr)
        return 1
    questions = Questions.load()
    load_before = os.getloadavg()[1]
    with tempfile.TemporaryDirectory(prefix="bench-patches-") as scratch:
        setups = []
        for left_out in (None, *patches.SPEED_UPS):
            folder = Path(scratch) / (left_out or "all")
            folder.mkdir()
            setups.append(OursWithout(model, folder, left_out))
        rows = measure(setups, [args.users], args.seconds, args.rounds, questions)
    from tools.bench.load import table

    lines = [table(rows), "", "| patch left out | CPU ms/message without it | share of that CPU it saves | verdict |",
             "|---|---|---|---|"]
    for name, cpu, share in shares(rows):
        verdict = "keep" if share >= THRESHOLD else f"under {THRESHOLD:.0%}: remove"
        lines.append(f"| {name} | {cpu:.1f} | {share:.1%} | {verdict} |")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        commit = current_commit()
        write_section(HEADING, f"Measured {dt.date.today().isoformat()} at commit {commit}, {os.cpu_count()} cores "
                               f"shared with the load generator and whatever else ran (5-minute load "
                               f"{load_before:.1f} before, {os.getloadavg()[1]:.1f} after); model {model.name}; "
                               f"{args.users} closed-loop users, {args.seconds:.0f} s per set-up in {args.rounds} "
                               f"slices taken in turn. CPU per message is every process of the set-up.\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
