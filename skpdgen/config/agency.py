"""The agency config, sites/<slug>/site.yaml: identity, contact, social accounts, leadership."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skpdgen import urls, yamlio
from skpdgen.config.channels import COMPLAINTS_SCHEMA, PPID_SCHEMA, inherit
from skpdgen.config.channels import CONTACT_SCHEMA as CONTACT_SCHEMA  # the scorecard counts these
from skpdgen.config.region import RESERVED_SLUGS, Region, decode_text
from skpdgen.config.schema import (
    Context,
    Field,
    choice,
    color,
    f,
    line_text,
    list_of,
    mapping,
    string_list,
    text,
    url,
    validate,
)
from skpdgen.diagnostics import Diagnostics, did_you_mean

SITE_FILE = "site.yaml"
KINDS = ("dinas", "badan", "sekretariat", "inspektorat", "kecamatan", "kelurahan", "desa",
         "rsud", "lainnya")
SOCIAL_NETWORKS = ("facebook", "instagram", "x", "youtube", "tiktok")

HEAD_SCHEMA: dict[str, Field] = {
    "name": f(line_text, "Name of the head of the agency"),
    "title": f(line_text, "Their title, e.g. 'Kepala Dinas Kesehatan'"),
    "photo": f(line_text, "Photo: a path under static/, e.g. /img/kepala.jpg"),
    "greeting": f(text, "Greeting (sambutan) on the home page, Markdown"),
}
# The six office fields (CONTACT_SCHEMA, which the scorecard counts) and the emergency line.
AGENCY_CONTACT_SCHEMA: dict[str, Field] = {
    **CONTACT_SCHEMA,
    "emergency": f(line_text, "Emergency phone line (IGD), shown first on the home page, "
                              "e.g. '(0283) 496119'"),
}
SOCIAL_SCHEMA: dict[str, Field] = {
    name: f(url, f"{name} account URL") for name in SOCIAL_NETWORKS
}
MENU_SCHEMA: dict[str, Field] = {
    "title": f(line_text, "Menu text", required=True),
    "url": f(line_text, "A site path such as 'berita/' or a full URL", required=True),
}

SITE_SCHEMA: dict[str, Field] = {
    "name": f(line_text, "Full name, e.g. 'Dinas Kesehatan'", required=True),
    "short_name": f(line_text, "Short name, e.g. 'Dinkes'"),
    "kind": f(choice(*KINDS), "Kind of agency: " + ", ".join(KINDS), type_name="choice"),
    "description": f(text, "One or two sentences about the agency"),
    "tagline": f(line_text, "What the agency does, in one line, at the top of its home page "
                            "(default: the first sentence of description)"),
    "featured": f(string_list, "Top services on the home page: file names of services under "
                               "content/layanan/, e.g. [surat-keterangan-sehat] (default: the "
                               "first by weight)"),
    "base_url": f(url, "Own domain, e.g. https://dinkes.tegalkab.go.id/ (default: under the portal)"),
    "logo": f(line_text, "Logo: a path under static/, e.g. /img/logo.svg"),
    "color": f(color, "Brand colour, e.g. '#0b5394' (darkened if it has too little contrast)"),
    "head": f(mapping(HEAD_SCHEMA, "head."), "Head of the agency: name, title, photo, greeting",
              type_name="mapping"),
    "vision": f(text, "Vision (visi)"),
    "missions": f(string_list, "Missions (misi), a list"),
    "contact": f(mapping(AGENCY_CONTACT_SCHEMA, "contact."),
                 "address, phone, email, whatsapp, hours, map, emergency", type_name="mapping"),
    "complaints": f(mapping(COMPLAINTS_SCHEMA, "complaints."),
                    "Complaint channels (pengaduan): LAPOR! and the agency's own; keys not set "
                    "come from skpdgen.yaml", type_name="mapping"),
    "ppid": f(mapping(PPID_SCHEMA, "ppid."),
              "Public information (PPID): contact and request form; keys not set come from "
              "skpdgen.yaml", type_name="mapping"),
    "maklumat": f(text, "Service pledge (Maklumat Pelayanan), shown on the home page "
                        "(default: the one in skpdgen.yaml)"),
    "social": f(mapping(SOCIAL_SCHEMA, "social."), "facebook, instagram, x, youtube, tiktok: URLs",
                type_name="mapping"),
    "menu": f(list_of(MENU_SCHEMA, "menu[]."), "Menu override: a list of {title, url}",
              type_name="list"),
}


@dataclass(frozen=True, slots=True)
class Agency:
    """The validated agency config. `root` is sites/<slug>/."""

    slug: str
    root: Path
    name: str
    base_url: str
    own_domain: bool
    short_name: str | None = None
    kind: str = "lainnya"
    description: str | None = None
    tagline: str | None = None
    featured: tuple[str, ...] = ()
    logo: str | None = None
    color: str | None = None
    head: dict[str, Any] | None = None
    vision: str | None = None
    missions: tuple[str, ...] = ()
    contact: dict[str, Any] | None = None
    social: dict[str, Any] | None = None
    menu: tuple[dict[str, Any], ...] | None = None
    complaints: dict[str, Any] | None = None
    ppid: dict[str, Any] | None = None
    maklumat: str | None = None
    lines: dict[str, int] | None = None

    def line_of(self, key: str) -> int | None:
        """Line of a key of site.yaml ('logo', 'head.photo'), for diagnostics."""
        return (self.lines or {}).get(key)

    @property
    def src_prefix(self) -> str:
        """Prefix that makes an agency-relative path region-relative, for diagnostics."""
        return f"sites/{self.slug}/"


def check_slug(slug: str) -> str | None:
    """Why `slug` cannot be an agency slug, or None when it can."""
    if not urls.SLUG_RE.fullmatch(slug):
        return "must be lowercase letters, digits and hyphens"
    if slug in RESERVED_SLUGS:
        return f"'{slug}' is a path the portal uses itself"
    return None


def discover_agencies(region: Region) -> list[str]:
    """Slugs of every folder under sites/ that holds a site.yaml, sorted."""
    if not region.sites_dir.is_dir():
        return []
    return sorted(p.name for p in region.sites_dir.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / SITE_FILE).exists())


def load_agency(region: Region, slug: str, diags: Diagnostics) -> Agency | None:
    """Read sites/<slug>/site.yaml; problems go to `diags` and the result is None."""
    root = region.sites_dir / slug
    path = f"sites/{slug}/{SITE_FILE}"
    problem = check_slug(slug)
    if problem:
        diags.error(f"sites/{slug}", None, f"agency folder name {problem}",
                    "rename the folder, e.g. sites/dinkes")
        return None
    try:
        raw = (root / SITE_FILE).read_bytes()
    except OSError as exc:
        diags.error(path, None, f"cannot read: {exc.strerror}")
        return None
    content = decode_text(raw, path, diags)
    if content is None:
        return None
    try:
        node = yamlio.parse(content)
    except yamlio.YamlError as exc:
        diags.error(path, exc.line, exc.message, exc.hint)
        return None
    before = len(diags.errors)
    values = validate(node, SITE_SCHEMA, Context(path, diags, region.tz))
    if len(diags.errors) > before:
        return None
    own = values["base_url"] is not None
    base_url = (urls.normalize_base_url(values["base_url"]) if own
                else region.base_url + slug + "/")
    menu = values["menu"]
    lines: dict[str, int] = {}
    if isinstance(node, yamlio.YMap):
        lines.update(node.key_lines)
        for key, child in node.items.items():
            if isinstance(child, yamlio.YMap):
                lines.update({f"{key}.{k}": v for k, v in child.key_lines.items()})
    return Agency(
        slug=slug, root=root, name=values["name"], base_url=base_url, own_domain=own,
        short_name=values["short_name"], kind=values["kind"] or "lainnya",
        description=values["description"], tagline=values["tagline"],
        featured=tuple(values["featured"] or ()), logo=values["logo"], color=values["color"],
        head=values["head"], vision=values["vision"],
        missions=tuple(values["missions"] or ()), contact=values["contact"],
        social=values["social"], menu=tuple(menu) if menu is not None else None,
        complaints=inherit(region.complaints, values["complaints"]),
        ppid=inherit(region.ppid, values["ppid"]),
        maklumat=values["maklumat"] or region.maklumat,
        lines=lines,
    )


def unknown_site_hint(slug: str, known: list[str]) -> str:
    return did_you_mean(slug, known) or f"known sites: {', '.join(known) or 'none'}"
