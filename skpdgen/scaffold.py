"""Creating files for users: a new agency, a new content file, a new region (init), a full
copy of the built-in theme (theme eject).

Nothing here ever overwrites a file: an existing target is a UsageError-like ScaffoldError.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path

from skpdgen import scaffold_ci, scaffold_ci_shards, scaffold_region, urls
from skpdgen.config.agency import SITE_FILE, check_slug
from skpdgen.config.region import REGION_FILE, load_region
from skpdgen.content.repeats import dated_slug
from skpdgen.content.sections import SECTIONS
from skpdgen.diagnostics import ConfigError, Diagnostic, closest, did_you_mean
from skpdgen.scaffold_install import VENDOR_DIR, default_install
from skpdgen.scaffold_region import (
    CODEOWNERS,
    PLACEHOLDER_BASE_URL,
    PLACEHOLDER_NAME,
    STAFF_GUIDE,
    InitSettings,
    codeowners,
    codeowners_line,
)
from skpdgen.scaffold_wheel import vendor_wheel
from skpdgen.theme import BUILTIN_THEME


class ScaffoldError(Exception):
    """The file or folder to create already exists, or a name is not usable."""


def _create(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; nothing was changed") from None


def _create_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; nothing was changed") from None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_site(root: Path, slug: str, name: str) -> Path:
    """sites/<slug>/site.yaml and a first profile page; a CODEOWNERS line when it exists."""
    _require_region(root)
    problem = check_slug(slug)
    if problem:
        raise ScaffoldError(f"agency slug {problem}: '{slug}'")
    site_dir = root / "sites" / slug
    if site_dir.exists():
        raise ScaffoldError(f"{site_dir} already exists; nothing was changed")
    _create(site_dir / SITE_FILE, f"""\
# Identity of the agency. Every key is explained in the README (Agency config).
name: {_quote(name)}
# short_name: "Dinkes"
# kind: dinas          # dinas, badan, sekretariat, inspektorat, kecamatan, kelurahan, desa, rsud, lainnya
# description: "One or two sentences about the agency."
# color: "#0b5394"
# logo: /img/logo.svg  # a file under sites/{slug}/static/
# head:
#   name: "dr. Nama Kepala"
#   title: "Kepala Dinas"
#   greeting: "Selamat datang di situs resmi kami."
# contact:
#   address: "Jl. ..."
#   phone: "0283-000000"
#   email: "info@example.go.id"
#   whatsapp: "0812-0000-0000"
#   hours: "Senin–Jumat 07.30–16.00"
# social:
#   instagram: https://www.instagram.com/...
""")
    _create(site_dir / "content" / "profil" / "tentang.md", f"""\
---
title: Tentang {name}
weight: 1
---
Tuliskan profil singkat {name} di sini.
""")
    (site_dir / "static").mkdir(exist_ok=True)
    _add_codeowner(root, slug)
    return site_dir / SITE_FILE


def _add_codeowner(root: Path, slug: str) -> None:
    """Append the agency's (commented) line to CODEOWNERS, unless a line names its folder."""
    path = root / CODEOWNERS
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    if f"/sites/{slug}/" in text:
        return
    with path.open("a", encoding="utf-8") as handle:
        handle.write(("" if text.endswith("\n") or not text else "\n")
                     + codeowners_line(slug) + "\n")


def new_content(root: Path, section: str, slug: str, title: str, today: date | None = None
                ) -> Path:
    """sites/<slug>/content/<section>/[date-]<title-slug>.md with the section's fields."""
    _require_region(root)
    if not urls.SLUG_RE.fullmatch(section):
        raise ScaffoldError(f"section must be lowercase letters, digits and hyphens: '{section}'")
    site_dir = root / "sites" / slug
    if not (site_dir / SITE_FILE).exists():
        known = sorted(p.name for p in (root / "sites").glob("*") if (p / SITE_FILE).exists())
        hint = did_you_mean(slug, known) or f"known agencies: {', '.join(known) or 'none'}"
        raise ScaffoldError(f"no agency '{slug}' (sites/{slug}/site.yaml); {hint}")
    if section not in SECTIONS and not (site_dir / "content" / section).is_dir():
        raise ScaffoldError(unknown_section(section))
    day = (today or datetime.now(load_region(root).tz).date()).isoformat()
    page_slug = urls.slugify(title) or "halaman"
    spec = SECTIONS.get(section)
    name = f"{day}-{page_slug}.md" if spec and spec.dated else f"{page_slug}.md"
    lines = ["---", f"title: {_quote(title)}"]
    if spec and spec.dated:
        lines.append(f"date: {day}")
        taken = {urls.item_slug_from_filename(p.stem)
                 for p in (site_dir / "content" / section).glob("*.md")}
        same_title = dated_slug(taken, page_slug, day)
        if same_title:      # the older item keeps its URL (README: repeated titles)
            lines.append(f"slug: {same_title}")
    for field_name, field in (spec.fields.items() if spec else ()):
        if field.required:
            example = {"start": f"{day}T09:00", "file": f"/files/{page_slug}.pdf",
                       "category": "berkala", "year": day[:4]}.get(field_name, "")
            lines.append(f"{field_name}: {example}")
    lines += ["# summary: Satu atau dua kalimat ringkasan.", "# tags: [contoh]", "---", "",
              "Tulis isi di sini.", ""]
    path = site_dir / "content" / section / name
    _create(path, "\n".join(lines))
    return path


def unknown_section(section: str) -> str:
    """The refusal of a section name that is neither known nor an existing page folder."""
    english = {"news": "berita", "announcements": "pengumuman", "announcement": "pengumuman",
               "events": "agenda", "event": "agenda", "services": "layanan",
               "service": "layanan", "documents": "dokumen", "document": "dokumen",
               "innovations": "inovasi", "innovation": "inovasi", "pages": "profil"}
    meant = english.get(section) or closest(section, SECTIONS)
    hint = f"did you mean '{meant}'? " if meant else ""
    return (f"unknown section '{section}'; {hint}sections: {', '.join(SECTIONS)} (for plain "
            f"pages, create the folder content/{section}/ first)")


def init_region(target: Path, settings: InitSettings | None = None) -> Path:
    """A new region repository: skpdgen.yaml with one deploy target, a sample agency, the CI
    file(s) of the chosen host, the skpdgen wheel they install, README.md, CODEOWNERS, docs/."""
    settings = settings or InitSettings()
    if settings.host not in scaffold_ci.HOSTS:
        raise ScaffoldError(f"--host must be one of {', '.join(scaffold_ci.HOSTS)}, "
                            f"got '{settings.host}'")
    if not 1 <= settings.shards <= scaffold_ci_shards.MAX_CI_SHARDS:
        raise ScaffoldError(f"--shards must be 1 to {scaffold_ci_shards.MAX_CI_SHARDS} (the "
                            f"number of CI jobs that build the agencies), got {settings.shards}")
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty; nothing was changed")
    install = settings.install or default_install()
    target.mkdir(parents=True, exist_ok=True)
    _create(target / REGION_FILE, f"""\
# The region: the portal of the kabupaten. Every key is explained in README.md.
name: {_quote(settings.name or PLACEHOLDER_NAME)}
base_url: {settings.base_url or PLACEHOLDER_BASE_URL}
language: id
timezone: Asia/Jakarta
freshness:
  stale_days: 14
  dead_days: 30

""" + scaffold_ci.deploy_config(settings.host))
    _create(target / ".gitignore", "/build/\n__pycache__/\n/public/\n/skpdgen-status.txt\n")
    new_site(target, "contoh", "Dinas Contoh")
    new_content(target, "berita", "contoh", "Situs Dinas Contoh Diluncurkan")
    if settings.install is None:
        vendor_wheel(target / VENDOR_DIR)
    _write_ci(target, settings.host, install, settings.shards)
    _create(target / CODEOWNERS, codeowners(["contoh"]))
    if STAFF_GUIDE.is_file():
        _create(target / "docs" / STAFF_GUIDE.name, STAFF_GUIDE.read_text(encoding="utf-8"))
        for image in sorted(STAFF_GUIDE.parent.glob("*.png")):   # the guide links to them
            _create_bytes(target / "docs" / image.name, image.read_bytes())
    _create(target / "README.md", scaffold_region.readme(settings, install,
                                                         [("contoh", "Dinas Contoh")]))
    return target


def _write_ci(target: Path, host: str, install: str, shards: int = 1) -> None:
    ssh = host == "server"
    target_name = {"github": "pages", "gitlab": "gitlab", "server": "server"}[host]
    if shards > 1:      # a large region: N jobs build the agencies, one the portal
        if host in ("github", "server"):
            _create(target / ".github" / "workflows" / "skpdgen.yml",
                    scaffold_ci_shards.github_sharded_workflow(shards, install, target_name, ssh))
        if host in ("gitlab", "server"):
            _create(target / ".gitlab-ci.yml", scaffold_ci_shards.gitlab_sharded_ci(
                shards, install, target_name, ssh=ssh))
        return
    if host in ("github", "server"):
        _create(target / ".github" / "workflows" / "skpdgen.yml",
                scaffold_ci.github_workflow(install, target=target_name, ssh=ssh))
    if host in ("gitlab", "server"):
        _create(target / ".gitlab-ci.yml", scaffold_ci.gitlab_ci(install, target=target_name,
                                                                 ssh=ssh))


def eject_theme(root: Path) -> tuple[list[Path], list[Path]]:
    """Copy the built-in theme into themes/default/: (files copied, files kept as they were).

    A file the region already has (a partial override) is never overwritten.
    """
    _require_region(root)
    dest_root = root / "themes" / "default"
    copied: list[Path] = []
    kept: list[Path] = []
    for path in sorted(BUILTIN_THEME.rglob("*")):
        rel = path.relative_to(BUILTIN_THEME)
        if not path.is_file() or "__pycache__" in rel.parts:
            continue
        dest = dest_root / rel
        if dest.exists() or dest.is_symlink():
            kept.append(dest)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        temporary = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        shutil.copyfile(path, temporary)
        try:
            os.link(temporary, dest)      # complete or absent; never over an existing file
            copied.append(dest)
        except FileExistsError:
            kept.append(dest)
        finally:
            temporary.unlink()
    return copied, kept


def _require_region(root: Path) -> None:
    if not (root / REGION_FILE).exists():
        raise ConfigError([Diagnostic(REGION_FILE, None, "error", f"no {REGION_FILE} in {root}",
                                      "run in the repository root or pass --root DIR")])
