"""The `deploy:` targets of skpdgen.yaml, validated with the shared schema (lines, did-you-mean).

    deploy:
      pages:                      # the target's name: skpdgen deploy pages
        type: git
        remote: https://github.com/${GITHUB_REPOSITORY}.git
        branch: gh-pages
      server:
        type: dir
        path: /var/www/kabupaten
        keep: 5
      web:
        type: ssh                 # rsync over SSH into <path>/releases/<id>/ on a server
        host: web.tegalkab.go.id
        user: deploy
        path: /var/www/kabupaten
        keep: 5

The ssh target's private key and known_hosts come from the environment
(SKPDGEN_SSH_KEY, SKPDGEN_SSH_KNOWN_HOSTS) or, for known_hosts only, a file named by
`known_hosts:`; a key is never read from skpdgen.yaml.

`${NAME}` in `remote` is read from the environment when deploying, so a CI secret never has
to be written into the repository; a password written in the file itself is an error.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from skpdgen.config.region import REGION_FILE, Region
from skpdgen.config.schema import (
    Context,
    Field,
    FieldError,
    choice,
    f,
    integer,
    line_text,
    validate,
)
from skpdgen.diagnostics import ConfigError, Diagnostic, Diagnostics, did_you_mean
from skpdgen.yamlio import YMap, YNode, YScalar

TARGET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A token given as the user name alone (https://ghp_…@github.com/…): GitHub and GitLab take it.
_TOKEN_USER = re.compile(r"(gh[pousr]_|github_pat_|glpat-|gldt-)\w|[0-9a-f]{40}$")


def _remote(node: YNode, ctx: Context) -> str:
    raw = line_text(node, ctx)
    literal = _ENV_REF.sub("x", raw)
    try:
        parts = urlsplit(literal) if "://" in literal else None
    except ValueError:            # e.g. an unclosed '[' of an IPv6 address
        raise FieldError("is not a valid URL (not repeated here: it may hold a password)",
                         "e.g. https://github.com/pemkab/situs.git") from None
    if parts is not None and (parts.password is not None
                              or _TOKEN_USER.match(parts.username or "")):
        raise FieldError("contains a password or token, which must not be kept in the "
                         "repository", "remove it and set SKPDGEN_GIT_TOKEN in the CI secrets, "
                         "or write ${VARIABLE} to read the address from the environment")
    return raw


def _branch(node: YNode, ctx: Context) -> str:
    raw = line_text(node, ctx)
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", raw) or ".." in raw or raw.startswith(("-", "/")):
        raise FieldError(f"is not a usable branch name: '{raw}'", "e.g. gh-pages")
    return raw


def _domain(node: YNode, ctx: Context) -> str:
    raw = line_text(node, ctx)
    if not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", raw):
        raise FieldError(f"must be a domain name such as portal.tegalkab.go.id, got '{raw}'")
    return raw


TYPE_FIELD = f(choice("git", "dir", "ssh"), "git (commit to a branch), dir (releases in a folder) "
               "or ssh (releases on a server, over SSH)", required=True, type_name="git | dir | ssh")

GIT_SCHEMA: dict[str, Field] = {
    "type": TYPE_FIELD,
    "remote": f(_remote, "Git remote: a URL or a local path (relative to the repository); "
                         "${VAR} is read from the environment", required=True),
    "branch": f(_branch, "Branch that holds the published site (default gh-pages)"),
    "cname": f(_domain, "Custom domain of GitHub Pages: written to a CNAME file"),
    "message": f(line_text, "First line of each publish commit (default: 'Publish <region>')"),
    "history": f(choice("keep", "single"),
                 "keep (default: each publish is a new commit on the branch) or single (the "
                 "branch holds one fresh commit: no ever-growing history; no --rollback)",
                 type_name="keep | single"),
}

DIR_SCHEMA: dict[str, Field] = {
    "type": TYPE_FIELD,
    "path": f(line_text, "Folder served by the web server through its current/ symlink "
                         "(relative paths start at the repository)", required=True),
    "keep": f(integer(2, 100), "Releases kept for --rollback (default 5, at least 2)",
              type_name="number"),
}



def _host(node: YNode, ctx: Context) -> str:
    raw = line_text(node, ctx)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]", raw):
        raise FieldError(f"must be a host name or address, got '{raw}'", "e.g. web.tegalkab.go.id")
    return raw.strip("[]")


def _user(node: YNode, ctx: Context) -> str:
    raw = line_text(node, ctx)
    if not re.fullmatch(r"[a-z_][a-z0-9_.-]*", raw):
        raise FieldError(f"must be a user name on the server, got '{raw}'", "e.g. deploy")
    return raw


def _server_path(node: YNode, ctx: Context) -> str:
    raw = line_text(node, ctx)
    if not re.fullmatch(r"/[A-Za-z0-9._/-]*", raw) or "/../" in raw + "/" or raw == "/":
        raise FieldError(f"must be an absolute folder on the server without spaces, got '{raw}'",
                         "e.g. /var/www/kabupaten")
    return raw.rstrip("/")


SSH_SCHEMA: dict[str, Field] = {
    "type": TYPE_FIELD,
    "host": f(_host, "Server name or address", required=True),
    "user": f(_user, "User on the server that owns <path> (e.g. deploy)", required=True),
    "path": f(_server_path, "Folder on the server; nginx serves <path>/current", required=True),
    "port": f(integer(1, 65535), "SSH port (default 22)", type_name="number"),
    "keep": f(integer(2, 100), "Releases kept for --rollback (default 5, at least 2)",
              type_name="number"),
    "known_hosts": f(line_text, "A known_hosts file in the repository with the server's host key "
                                "(else the environment variable SKPDGEN_SSH_KNOWN_HOSTS)"),
}

SCHEMAS = {"git": GIT_SCHEMA, "dir": DIR_SCHEMA, "ssh": SSH_SCHEMA}


@dataclass(frozen=True, slots=True)
class GitTarget:
    """Publish as a commit on a branch of a git remote."""

    name: str
    remote: str          # as written; ${VAR} expanded by `remote_url()`
    branch: str = "gh-pages"
    cname: str | None = None
    message: str | None = None
    history: str = "keep"      # single: one fresh parentless commit, force-pushed with a lease

    def remote_url(self, root: Path, environ: dict[str, str] | None = None) -> str:
        """The remote with ${VAR} read from the environment; a local path made absolute."""
        env = os.environ if environ is None else environ
        missing = [name for name in _ENV_REF.findall(self.remote) if not env.get(name)]
        if missing:
            raise ConfigError([Diagnostic(
                REGION_FILE, None, "error",
                f"deploy target '{self.name}': remote uses ${{{missing[0]}}}, which is not set",
                f"set the environment variable {missing[0]}")])
        url = _ENV_REF.sub(lambda m: env[m.group(1)], self.remote)
        if is_url(url):
            return url
        return str((root / url).resolve())


@dataclass(frozen=True, slots=True)
class DirTarget:
    """Publish as a new release folder and an atomic swap of the `current` symlink."""

    name: str
    path: Path
    keep: int = 5


@dataclass(frozen=True, slots=True)
class SshTarget:
    """Publish as a new release folder on a server (rsync over SSH) and an atomic swap there."""

    name: str
    host: str
    user: str
    path: str               # absolute, on the server
    port: int = 22
    keep: int = 5
    known_hosts: Path | None = None    # a file in the repository, made absolute


Target = GitTarget | DirTarget | SshTarget


def is_url(remote: str) -> bool:
    """A URL or scp-like `user@host:path`, as opposed to a local folder."""
    return "://" in remote or bool(re.match(r"[^/\s:]+@[^/\s:]+:", remote))


def load_targets(region: Region) -> list[Target]:
    """Every target of `deploy:`, in file order; any problem is a ConfigError (exit 2)."""
    diags = Diagnostics()
    node = region.deploy
    if node is None or (isinstance(node, YScalar) and node.is_null):
        return []
    if not isinstance(node, YMap):
        raise ConfigError([Diagnostic(REGION_FILE, node.line, "error",
                                      "'deploy' must be a mapping of target names",
                                      "e.g. deploy:\\n  pages:\\n    type: git")])
    ctx = Context(REGION_FILE, diags, ZoneInfo("UTC"))
    targets: list[Target] = []
    for name, child in node.items.items():
        line = node.key_lines[name]
        if not TARGET_NAME.fullmatch(name):
            diags.error(REGION_FILE, line, f"deploy target name '{name}' is not allowed",
                        "use lowercase letters, digits, - and _")
            continue
        target = _target(name, child, line, ctx, region.root)
        if target is not None:
            targets.append(target)
    if diags.has_errors:
        raise ConfigError(diags.errors)
    return targets


def _target(name: str, node: YNode, line: int, ctx: Context, root: Path) -> Target | None:
    prefix = f"deploy.{name}."
    if not isinstance(node, YMap):
        ctx.diags.error(REGION_FILE, line, f"deploy target '{name}' must be a mapping",
                        "give it 'type: git' or 'type: dir' and their keys")
        return None
    type_node = node.items.get("type")
    kind = type_node.value.strip() if isinstance(type_node, YScalar) else None
    if kind not in SCHEMAS:
        schema: dict[str, Field] = {"type": TYPE_FIELD}
        if type_node is None:
            ctx.diags.error(REGION_FILE, node.line, f"missing required key '{prefix}type'",
                            "add 'type: git', 'type: dir' or 'type: ssh'")
            return None
        validate(YMap({"type": type_node}, {"type": node.key_lines["type"]}, node.line),
                 schema, ctx, prefix=prefix)
        return None
    values: dict[str, Any] = validate(node, SCHEMAS[kind], ctx, prefix=prefix)
    if ctx.diags.has_errors:
        return None
    if kind == "git":
        return GitTarget(name, values["remote"], values["branch"] or "gh-pages",
                         values["cname"], values["message"], values["history"] or "keep")
    if kind == "ssh":
        known = values["known_hosts"]
        return SshTarget(name, values["host"], values["user"], values["path"],
                         values["port"] or 22, values["keep"] or 5,
                         (root / known).resolve() if known else None)
    path = Path(values["path"])
    return DirTarget(name, path if path.is_absolute() else (root / path).resolve(),
                     values["keep"] or 5)


def pick(targets: list[Target], name: str | None) -> list[Target]:
    """The target named on the command line, or all of them."""
    if not targets:
        raise ConfigError([Diagnostic(REGION_FILE, None, "error",
                                      "no deploy targets: skpdgen.yaml has no 'deploy' section",
                                      "see docs/deploy.md, e.g. deploy: {pages: {type: git, "
                                      "remote: ..., branch: gh-pages}}")])
    if name is None:
        return targets
    for target in targets:
        if target.name == name:
            return [target]
    names = [t.name for t in targets]
    raise ConfigError([Diagnostic(REGION_FILE, None, "error", f"no deploy target '{name}'",
                                  did_you_mean(name, names) or f"targets: {', '.join(names)}")])
