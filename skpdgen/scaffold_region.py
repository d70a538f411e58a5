"""The files of a new region that are for people: README.md (Indonesian), CODEOWNERS, the
staff guide, and the first-day checklist that `skpdgen init` also prints.

    readme(settings, agencies)        # README.md for staff and the Diskominfo admin
    codeowners(agencies)              # a skeleton: one (commented) line per agency folder
    codeowners_line(slug)             # the line `skpdgen new site` appends
    checklist(settings)               # numbered first-day steps
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

DATA = Path(__file__).resolve().parent
README_TEMPLATE = DATA / "templates_region" / "README.md"
STAFF_GUIDE = DATA / "guides" / "panduan-staf.md"
CODEOWNERS = "CODEOWNERS"

# What `init` writes when it is not told the region's name and address: a warning in build,
# an error in check, until the admin changes them (see scaffold_checks).
PLACEHOLDER_NAME = "Pemerintah Kabupaten Contoh"
PLACEHOLDER_BASE_URL = "https://contohkab.go.id/"


@dataclass(frozen=True, slots=True)
class InitSettings:
    """What `skpdgen init` was asked for."""

    host: str = "github"                 # github | gitlab | server
    install: str | None = None           # pip install SPEC in CI; None: the vendored wheel
    name: str | None = None
    base_url: str | None = None
    shards: int = 1                      # CI builds the agencies in this many jobs (> 1)


_HOSTING = {
    "github": """\
Situs diterbitkan ke **GitHub Pages** (target `pages` di `skpdgen.yaml`, cabang `gh-pages`).
Aktifkan sekali: *Settings → Pages → Build and deployment → Deploy from a branch*, pilih
`gh-pages` / `(root)`. Alamat `https://PEMILIK.github.io/REPO/` adalah *project page*: `base_url`
di `skpdgen.yaml` harus memuat `/REPO/` di belakangnya (`skpdgen check` memperingatkan bila
tidak). Domain sendiri (mis. `portal.contohkab.go.id`): tambahkan `cname:` pada target `pages`
dan buat rekaman DNS CNAME ke `PEMILIK.github.io`.""",
    "gitlab": """\
Situs diterbitkan ke **GitLab Pages** (target `gitlab` di `skpdgen.yaml`, cabang `pages`).
Buat sekali *Settings → Access tokens → Project access token* dengan peran *Maintainer* dan
cakupan `write_repository`, simpan sebagai variabel CI/CD `SKPDGEN_GIT_TOKEN` (*Masked*,
*Protected*). Token itu kedaluwarsa (paling lama satu tahun): bila ditolak, job penerbitan
gagal merah dan halaman `/status/` menampilkan bahwa versi yang tayang sudah lama. Buat token
baru dan ganti variabelnya.""",
    "server": """\
Situs diterbitkan ke **server milik kabupaten** (target `server` di `skpdgen.yaml`, jenis `ssh`):
rsync lewat SSH ke `<path>/releases/<id>/`, lalu `<path>/current` dipindah sekaligus ke rilis
baru, sehingga pengunjung tidak pernah melihat situs setengah jadi. nginx melayani
`<path>/current`. Sekali saja: buat pengguna `deploy` di server, pasang kunci publiknya di
`~deploy/.ssh/authorized_keys`, lalu simpan di *secrets* CI (GitHub: *Settings → Secrets and
variables → Actions*; GitLab: *Settings → CI/CD → Variables*):
`SKPDGEN_SSH_KEY` (kunci privat) dan `SKPDGEN_SSH_KNOWN_HOSTS` (hasil `ssh-keyscan -t ed25519
HOST`, diperiksa dulu). Versi sebelumnya: `skpdgen deploy server --rollback`. Ganti `host`,
`user` dan `path` di `skpdgen.yaml` dengan milik server Anda.""",
}


def readme(settings: InitSettings, install: str, agencies: list[tuple[str, str]]) -> str:
    """README.md of a new region, in Bahasa Indonesia."""
    listing = "\n".join(f"- `sites/{slug}/`: {name}" for slug, name in agencies)
    return Template(README_TEMPLATE.read_text(encoding="utf-8")).substitute(
        name=settings.name or PLACEHOLDER_NAME, agencies=listing or "- (belum ada)",
        hosting=_HOSTING[settings.host], install=install,
        checklist="\n".join(checklist(settings)))


def checklist(settings: InitSettings) -> list[str]:
    """The numbered first-day steps (README.md ends with them, and so does init's output)."""
    host = {"github": "GitHub", "gitlab": "GitLab", "server": "GitHub atau GitLab"}[settings.host]
    steps = [
        ("Isi `name` di `skpdgen.yaml` dengan nama resmi daerah."
         if not settings.name else f"Periksa `name` di `skpdgen.yaml` ({settings.name})."),
        ("Isi `base_url` di `skpdgen.yaml` dengan alamat situs yang sebenarnya."
         if not settings.base_url else f"Periksa `base_url` ({settings.base_url})."),
        "Buat folder dinas yang sebenarnya (`skpdgen new site dinkes --name \"Dinas Kesehatan\"`), "
        "lalu hapus dinas contoh: `sites/contoh/`.",
        f"Periksa hosting di bagian *Penerbitan* README ini ({_HOST_WORD[settings.host]}) dan "
        "simpan rahasia yang diminta di pengaturan CI.",
        "Jalankan `skpdgen build` dan `skpdgen check` sampai tidak ada error.",
        "`git init -b main`, lalu `git add -A` dan `git commit -m \"Situs awal\"`.",
        f"Buat repositori kosong di {host}, `git remote add origin URL`, lalu `git push -u origin main`; "
        "pastikan CI pertama hijau.",
        "Isi `CODEOWNERS` dan aktifkan perlindungan cabang `main` (bagian *Akses*).",
        "Bagikan `docs/panduan-staf.md` kepada staf setiap dinas.",
    ]
    return [f"{number}. {step}" for number, step in enumerate(steps, start=1)]


_HOST_WORD = {"github": "GitHub Pages", "gitlab": "GitLab Pages", "server": "server sendiri lewat SSH"}


def codeowners(agencies: list[str]) -> str:
    """A CODEOWNERS skeleton (read by GitHub and GitLab at the repository root)."""
    lines = [
        "# Who approves changes where (GitHub and GitLab read this file). Replace the names and",
        "# remove the leading '#' of each line; then protect the main branch (README.md, Akses).",
        "# Siapa yang menyetujui perubahan di mana. Ganti nama akun/tim, hapus tanda '#' di depan",
        "# setiap baris, lalu lindungi cabang main (lihat README.md, bagian Akses).",
        "",
        "# * @akun-admin-diskominfo",
        "",
    ]
    lines += [codeowners_line(slug) for slug in agencies]
    return "\n".join(lines) + "\n"


def codeowners_line(slug: str) -> str:
    return f"# /sites/{slug}/ @akun-atau-tim-{slug}"
