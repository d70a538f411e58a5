"""`skpdgen deploy [TARGET] [--dry-run] [--rollback]`: exit 1 when an agency was held back."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from skpdgen.cli import EXIT_CONTENT, EXIT_OK, UsageError, _add_common
from skpdgen.deploy.plan import Outcome

LISTED_CHANGES = 200      # a dry run lists at most this many paths per kind


def register(subparsers: Any) -> None:
    """Add the `deploy` subcommand."""
    parser = subparsers.add_parser(
        "deploy", help="publish build/ to the targets under 'deploy:' in skpdgen.yaml")
    _add_common(parser)
    parser.add_argument("target", nargs="?", metavar="TARGET",
                        help="a target name under 'deploy:' (default: every target)")
    parser.add_argument("--dry-run", action="store_true",
                        help="list what would be added, changed and removed; change nothing")
    parser.add_argument("--rollback", action="store_true",
                        help="serve the version that was live before the current one")
    parser.set_defaults(func=cmd_deploy)


def cmd_deploy(args: argparse.Namespace) -> int:
    from skpdgen.config.region import load_region
    from skpdgen.deploy import publish, rollback
    from skpdgen.deploy.config import GitTarget, load_targets, pick
    from skpdgen.deploy.plan import DeployError, NoBuild, make_plan

    region = load_region(args.root)
    targets = pick(load_targets(region), args.target)
    for target in targets:          # a missing ${VARIABLE} stops before anything is published
        if isinstance(target, GitTarget):
            target.remote_url(args.root)
    plan = None
    if not args.rollback:
        try:
            plan = make_plan(region, args.root / "build", {})
        except NoBuild as exc:
            raise UsageError(str(exc)) from None
    status = EXIT_OK
    for target in targets:
        started = time.monotonic()
        try:
            outcome = (rollback(region, target, args.dry_run) if plan is None
                       else publish(region, target, plan, args.dry_run))
        except DeployError as exc:
            print(f"deploy {target.name}: error: {exc}", file=sys.stderr)
            status = EXIT_CONTENT
            continue
        except OSError as exc:       # not foreseen above: still one line naming the path
            where = f" ({exc.filename})" if exc.filename else ""
            print(f"deploy {target.name}: error: {exc.strerror or exc}{where}", file=sys.stderr)
            status = EXIT_CONTENT
            continue
        _report(outcome, time.monotonic() - started)
        if outcome.held_back:
            status = EXIT_CONTENT
    return status


def _report(outcome: Outcome, seconds: float) -> None:
    changes = outcome.changes
    label = f"deploy {outcome.target}" + (" (dry run)" if outcome.dry_run else "")
    print(f"{label}: {outcome.done}; {changes.summary()} ({seconds:.1f} s)")
    if outcome.dry_run:
        for mark, paths in (("+", changes.added), ("~", changes.changed),
                            ("-", changes.removed)):
            for path in paths[:LISTED_CHANGES]:
                print(f"  {mark} {path}")
            if len(paths) > LISTED_CHANGES:
                print(f"  {mark} ... and {len(paths) - LISTED_CHANGES} more")
    for slug in outcome.held_back:
        if slug in outcome.never_published:
            print(f"held back: {slug}: its last build failed and it has never been published, "
                  "so nothing of it is live (fix its errors and run skpdgen build)",
                  file=sys.stderr)
        else:
            print(f"held back: {slug}: its last build failed; the live version of its site is "
                  "kept as it is (fix its errors and run skpdgen build)", file=sys.stderr)
