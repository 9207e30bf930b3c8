"""`python -m bot.publish status | adopt | publish [--full] | rollback`: the publish job's commands.

The console's publish page (admins) starts the same job in the background; this is for operators
and for `make bench-publish`. Paths default to the deployment's (sources/, build/releases/).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import paths
from bot.publish.releases import FOLDER, Releases


def _status(releases: Releases, sources: Path) -> int:
    from bot.publish.plan import Inputs, plan

    live, previous = releases.live, releases.previous
    for name, release in (("live", live), ("previous", previous)):
        shown = f"{release.id} ({release.manifest.kind}, model {release.manifest.model_id[:8]})" if release else "—"
        print(f"{name}: {shown}")
    chosen = plan(live.manifest if live else None, Inputs.of(sources))
    print(f"next publish: {chosen.kind or 'nothing to publish'}")
    for line in chosen.reasons + chosen.notes:
        print(f"  {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.publish", description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=Path, default=FOLDER, help="release folder (default build/releases)")
    parser.add_argument("--sources", type=Path, default=paths.SOURCES, help="editors' sources (default sources/)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="the live and previous releases, and what a publish would do")
    commands.add_parser("adopt", help="make the set-up's model the first release (once)")
    run = commands.add_parser("publish", help="validate, build, grade and switch")
    run.add_argument("--full", action="store_true", help="a full training even if fine-tuning would do")
    for command in (run, commands.add_parser("rollback", help="switch back to the previous release")):
        command.add_argument("--actor", default="command-line")
        command.add_argument("--job", default=None, help="the job id (the console chooses it)")
    args = parser.parse_args(argv)
    releases = Releases(args.releases)
    if args.command == "status":
        return _status(releases, args.sources)
    if args.command == "adopt":
        from bot.model import model_path
        from bot.publish.build import adopt

        if releases.live is not None:
            print(f"publish: release {releases.live.id} is already live", file=sys.stderr)
            return 1
        release = adopt(releases, args.sources, model_path())
        releases.go_live(release)
        print(f"publish: release {release.id} adopted ({release.manifest.notes[0]}) and live")
        return 0
    from bot.publish.instances import RunningInstances
    from bot.publish.job import SUCCEEDED, publish, rollback

    running = RunningInstances.load()
    if args.command == "publish":
        job = publish(releases, args.sources, args.actor, args.job, full=args.full, running=running)
    else:
        job = rollback(releases, args.actor, args.job, running=running)
    print(f"publish: {job.kind} {job.id}: {job.state}" + (f" ({job.error})" if job.error else "")
          + (f", {job.seconds:.0f} s" if job.seconds else ""))
    return 0 if job.state in (SUCCEEDED, "nothing") else 1


if __name__ == "__main__":
    sys.exit(main())
