"""The region config, skpdgen.yaml: the kabupaten's portal and settings shared by every agency."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from skpdgen import urls, yamlio
from skpdgen.config.channels import COMPLAINTS_SCHEMA, CONTACT_SCHEMA, PPID_SCHEMA
from skpdgen.config.schema import (
    Context,
    Field,
    FieldError,
    boolean,
    choice,
    f,
    integer,
    line_text,
    mapping,
    text,
    url,
    validate,
)
from skpdgen.diagnostics import ConfigError, Diagnostic, Diagnostics
from skpdgen.textclean import ansi_hint, strip_controls
from skpdgen.yamlio import YNode

REGION_FILE = "skpdgen.yaml"
RESERVED_SLUGS = frozenset({
    "berita", "inovasi", "direktori", "status", "cari", "assets", "pagefind", "feed.xml",
    "sitemap.xml", "robots.txt", "404.html", "status.json", "status.csv", "static", "tag",
    "img", "files", "page", "admin", "layanan",
})


def _timezone(node: YNode, ctx: Context) -> str:
    name = line_text(node, ctx)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldError(f"is not a known timezone: '{name}'",
                         "use Asia/Jakarta, Asia/Makassar or Asia/Jayapura") from None
    return name


FRESHNESS_SCHEMA: dict[str, Field] = {
    "stale_days": f(integer(1, 3650), "Days without an update before a site is 'kurang aktif'",
                    type_name="number"),
    "dead_days": f(integer(1, 3650), "Days without an update before a site is 'mati'",
                   type_name="number"),
}


EDITOR_SCHEMA: dict[str, Field] = {
    "backend": f(choice("github", "gitlab", "gitea"), "Git host staff sign in to: github, gitlab "
                 "or gitea", required=True, type_name="choice"),
    "repo": f(line_text, "The region repository, owner/name", required=True),
    "branch": f(line_text, "Branch the editor writes to (default main)"),
    "base_url": f(url, "OAuth endpoint (GitHub) or the GitLab/Gitea server, e.g. "
                       "https://gitlab.kabupaten.go.id"),
    "api_root": f(url, "API root of a self-hosted GitLab/Gitea/GitHub Enterprise"),
    "app_id": f(line_text, "OAuth application id (GitLab/Gitea: sign-in with PKCE, no server)"),
    "review": f(boolean, "true (default): changes become merge/pull requests reviewed before "
                         "they go live; false: saved straight to the branch"),
}


def _raw(node: YNode, ctx: Context) -> YNode:
    """Keep the nodes (with their lines) for a later, more specific validation (deploy)."""
    return node


REGION_SCHEMA: dict[str, Field] = {
    "name": f(line_text, "Name of the region, e.g. 'Pemerintah Kabupaten Tegal'", required=True),
    "base_url": f(url, "Absolute URL where build/ is published", required=True),
    "language": f(choice("id", "en"), "Interface language: id (default) or en",
                  type_name="id | en"),
    "timezone": f(_timezone, "Timezone used to read dates (default Asia/Jakarta)"),
    "theme": f(line_text, "Theme folder under themes/ that overrides the built-in theme file by file "
                          "(default: default, the built-in theme; themes/default/ may override parts of it)"),
    "logo": f(line_text, "Region logo: a path under the repository's static/ folder, e.g. /logo.svg"),
    "tagline": f(line_text, "Short line under the region name on the portal"),
    "description": f(text, "Portal description (meta description, home intro)"),
    "freshness": f(mapping(FRESHNESS_SCHEMA, "freshness."),
                   "Thresholds of the scorecard: stale_days (14), dead_days (30)",
                   type_name="mapping"),
    "paginate": f(integer(1, 200), "Items per list page (default 10)", type_name="number"),
    "contact": f(mapping(CONTACT_SCHEMA, "contact."),
                 "Contact of the Pemkab on the portal: address, phone, email, whatsapp, hours, map",
                 type_name="mapping"),
    "complaints": f(mapping(COMPLAINTS_SCHEMA, "complaints."),
                    "Complaint channels every agency inherits: lapor, sms, url, phone, whatsapp, "
                    "email, note", type_name="mapping"),
    "ppid": f(mapping(PPID_SCHEMA, "ppid."),
              "The PPID Utama every agency inherits: name, url, form, phone, email, address",
              type_name="mapping"),
    "maklumat": f(text, "Service pledge (Maklumat Pelayanan) of agencies that set none"),
    "deploy": f(_raw, "Publishing targets, see 'Publishing'", type_name="mapping"),
    "editor": f(mapping(EDITOR_SCHEMA, "editor."), "The browser editor at <agency>/admin/: "
                "backend, repo, branch, base_url, api_root, app_id, review (see 'The editor')",
                type_name="mapping"),
}


@dataclass(frozen=True, slots=True)
class Region:
    """The validated region config."""

    root: Path
    name: str
    base_url: str
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    theme: str = "default"
    logo: str | None = None
    tagline: str | None = None
    description: str | None = None
    stale_days: int = 14
    dead_days: int = 30
    paginate: int = 10
    contact: dict[str, Any] | None = field(default=None, compare=False)
    complaints: dict[str, Any] | None = field(default=None, compare=False)
    ppid: dict[str, Any] | None = field(default=None, compare=False)
    maklumat: str | None = None
    deploy: YNode | None = field(default=None, compare=False)
    editor: dict[str, Any] | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sites_dir(self) -> Path:
        return self.root / "sites"

    @property
    def theme_dir(self) -> Path:
        return self.root / "themes" / self.theme


def load_region(root: Path) -> Region:
    """Read and validate skpdgen.yaml; any problem is a ConfigError (exit status 2)."""
    path = root / REGION_FILE
    diags = Diagnostics()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Diagnostic(
            REGION_FILE, None, "error", f"no {REGION_FILE} in {root}",
            "run skpdgen in the repository root, pass --root DIR, or create one with skpdgen init",
        )]) from None
    except OSError as exc:
        raise ConfigError([Diagnostic(REGION_FILE, None, "error",
                                      f"cannot read: {exc.strerror}")]) from None
    content = decode_text(raw, REGION_FILE, diags)
    node = None
    if content is not None:
        try:
            node = yamlio.parse_kept(content)
        except yamlio.YamlError as exc:
            diags.error(REGION_FILE, exc.line, exc.message, exc.hint)
    values: dict[str, Any] = {}
    if not diags.has_errors:
        ctx = Context(REGION_FILE, diags, ZoneInfo("Asia/Jakarta"))
        values = validate(node, REGION_SCHEMA, ctx)
    if diags.has_errors:
        raise ConfigError(diags.errors)
    freshness = values.get("freshness") or {}
    region = Region(
        root=root,
        name=values["name"],
        base_url=urls.normalize_base_url(values["base_url"]),
        language=values["language"] or "id",
        timezone=values["timezone"] or "Asia/Jakarta",
        theme=values["theme"] or "default",
        logo=values["logo"],
        tagline=values["tagline"],
        description=values["description"],
        stale_days=freshness.get("stale_days") or 14,
        dead_days=freshness.get("dead_days") or 30,
        paginate=values["paginate"] or 10,
        contact=values["contact"], complaints=values["complaints"], ppid=values["ppid"],
        maklumat=values["maklumat"],
        deploy=values["deploy"],
        editor=values["editor"],
    )
    if region.dead_days < region.stale_days:
        raise ConfigError([Diagnostic(REGION_FILE, None, "error",
                                      "freshness.dead_days must not be less than stale_days")])
    if region.theme != "default" and not region.theme_dir.is_dir():
        raise ConfigError([Diagnostic(REGION_FILE, None, "error",
                                      f"theme '{region.theme}' not found in themes/",
                                      "create themes/<name>/ or remove 'theme'")])
    return region


def decode_text(raw: bytes, path: str, diags: Diagnostics) -> str | None:
    """UTF-8 text without BOM, with CRLF normalized; non-UTF-8 is an error naming the line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diags.error(path, line, "is not UTF-8 text", ansi_hint(raw, exc.start))
        return None
    return strip_controls(content.replace("\r\n", "\n").replace("\r", "\n"), path, diags)


