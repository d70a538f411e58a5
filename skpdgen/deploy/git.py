"""The `git` target: publish the site as one commit on a branch of any git remote.

Work happens in a temporary bare repository that is deleted afterwards, with git's plumbing
instead of a checkout:

    ls-remote + fetch --depth 1   the live commit of the branch (none on the first deploy)
    fast-import                   one commit: the new files, held-back agencies' folders
                                  carried over from the live tree (same blobs), .nojekyll
    compare trees                 nothing changed -> no commit, nothing pushed
    push                          a fast-forward; a branch moved meanwhile is an error

Credentials never touch a file or a command line (which `ps` shows to every user of the
machine): the remote's address, which may hold a token when it comes from a ${VARIABLE}, reaches
git as the URL of a remote named in the environment (GIT_CONFIG_*), and a token in
SKPDGEN_GIT_TOKEN through a credential helper set there too, read from the environment at the
moment git asks for it. The address is then never taken for an option either.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from skpdgen.deploy.config import GitTarget
from skpdgen.deploy.plan import Changes, DeployError, Outcome, Plan, compare
from skpdgen.diagnostics import one_line

TOKEN_VARIABLE = "SKPDGEN_GIT_TOKEN"
USERNAME_VARIABLE = "SKPDGEN_GIT_USERNAME"
CREDENTIAL_HELPER = ('!f() { test "$1" = get || return 0; '
                     'echo "username=${SKPDGEN_GIT_USERNAME:-x-access-token}"; '
                     'echo "password=${SKPDGEN_GIT_TOKEN}"; }; f')
ROLLBACK_TRAILER = "Rollback-To"
# GitHub writes CNAME into the branch when a custom domain is set in its settings: keep it
# unless the target's `cname` (or build/) provides one.
KEEP_FROM_LIVE = frozenset({"CNAME"})
DEFAULT_IDENTITY = ("skpdgen", "skpdgen@localhost")
REMOTE = "target"                # the remote's name; its URL is set in git's environment
GIT_TIMEOUT = 600                # seconds
_USERINFO = re.compile(r"(://)[^/@\s]+@")

Entry = tuple[str, str]          # (mode, object id)


def git_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for git: never prompts, and takes a token from SKPDGEN_GIT_TOKEN."""
    env = {k: v for k, v in environ.items()
           if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    if env.get(TOKEN_VARIABLE):
        add_config(env, "credential.helper", "")                 # forget other helpers
        add_config(env, "credential.helper", CREDENTIAL_HELPER)
    return env


def add_config(env: dict[str, str], key: str, value: str) -> None:
    """Give git one more config entry through the environment (GIT_CONFIG_COUNT/KEY/VALUE)."""
    count = env.get("GIT_CONFIG_COUNT", "")
    index = int(count) if count.isascii() and count.isdigit() else 0
    env[f"GIT_CONFIG_KEY_{index}"] = key
    env[f"GIT_CONFIG_VALUE_{index}"] = value
    env["GIT_CONFIG_COUNT"] = str(index + 1)


def redact(text: str, env: Mapping[str, str]) -> str:
    """Text safe to print: no user:password@ in URLs, no token value."""
    text = _USERINFO.sub(r"\1***@", text)
    token = env.get(TOKEN_VARIABLE)
    return text.replace(token, "***") if token else text


class Git:
    """git commands in one temporary bare repository."""

    def __init__(self, git_dir: Path, env: dict[str, str]):
        self.git_dir = git_dir
        self.env = {**env, "GIT_DIR": str(git_dir)}
        self.last_errors: list[str] = []     # stderr lines of the last command

    def run(self, *args: str, ok: Iterable[int] = (0,)) -> bytes:
        """Run git; a status outside `ok` is a DeployError quoting git's last words."""
        return self._call(args, None, ok)[1]

    def status(self, *args: str, ok: Iterable[int] = (0,)) -> int:
        return self._call(args, None, ok)[0]

    def feed(self, args: tuple[str, ...], chunks: Iterable[bytes]) -> None:
        """Run git with `chunks` streamed to its standard input (for fast-import)."""
        self._call(args, chunks, (0,))

    def _call(self, args: tuple[str, ...], chunks: Iterable[bytes] | None, ok: Iterable[int]
              ) -> tuple[int, bytes]:
        # Output goes to files, not pipes: nothing blocks on a full pipe, and the timeout
        # holds even while a stalled git keeps its output open.
        with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
            try:
                proc = subprocess.Popen(
                    ["git", *args], env=self.env, stdout=output, stderr=errors,
                    stdin=subprocess.DEVNULL if chunks is None else subprocess.PIPE)
            except FileNotFoundError:
                raise DeployError("git is not installed (the git target needs it)") from None
            with proc:
                if chunks is not None:
                    _write_all(proc, chunks)
                try:
                    proc.wait(timeout=GIT_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    raise DeployError(f"git {args[0]} took more than "
                                      f"{GIT_TIMEOUT // 60} minutes") from None
            errors.seek(0)
            self.last_errors = errors.read().decode("utf-8", "replace").strip().splitlines()
            if proc.returncode not in ok:
                detail = [line for line in self.last_errors if not line.startswith("hint:")]
                raise DeployError(redact(f"git {args[0]} failed: " + " / ".join(detail[-3:]),
                                         self.env))
            output.seek(0)
            return proc.returncode, output.read()

    def text(self, *args: str) -> str:
        return self.run(*args).decode("utf-8", "replace").strip()

    def live_commit(self, branch: str, full: bool = False) -> str | None:
        """Fetch the branch's live commit (and with `full`, its history); None if no branch."""
        ref = f"refs/heads/{branch}"
        if self.status("ls-remote", "--exit-code", REMOTE, ref, ok=(0, 2)) == 2:
            return None
        depth = [] if full else ["--depth=1"]
        self.run("fetch", "--quiet", "--no-tags", *depth, REMOTE, f"+{ref}:refs/remotes/live")
        return self.text("rev-parse", "refs/remotes/live^{commit}")

    def listing(self, commit: str | None) -> dict[str, Entry]:
        """{path: (mode, object id)} of every file of a commit's tree."""
        if commit is None:
            return {}
        result: dict[str, Entry] = {}
        for record in self.run("ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, _kind, oid = meta.decode().split()
            result[path.decode("utf-8", "surrogateescape")] = (mode, oid)
        return result

    def identity(self) -> tuple[str, str]:
        name = self.env.get("GIT_COMMITTER_NAME") or self._config("user.name")
        email = self.env.get("GIT_COMMITTER_EMAIL") or self._config("user.email")
        return (name or DEFAULT_IDENTITY[0], email or DEFAULT_IDENTITY[1])

    def _config(self, key: str) -> str:
        return self.run("config", "--get", key, ok=(0, 1)).decode().strip()

    def push(self, commit: str, branch: str, lease: str | None = None) -> None:
        """Push `commit` to `branch`; with a `lease` (history: single), replace the branch
        if it still is at that commit ("" = absent). A refusal is told apart from a race
        (git push --porcelain)."""
        force = [f"--force-with-lease=refs/heads/{branch}:{lease}"] if lease is not None else []
        code, out = self._call(("push", "--porcelain", *force, REMOTE,
                                f"{commit}:refs/heads/{branch}"), None, ok=(0, 1))
        if code == 0:
            return
        status = next((line for line in out.decode("utf-8", "replace").splitlines()
                       if line.startswith("!")), "")
        reason = status.rsplit("\t", 1)[-1].strip() if status else ""
        if reason.startswith("[rejected]"):
            # the branch moved after it was fetched: fetch first / non-fast-forward / stale
            raise DeployError(f"branch {branch} changed while deploying (another deploy?); "
                              "run skpdgen deploy again")
        remote = [one_line(line[len("remote:"):].strip()) for line in self.last_errors
                  if line.startswith("remote:") and line[len("remote:"):].strip()]
        if reason.startswith("[remote rejected]") or remote:
            why = "; ".join(remote[-3:]) or reason
            raise DeployError(redact(f"the git host refused the push of {branch}: {why}",
                                     self.env) + " (fix what it names, e.g. a file over the "
                              "host's size limit, then build and deploy again)")
        detail = [line for line in self.last_errors if not line.startswith("hint:")]
        raise DeployError(redact("git push failed: " + " / ".join(
            one_line(line) for line in (detail[-3:] or [reason or "no reason given"])),
            self.env))


@dataclass(frozen=True, slots=True)
class GitDeploy:
    """One run of the git target."""

    target: GitTarget
    root: Path
    environ: Mapping[str, str]

    def publish(self, plan: Plan, message: str, dry_run: bool) -> Outcome:
        branch = self.target.branch
        with tempfile.TemporaryDirectory(prefix="skpdgen-deploy-") as tmp:
            git = self._repository(Path(tmp))
            live = git.live_commit(branch)
            old = git.listing(live)
            carried = {path: entry for path, entry in old.items()
                       if plan.is_carried(path) or (path in KEEP_FROM_LIVE
                                                    and path not in plan.files)}
            never = tuple(slug for slug in plan.held_back
                          if not any(p.startswith(slug + "/") for p in carried))
            files = {path: source for path, source in plan.files.items()
                     if not plan.is_carried(path)}
            single = self.target.history == "single"    # no parent: the old history goes
            commit = _fast_import(git, files, carried, None if single else live, message)
            new = git.listing(commit)
            changes = compare({p: e[1] for p, e in old.items()},
                              {p: e[1] for p, e in new.items()})
            if changes.empty:
                done = f"nothing changed on {branch}: no commit"
            elif dry_run:
                done = f"would push one commit to {branch}"
            else:
                git.push(commit, branch, lease=(live or "") if single else None)
                done = f"commit {commit[:7]} pushed to {branch}"
        return Outcome(self.target.name, changes, done, plan.held_back, never, dry_run)

    def rollback(self, dry_run: bool) -> Outcome:
        branch = self.target.branch
        with tempfile.TemporaryDirectory(prefix="skpdgen-deploy-") as tmp:
            git = self._repository(Path(tmp))
            live = git.live_commit(branch, full=True)
            if live is None:
                raise DeployError(f"nothing is published on {branch} yet")
            body = git.text("log", "-1", "--format=%B", live)
            marker = re.search(rf"^{ROLLBACK_TRAILER}: ([0-9a-f]{{40,64}})$", body, re.M)
            shown = marker.group(1) if marker else live
            previous = git.run("rev-parse", "--verify", "--quiet", f"{shown}^{{commit}}^",
                               ok=(0, 1)).decode().strip()
            if not previous:
                raise DeployError(f"there is no earlier version on {branch} to roll back to")
            changes = compare({p: e[1] for p, e in git.listing(live).items()},
                              {p: e[1] for p, e in git.listing(previous).items()})
            subject = git.text("log", "-1", "--format=%s", previous)
            if dry_run:
                return Outcome(self.target.name, changes,
                               f"would roll {branch} back to {previous[:7]} ({subject})",
                               dry_run=True)
            name, email = git.identity()
            tree = git.text("rev-parse", f"{previous}^{{tree}}")
            git.env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
                           GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
            commit = git.text("commit-tree", tree, "-p", live, "-m",
                              f"Roll back to {previous[:7]} ({subject})\n\n"
                              f"{ROLLBACK_TRAILER}: {previous}")
            git.push(commit, branch)
        return Outcome(self.target.name, changes,
                       f"commit {commit[:7]} on {branch} serves {previous[:7]} ({subject}) again")

    def _repository(self, tmp: Path) -> Git:
        """A temporary bare repository whose remote REMOTE is the target's."""
        env = git_environment(self.environ)
        add_config(env, f"remote.{REMOTE}.url", self.target.remote_url(self.root, dict(env)))
        git_dir = tmp / "repo.git"
        git = Git(git_dir, env)
        git.run("init", "--quiet", "--bare", str(git_dir))
        return git


def _fast_import(git: Git, files: Mapping[str, Path | bytes], carried: Mapping[str, Entry],
                 parent: str | None, message: str) -> str:
    """Write one commit (files + carried entries, nothing else) and return its id."""
    name, email = git.identity()
    git.feed(("fast-import", "--quiet", "--done"),
             _import_stream(files, carried, parent, message, f"{name} <{email}>"))
    return git.text("rev-parse", "refs/heads/publish")


def _import_stream(files: Mapping[str, Path | bytes], carried: Mapping[str, Entry],
                   parent: str | None, message: str, committer: str) -> Iterator[bytes]:
    body = message.encode("utf-8")
    yield (f"commit refs/heads/publish\ncommitter {committer} {int(time.time())} +0000\n"
           f"data {len(body)}\n").encode() + body + b"\n"
    if parent:
        yield f"from {parent}\n".encode()
    yield b"deleteall\n"
    for path, (mode, oid) in sorted(carried.items()):
        yield f"M {mode} {oid} {_quote(path)}\n".encode("utf-8", "surrogateescape")
    for path, source in sorted(files.items()):
        data = source if isinstance(source, bytes) else _read(source)
        yield (f"M 100644 inline {_quote(path)}\ndata {len(data)}\n".encode(
            "utf-8", "surrogateescape") + data + b"\n")
    yield b"done\n"


def _write_all(proc: subprocess.Popen[bytes], chunks: Iterable[bytes]) -> None:
    assert proc.stdin is not None
    try:
        for chunk in chunks:
            proc.stdin.write(chunk)
        proc.stdin.close()
    except BrokenPipeError:
        pass              # git stopped reading: its status and message say why
    except BaseException:
        proc.kill()
        raise


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DeployError(f"cannot read {path}: {exc.strerror}") from None


def _quote(path: str) -> str:
    """A path as fast-import reads it: C-style quoted when it holds special characters."""
    if not any(c in path for c in '"\\\n') and not path.startswith('"'):
        return path
    escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def source_commit(root: Path) -> str | None:
    """The commit of the region repository being published, for the publish message."""
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
                              capture_output=True, text=True, timeout=30,
                              env={k: v for k, v in os.environ.items() if k != "GIT_DIR"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() or None if proc.returncode == 0 else None


__all__ = ["Changes", "GitDeploy", "git_environment", "redact", "source_commit"]
