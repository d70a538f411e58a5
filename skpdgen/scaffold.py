"""Creating files for users: a new agency, a new content file, a new region (init).

Nothing here ever overwrites a file: an existing target is a UsageError-like ScaffoldError.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from skpdgen import scaffold_ci, urls
from skpdgen.config.agency import SITE_FILE, check_slug
from skpdgen.config.region import REGION_FILE
from skpdgen.content.sections import SECTIONS
from skpdgen.diagnostics import ConfigError, Diagnostic, did_you_mean


class ScaffoldError(Exception):
    """The file or folder to create already exists, or a name is not usable."""


def _create(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; nothing was changed") from None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_site(root: Path, slug: str, name: str) -> Path:
    """sites/<slug>/site.yaml and a first profile page."""
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
    return site_dir / SITE_FILE


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
    if section not in SECTIONS and did_you_mean(section, SECTIONS):
        raise ScaffoldError(f"unknown section '{section}'; {did_you_mean(section, SECTIONS)} "
                            "(other folder names make plain pages)")
    day = (today or date.today()).isoformat()
    page_slug = urls.slugify(title) or "halaman"
    spec = SECTIONS.get(section)
    name = f"{day}-{page_slug}.md" if spec and spec.dated else f"{page_slug}.md"
    lines = ["---", f"title: {_quote(title)}"]
    if spec and spec.dated:
        lines.append(f"date: {day}")
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


def init_region(target: Path) -> Path:
    """A new region repository: skpdgen.yaml, the default theme, a sample agency, CI files."""
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty; nothing was changed")
    target.mkdir(parents=True, exist_ok=True)
    _create(target / REGION_FILE, """\
# The region: the portal of the kabupaten. Every key is explained in the README.
name: "Pemerintah Kabupaten Contoh"
base_url: https://contohkab.go.id/
language: id
timezone: Asia/Jakarta
freshness:
  stale_days: 14
  dead_days: 30

""" + scaffold_ci.DEPLOY_CONFIG)
    _create(target / ".gitignore", "/build/\n__pycache__/\n")
    new_site(target, "contoh", "Dinas Contoh")
    new_content(target, "berita", "contoh", "Situs Dinas Contoh Diluncurkan")
    _write_ci(target)
    _write_guide(target)
    return target


GUIDE = "docs/panduan-staf.md"
GUIDE_IMAGES = ("pratinjau-kesalahan.png",)       # beside the guide, which links to them


def _write_guide(target: Path) -> None:
    """The staff guide (Indonesian) in docs/, and a README pointing to it unless one exists."""
    guides = resources.files("skpdgen").joinpath("guides")
    _create(target / GUIDE, guides.joinpath("panduan-staf.md").read_text(encoding="utf-8"))
    for image in GUIDE_IMAGES:
        (target / "docs" / image).write_bytes(guides.joinpath(image).read_bytes())
    if not (target / "README.md").exists():
        _create(target / "README.md", f"""\
# Situs perangkat daerah

Repositori ini berisi situs semua perangkat daerah (folder `sites/`) dan portalnya, dibangun
dengan skpdgen.

**Staf yang mengisi berita, pengumuman, agenda dan dokumen: baca
[Panduan Staf]({GUIDE})** — menulis berita, mengunggah foto dan PDF lewat GitHub atau GitLab,
nama berkas, teks alternatif gambar, tanggal, membaca pesan kesalahan dan meminta tinjauan.
""")


def _write_ci(target: Path) -> None:
    _create(target / ".github" / "workflows" / "skpdgen.yml", scaffold_ci.github_workflow())
    _create(target / ".gitlab-ci.yml", scaffold_ci.gitlab_ci())


def _require_region(root: Path) -> None:
    if not (root / REGION_FILE).exists():
        raise ConfigError([Diagnostic(REGION_FILE, None, "error", f"no {REGION_FILE} in {root}",
                                      "run in the repository root or pass --root DIR")])
