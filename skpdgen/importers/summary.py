"""The import summary, in Indonesian (default) or English: what was done, what needs a look."""

from __future__ import annotations

from skpdgen.importers.wordpress import ImportReport

_TEXT = {
    "id": {
        "title": "Impor WordPress selesai",
        "title_dry": "Impor WordPress (uji coba, tidak ada berkas yang ditulis)",
        "created": "{n} konten baru",
        "updated": "{n} konten diperbarui",
        "unchanged": "{n} konten tidak berubah",
        "drafts": "{n} draf diimpor sebagai draf (tidak tampil)",
        "scheduled": "{n} konten terjadwal (tampil pada tanggalnya)",
        "private": "{n} konten privat tidak diimpor",
        "password": "{n} konten berkata sandi tidak diimpor",
        "before": "{n} berita sebelum --since dilewati",
        "other": "{n} item lain dilewati ({what})",
        "comments": "{n} komentar tidak diimpor (situs statis tidak memuat komentar)",
        "files": "{n} gambar/berkas disalin ke static/",
        "missing": "{n} gambar/berkas tidak ditemukan di --uploads (tautan lama dipertahankan):",
        "aliases": "{n} alamat lama dialihkan ke halaman baru (aliases)",
        "look": "Perlu diperiksa:",
        "spam": "{n} tautan spam judi/slot dibuang:",
        "shortcodes": "shortcode yang tidak dikonversi: {what}",
        "dropped": "elemen yang dibuang: {what}",
        "no_alt": "{n} gambar tanpa teks alternatif (alt): lengkapi agar dapat dibaca pembaca layar",
        "edited": "{n} berkas sudah diubah staf sejak impor sebelumnya, tidak ditimpa "
                  "(pakai --force untuk menimpa):",
        "deleted": "{n} berkas sudah dihapus staf, tidak dikembalikan (pakai --force):",
        "renamed": "halaman {old} dipindah ke /{new} (nama itu dipakai bagian situs)",
        "next": "Selanjutnya: skpdgen build && skpdgen check",
    },
    "en": {
        "title": "WordPress import done",
        "title_dry": "WordPress import (dry run, no file written)",
        "created": "{n} new items",
        "updated": "{n} items updated",
        "unchanged": "{n} items unchanged",
        "drafts": "{n} drafts imported as drafts (not shown)",
        "scheduled": "{n} scheduled items (shown on their date)",
        "private": "{n} private items not imported",
        "password": "{n} password-protected items not imported",
        "before": "{n} posts before --since skipped",
        "other": "{n} other items skipped ({what})",
        "comments": "{n} comments not imported (a static site has no comments)",
        "files": "{n} images/files copied into static/",
        "missing": "{n} images/files not found in --uploads (old links kept):",
        "aliases": "{n} old URLs redirect to the new pages (aliases)",
        "look": "Needs a look:",
        "spam": "{n} gambling/slot spam links removed:",
        "shortcodes": "shortcodes not converted: {what}",
        "dropped": "elements removed: {what}",
        "no_alt": "{n} images without alt text: add it so screen readers can describe them",
        "edited": "{n} files were edited by staff since the last import, not overwritten "
                  "(use --force to overwrite):",
        "deleted": "{n} files were deleted by staff, not restored (use --force):",
        "renamed": "page {old} moved to /{new} (that name is used by a section)",
        "next": "Next: skpdgen build && skpdgen check",
    },
}
LIST_LIMIT = 20


def summary_lines(report: ImportReport, lang: str = "id") -> list[str]:
    """The lines printed at the end of `skpdgen import wordpress`."""
    t = _TEXT.get(lang, _TEXT["id"])
    lines = [t["title_dry" if report.dry_run else "title"]]

    def count(key: str, n: int, **kw: str) -> None:
        if n:
            lines.append("  " + t[key].format(n=n, **kw))

    count("created", len(report.created))
    count("updated", len(report.updated))
    count("unchanged", report.unchanged)
    count("drafts", report.drafts)
    count("scheduled", report.scheduled)
    count("private", report.skipped_private)
    count("password", report.skipped_password)
    count("before", report.skipped_before)
    if report.skipped_other:
        count("other", sum(report.skipped_other.values()),
              what=", ".join(f"{k} {v}" for k, v in sorted(report.skipped_other.items())))
    count("comments", report.comments)
    count("files", report.files_copied)
    count("aliases", report.aliases)
    look: list[str] = []

    def listed(key: str, items: list[str]) -> None:
        if items:
            look.append("  " + t[key].format(n=len(items)))
            look.extend(f"    {item}" for item in items[:LIST_LIMIT])
            if len(items) > LIST_LIMIT:
                look.append(f"    … (+{len(items) - LIST_LIMIT})")

    listed("spam", [f"{path}: {url}" for path, url in report.spam_links])
    listed("missing", report.files_missing)
    listed("edited", report.kept_edited)
    listed("deleted", report.kept_deleted)
    if report.shortcodes:
        look.append("  " + t["shortcodes"].format(
            what=", ".join(f"[{k}] ×{v}" for k, v in report.shortcodes.most_common())))
    if report.dropped:
        look.append("  " + t["dropped"].format(
            what=", ".join(f"{k} ×{v}" for k, v in report.dropped.most_common())))
    if report.images_without_alt:
        look.append("  " + t["no_alt"].format(n=report.images_without_alt))
    look.extend("  " + t["renamed"].format(old=old, new=new) for old, new in report.renamed_pages)
    if look:
        lines.append(t["look"])
        lines.extend(look)
    if not report.dry_run:
        lines.append(t["next"])
    return lines
