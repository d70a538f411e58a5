"""Deploy one target: the files every target gets, then the target's own way of publishing."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from skpdgen import __version__
from skpdgen.config.region import Region
from skpdgen.deploy.config import DirTarget, GitTarget, SshTarget, Target
from skpdgen.deploy.git import GitDeploy, source_commit
from skpdgen.deploy.headers import HEADERS_FILE, HEADERS_NAME
from skpdgen.deploy.plan import Outcome, Plan
from skpdgen.deploy.releases import DirDeploy
from skpdgen.deploy.ssh import SshDeploy


def published_extras(target: Target) -> dict[str, bytes]:
    """Files a target gets besides build/: `_headers`; for git, `.nojekyll` and `CNAME`."""
    extra = {HEADERS_NAME: HEADERS_FILE.encode("utf-8")}
    if isinstance(target, GitTarget):
        extra[".nojekyll"] = b""          # GitHub Pages: serve files as they are, no Jekyll
        if target.cname:
            extra["CNAME"] = target.cname.encode("ascii") + b"\n"
    return extra


def publish(region: Region, target: Target, plan: Plan, dry_run: bool = False,
            environ: Mapping[str, str] | None = None) -> Outcome:
    """Publish `plan` (plus the target's extra files) to `target`."""
    plan = Plan({**plan.files, **published_extras(target)}, plan.held_back)
    if isinstance(target, DirTarget):
        return DirDeploy(target).publish(plan, dry_run)
    if isinstance(target, SshTarget):
        return SshDeploy(target, os.environ if environ is None else environ).publish(plan, dry_run)
    deploy = GitDeploy(target, region.root, os.environ if environ is None else environ)
    return deploy.publish(plan, _message(region, target, plan), dry_run)


def rollback(region: Region, target: Target, dry_run: bool = False,
             environ: Mapping[str, str] | None = None) -> Outcome:
    """Serve the version that was live before the current one."""
    if isinstance(target, DirTarget):
        return DirDeploy(target).rollback(dry_run)
    if isinstance(target, SshTarget):
        return SshDeploy(target, os.environ if environ is None else environ).rollback(dry_run)
    return GitDeploy(target, region.root,
                     os.environ if environ is None else environ).rollback(dry_run)


def _message(region: Region, target: GitTarget, plan: Plan) -> str:
    lines = [target.message or f"Publish {region.name}", ""]
    commit = source_commit(Path(region.root))
    if commit:
        lines.append(f"Source: {commit}")
    if plan.held_back:
        lines.append("Held back (last build failed, live version kept): "
                     + ", ".join(plan.held_back))
    lines.append(f"skpdgen {__version__}")
    return "\n".join(lines) + "\n"
