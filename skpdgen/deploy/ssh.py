"""The `ssh` target: atomic releases on a server of the kabupaten's own, over SSH and rsync.

    <path>/releases/<id>/        one complete site per deploy (as the dir target)
    <path>/releases/<id>.json    its manifest: {published path: sha256}
    <path>/current               symlink to releases/<id>: what nginx serves

One deploy, holding the same lock file as the dir target (`flock` on <path>/.deploy.lock, so a
server that also builds itself never runs into a CI deploy):

1. read the live release and its manifest; compare with the plan (nothing changed: stop, only
   the manifest travelled);
2. rsync the plan into releases/.<id>.tmp/ with --link-dest to the live release: unchanged
   files become hard links on the server, only changed files travel;
3. on the server: copy held-back agencies from the live release (hard links), rename the
   release into place, write its manifest, swap `current` (`ln -s` + `mv -T`: one rename),
   delete all but `keep` releases.

A connection lost before step 3 leaves the live site as it was (the half-sent .tmp folder is
removed by the next deploy). Host keys are always checked (known_hosts from
SKPDGEN_SSH_KNOWN_HOSTS or the target's `known_hosts:` file); the private key comes only from
SKPDGEN_SSH_KEY (the key, or the path of a key file), is written to a private temporary file
for the run and never printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from skpdgen.deploy.config import SshTarget
from skpdgen.deploy.plan import Changes, DeployError, Outcome, Plan, compare
from skpdgen.deploy.releases import (
    CURRENT,
    LOCK,
    RELEASES,
    new_release_id,
    previous_release,
    prunable,
    release_done,
)

KEY_ENV = "SKPDGEN_SSH_KEY"
KNOWN_HOSTS_ENV = "SKPDGEN_SSH_KNOWN_HOSTS"
TIMEOUT = 600           # seconds for one remote step (rsync of a large first release)
_HOST_KEY_PROBLEMS = ("Host key verification failed", "REMOTE HOST IDENTIFICATION HAS CHANGED",
                      "No ED25519 host key is known", "host key is known for")


@dataclass(frozen=True, slots=True)
class RemoteState:
    """What the server holds now."""

    live: str | None                  # the release `current` points to
    releases: list[str]
    manifest: dict[str, str] | None   # the live release's manifest, if it has one
    present: frozenset[str]           # held-back agencies that have a folder in the live release


class SshDeploy:
    """One run of the ssh target."""

    def __init__(self, target: SshTarget, environ: Mapping[str, str]):
        self.target = target
        self.environ = environ

    # --- the two commands ---------------------------------------------------------------

    def publish(self, plan: Plan, dry_run: bool) -> Outcome:
        name = self.target.name
        with self._session() as ssh:
            if dry_run:
                return self._compare(plan, ssh.state(plan.held_back), dry_run=True)
            with ssh.locked():
                state = ssh.state(plan.held_back)
                outcome = self._compare(plan, state, dry_run=False)
                if outcome.changes.empty and state.live is not None:
                    return outcome
                release_id = new_release_id(lambda r: r in state.releases)
                manifest = self._manifest(plan, state)
                with tempfile.TemporaryDirectory(prefix="skpdgen-ssh-") as staging:
                    _stage(plan, Path(staging))
                    ssh.rsync(Path(staging), release_id, state.live)
                kept = [*state.releases, release_id]
                removed = prunable(kept, release_id, self.target.keep)
                ssh.finish(release_id, state.live, plan.held_back, manifest, removed)
        return Outcome(name, outcome.changes, release_done(release_id, len(removed)),
                       plan.held_back, outcome.never_published)

    def rollback(self, dry_run: bool) -> Outcome:
        with self._session() as ssh, ssh.locked():
            state = ssh.state(())
            if state.live is None or state.live not in state.releases:
                raise DeployError(f"{self.target.path}/current on {self.target.host} points "
                                  "to no release: nothing to roll back")
            previous = previous_release(state.releases, state.live)
            target_manifest = ssh.manifest(previous)
            changes = (compare(state.manifest, target_manifest)
                       if target_manifest is not None and state.manifest is not None
                       else Changes())
            if dry_run:
                return Outcome(self.target.name, changes, f"would serve release {previous} "
                               f"again (now {state.live})", dry_run=True)
            ssh.switch(previous)
        return Outcome(self.target.name, changes,
                       f"release {previous} is live again (was {state.live})")

    # --- helpers --------------------------------------------------------------------------

    def _compare(self, plan: Plan, state: RemoteState, dry_run: bool) -> Outcome:
        new = self._manifest(plan, state)
        changes = compare(state.manifest or {}, new)
        never = tuple(slug for slug in plan.held_back if slug not in state.present)
        if dry_run:
            what = "would make a new release" if not changes.empty else "nothing changed"
        elif changes.empty and state.live is not None:
            what = f"nothing changed: release {state.live} stays live"
        else:
            what = ""
        return Outcome(self.target.name, changes, what, plan.held_back, never, dry_run)

    def _manifest(self, plan: Plan, state: RemoteState) -> dict[str, str]:
        """{path: sha256} of the release the plan makes (held-back folders as they are live)."""
        manifest = {rel: _sha256(source) for rel, source in plan.files.items()
                    if not plan.is_carried(rel)}
        for rel, digest in (state.manifest or {}).items():
            if plan.is_carried(rel):
                manifest[rel] = digest
        return dict(sorted(manifest.items()))

    @contextmanager
    def _session(self) -> Iterator[_Connection]:
        with tempfile.TemporaryDirectory(prefix="skpdgen-ssh-") as secrets:
            folder = Path(secrets)
            os.chmod(folder, 0o700)
            key = _secret_file(self.environ, KEY_ENV, folder / "key", None,
                               "the private key of the deploy user on the server")
            known = _secret_file(self.environ, KNOWN_HOSTS_ENV, folder / "known_hosts",
                                 self.target.known_hosts,
                                 "the server's host key (the output of ssh-keyscan HOST, checked)")
            yield _Connection(self.target, key, known)


def _secret_file(environ: Mapping[str, str], variable: str, dest: Path, fallback: Path | None,
                 what: str) -> Path:
    """The file for `variable`: its value is the secret itself or the path of a file."""
    value = environ.get(variable, "")
    if value and "\n" not in value.strip() and Path(value).is_file():
        value = Path(value).read_text(encoding="utf-8")  # a GitLab CI/CD variable of type File
    if value.strip():
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value.replace("\r\n", "\n").strip() + "\n")
        return dest
    if fallback is not None:
        if not fallback.is_file():
            raise DeployError(f"known_hosts file {fallback} does not exist")
        return fallback
    raise DeployError(f"{variable} is not set: it must hold {what} (a CI secret; see the "
                      "README, 'Penerbitan'); nothing was changed")


def _sha256(source: Path | bytes) -> str:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stage(plan: Plan, staging: Path) -> None:
    """The plan as a folder (hard links to build/ where possible) for rsync to send."""
    for rel, source in plan.files.items():
        if plan.is_carried(rel):
            continue
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, bytes):
            dest.write_bytes(source)
            continue
        try:
            os.link(source, dest)
        except OSError:
            dest.write_bytes(source.read_bytes())


class _Connection:
    """ssh and rsync with host-key checking, the given key and nothing from ~/.ssh/config."""

    def __init__(self, target: SshTarget, key: Path, known_hosts: Path):
        self.target = target
        self.base = ["ssh", "-F", "none", "-i", str(key), "-o", "IdentitiesOnly=yes",
                     "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                     "-o", f"UserKnownHostsFile={known_hosts}",
                     "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=20",
                     "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3",
                     "-o", "LogLevel=ERROR", "-p", str(target.port), "-l", target.user]
        self.where = f"{target.user}@{target.host}:{target.path}"
        self.path = shlex.quote(target.path)

    def run(self, script: str, stdin: str | None = None, step: str = "") -> str:
        """Run a POSIX shell script on the server; its standard output."""
        try:
            result = subprocess.run([*self.base, self.target.host, "--",
                                     "sh -c " + shlex.quote("set -e\n" + script)],
                                    input=stdin, capture_output=True, text=True,
                                    timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise DeployError(f"{self.where}: no answer within {TIMEOUT} s while {step}; "
                              "the live site was not changed by this step") from None
        except FileNotFoundError:
            raise DeployError("ssh is not installed here (apt-get install openssh-client)"
                              ) from None
        if result.returncode != 0:
            raise self._error(result.stderr, step)
        return result.stdout

    def _error(self, stderr: str, step: str) -> DeployError:
        if any(problem in stderr for problem in _HOST_KEY_PROBLEMS):
            return DeployError(f"{self.target.host}: the server's host key is not the one in "
                               f"known_hosts ({KNOWN_HOSTS_ENV}); the connection was refused and "
                               "nothing was changed (check the key with the server's admin, then "
                               "update the secret)")
        last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()),
                    "the connection failed")
        return DeployError(f"{self.where}: {last} (while {step}); the live site was not "
                           "switched")

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold <path>/.deploy.lock on the server (flock) for the block."""
        script = (f"mkdir -p {self.path}/{RELEASES}\n"
                  f"exec flock -n {self.path}/{LOCK} sh -c 'echo locked; exec cat >/dev/null'")
        holder = subprocess.Popen([*self.base, self.target.host, "--",
                                   "sh -c " + shlex.quote(script)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdin is not None
        answer = holder.stdout.readline().strip()
        try:
            if answer != "locked":
                _out, stderr = holder.communicate(timeout=30)
                if holder.returncode == 1 and not stderr.strip():
                    raise DeployError(f"another deploy to {self.where} is running")
                raise self._error(stderr, "taking the deploy lock")
            yield
        finally:
            if holder.poll() is None:
                holder.stdin.close()
                try:
                    holder.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    holder.kill()
                    holder.wait()

    def state(self, held_back: tuple[str, ...]) -> RemoteState:
        present = "".join(f'  if [ -d "{RELEASES}/$live/{slug}" ]; then echo "present {slug}"; fi\n'
                          for slug in map(shlex.quote, held_back))
        out = self.run(f"""\
cd {self.path} 2>/dev/null || exit 0
live=
if [ -L {CURRENT} ]; then live=$(readlink {CURRENT}); live=${{live#{RELEASES}/}}; live=${{live%/}}
  echo "live $live"
elif [ -e {CURRENT} ]; then echo notlink; exit 0; fi
for d in {RELEASES}/*/; do if [ -d "$d" ]; then echo "release $(basename "$d")"; fi; done
if [ -n "$live" ]; then
{present}  if [ -f "{RELEASES}/$live.json" ]; then echo manifest; cat "{RELEASES}/$live.json"; fi
fi
exit 0
""", step="reading the live release")
        live: str | None = None
        releases: list[str] = []
        found: set[str] = set()
        manifest: dict[str, str] | None = None
        lines = out.splitlines()
        for index, line in enumerate(lines):
            word, _, rest = line.partition(" ")
            if word == "notlink":
                raise DeployError(f"{self.where}/{CURRENT} is not a symlink; move it away so "
                                  "that skpdgen can manage releases there")
            if word == "live":
                live = rest
            elif word == "release" and not rest.startswith("."):
                releases.append(rest)
            elif word == "present":
                found.add(rest)
            elif word == "manifest":
                manifest = _parse_manifest("\n".join(lines[index + 1:]))
                break
        if live is not None and live not in releases:
            live = None
        return RemoteState(live, sorted(releases), manifest, frozenset(found))

    def manifest(self, release_id: str) -> dict[str, str] | None:
        out = self.run(f"cat {self.path}/{RELEASES}/{shlex.quote(release_id)}.json "
                       "2>/dev/null || true", step="reading a manifest")
        return _parse_manifest(out)

    def rsync(self, staging: Path, release_id: str, live: str | None) -> None:
        """Send the staging folder to releases/.<id>.tmp/, hard-linking what the live has."""
        remote_ssh = shlex.join(self.base)
        dest = f"{self.target.host}:{self.target.path}/{RELEASES}/.{release_id}.tmp/"
        command = ["rsync", "--recursive", "--links", "--checksum", "--chmod=D0755,F0644",
                   "--timeout=60", "-e", remote_ssh]
        if live is not None:
            command.append(f"--link-dest=../{live}")
        command += [f"{staging}/", dest]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise DeployError(f"{self.where}: sending the release took more than {TIMEOUT} s; "
                              "the live site was not switched") from None
        except FileNotFoundError:
            raise DeployError("rsync is not installed here (apt-get install rsync)") from None
        if result.returncode != 0:
            raise self._error(result.stderr, "sending the release with rsync")

    def finish(self, release_id: str, live: str | None, held_back: tuple[str, ...],
               manifest: dict[str, str], removed: list[str]) -> None:
        """Carry held-back agencies over, rename the release into place, switch, prune."""
        rid = shlex.quote(release_id)
        carry = "".join(
            f'if [ -d {RELEASES}/{shlex.quote(live)}/{s} ]; then '
            f'cp -al {RELEASES}/{shlex.quote(live)}/{s} {RELEASES}/.{rid}.tmp/{s}; fi\n'
            for s in map(shlex.quote, held_back)) if live else ""
        prune = "".join(f"rm -rf {RELEASES}/{shlex.quote(r)} {RELEASES}/{shlex.quote(r)}.json\n"
                        for r in removed)
        self.run(f"""\
cd {self.path}
cat > {RELEASES}/.{rid}.json.tmp
{carry}chmod 755 {RELEASES}/.{rid}.tmp
mv {RELEASES}/.{rid}.tmp {RELEASES}/{rid}
mv {RELEASES}/.{rid}.json.tmp {RELEASES}/{rid}.json
ln -s {RELEASES}/{rid} .{CURRENT}.$$.tmp
mv -T .{CURRENT}.$$.tmp {CURRENT}
{prune}for left in {RELEASES}/.*.tmp .{CURRENT}.*.tmp; do
  case "$left" in */.\\*.tmp|.{CURRENT}.\\*.tmp) ;; *) rm -rf "$left" ;; esac
done
""", stdin=json.dumps(manifest, sort_keys=True), step="switching to the new release")

    def switch(self, release_id: str) -> None:
        rid = shlex.quote(release_id)
        self.run(f"cd {self.path}\nln -s {RELEASES}/{rid} .{CURRENT}.$$.tmp\n"
                 f"mv -T .{CURRENT}.$$.tmp {CURRENT}\n", step="switching current")


def _parse_manifest(text: str) -> dict[str, str] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): str(v) for k, v in data.items()}
