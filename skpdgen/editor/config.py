"""The Decap CMS configuration of an agency's editor, generated from skpdgen's own schema.

The schema that validates content and writes the README reference also writes the forms: one
collection per section (with the section's fields and the right widgets), one per folder of
plain pages, and site.yaml as the "Profil & kontak" file. Field labels and hints are in
Indonesian. `WIDGETS` maps every converter of the schema to a widget; a test proves that every
field of every schema gets one, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from skpdgen.config import agency as agency_config
from skpdgen.config import schema as s
from skpdgen.config.agency import Agency
from skpdgen.content.sections import PLAIN_PAGE, SECTIONS, SectionSpec, schema_for

# Converter -> Decap widget (with its options); parameterised converters are handled by class.
WIDGETS: dict[Any, dict[str, Any]] = {
    s.text: {"widget": "text"},
    s.line_text: {"widget": "string"},
    s.boolean: {"widget": "boolean", "default": False},
    s.url: {"widget": "string", "pattern": ["^https?://", "Alamat lengkap diawali https://"]},
    s.email: {"widget": "string", "pattern": ["^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
                                               "Alamat e-mail, mis. info@dinkes.go.id"]},
    s.color: {"widget": "color"},
    s.string_list: {"widget": "list"},
    s.calendar_date: {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "DD-MM-YYYY",
                      "time_format": False},
    s.when: {"widget": "datetime", "format": "YYYY-MM-DDTHH:mm", "date_format": "DD-MM-YYYY",
             "time_format": "HH:mm"},
}
# fields whose text names a file: an upload widget instead of a text box
FILE_FIELDS = {"image": "image", "photo": "image", "logo": "image", "file": "file"}
# fields the editor never offers (written by the importer or meant for developers)
HIDDEN_FIELDS = frozenset({"aliases", "slug", "menu"})

LABELS: dict[str, str] = {
    "title": "Judul", "date": "Tanggal terbit", "updated": "Tanggal diperbarui",
    "summary": "Ringkasan", "image": "Gambar utama", "image_alt": "Teks alternatif gambar",
    "tags": "Tag", "draft": "Draf (belum terbit)", "author": "Penulis", "weight": "Urutan",
    "expires": "Berlaku sampai", "start": "Mulai", "end": "Selesai", "location": "Tempat",
    "organizer": "Penyelenggara", "requirements": "Persyaratan", "procedure": "Prosedur",
    "duration": "Jangka waktu", "cost": "Biaya", "output": "Produk layanan",
    "complaints": "Pengaduan", "legal_basis": "Dasar hukum", "online_url": "Layanan daring",
    "file": "Berkas dokumen", "category": "Kategori PPID", "year": "Tahun", "stage": "Tahap",
    "digital": "Inovasi digital", "url": "Tautan", "benefits": "Manfaat",
    "name": "Nama", "short_name": "Nama singkat", "kind": "Jenis instansi",
    "description": "Deskripsi", "base_url": "Domain sendiri", "logo": "Logo",
    "color": "Warna", "head": "Pimpinan", "vision": "Visi", "missions": "Misi",
    "contact": "Kontak", "social": "Media sosial", "photo": "Foto", "greeting": "Sambutan",
    "address": "Alamat", "phone": "Telepon", "email": "E-mail", "whatsapp": "WhatsApp",
    "hours": "Jam layanan", "map": "Tautan peta",
    "facebook": "Facebook", "instagram": "Instagram", "x": "X (Twitter)", "youtube": "YouTube",
    "tiktok": "TikTok",
}
HINTS: dict[str, str] = {
    "title": "Singkat dan jelas, mis. 'Vaksinasi Massal di Puskesmas Slawi'.",
    "date": "Berita dengan tanggal yang akan datang baru tampil pada tanggal itu.",
    "summary": "Satu atau dua kalimat untuk daftar berita dan mesin pencari.",
    "image_alt": "Wajib bila ada gambar: jelaskan isi gambar untuk pembaca tunanetra, "
                 "mis. 'Petugas menyuntikkan vaksin kepada warga lansia'.",
    "tags": "Pisahkan dengan koma.",
    "expires": "Setelah tanggal ini pengumuman tidak tampil lagi di beranda.",
    "requirements": "Satu persyaratan per baris.", "procedure": "Satu langkah per baris.",
    "category": "berkala, serta-merta, atau setiap-saat (UU KIP).",
}
SECTION_LABELS = {
    "berita": ("Berita", "Berita"), "pengumuman": ("Pengumuman", "Pengumuman"),
    "agenda": ("Agenda", "Kegiatan"), "layanan": ("Layanan", "Layanan"),
    "dokumen": ("Dokumen PPID", "Dokumen"), "inovasi": ("Inovasi", "Inovasi"),
}
UPLOAD_FOLDER = "img/unggahan"        # under the agency's static/: where the editor puts uploads


@dataclass(frozen=True, slots=True)
class EditorSettings:
    """`editor:` of skpdgen.yaml: which git host the editor signs in to."""

    backend: str                  # github | gitlab | gitea
    repo: str                     # owner/name
    branch: str = "main"
    base_url: str | None = None   # OAuth endpoint (GitHub), or the GitLab/Gitea server
    api_root: str | None = None
    app_id: str | None = None     # GitLab/Gitea OAuth application id (PKCE: no server needed)
    review: bool = True           # editorial workflow: changes become merge requests


def widget_for(name: str, field: s.Field) -> dict[str, Any]:
    """The Decap field for one schema field (without name and label)."""
    converter = field.type
    if name in FILE_FIELDS:
        return {"widget": FILE_FIELDS[name]}
    if isinstance(converter, s.Choice):
        return {"widget": "select", "options": list(converter.choices)}
    if isinstance(converter, s.Integer):
        result: dict[str, Any] = {"widget": "number", "value_type": "int"}
        if converter.minimum is not None:
            result["min"] = converter.minimum
        if converter.maximum is not None:
            result["max"] = converter.maximum
        return result
    if isinstance(converter, s.Nested):
        nested = fields_for(converter.schema)
        if converter.many:
            return {"widget": "list", "fields": nested}
        return {"widget": "object", "collapsed": True, "fields": nested}
    if converter in WIDGETS:
        return dict(WIDGETS[converter])
    raise KeyError(f"no editor widget for the field '{name}' ({field.type_name})")


def fields_for(schema: Mapping[str, s.Field]) -> list[dict[str, Any]]:
    """Decap fields for a schema, in its order, labelled and hinted in Indonesian."""
    result = []
    for name, field in schema.items():
        if name in HIDDEN_FIELDS:
            continue
        entry: dict[str, Any] = {"name": name, "label": LABELS.get(name, name)}
        entry.update(widget_for(name, field))
        entry["required"] = field.required
        hint = HINTS.get(name)
        if hint:
            entry["hint"] = hint
        result.append(entry)
    return result


def section_collection(spec: SectionSpec, folder: str, prefix: str = "",
                       label_prefix: str = "") -> dict[str, Any]:
    """A folder collection for one section of one agency."""
    label, singular = SECTION_LABELS.get(spec.name, (spec.name, spec.name))
    fields = fields_for(schema_for(spec))
    fields.append({"name": "body", "label": "Isi", "widget": "markdown", "required": False})
    collection: dict[str, Any] = {
        "name": prefix + spec.name, "label": label_prefix + label,
        "label_singular": singular, "folder": f"{folder}/{spec.name}", "create": True,
        "extension": "md", "format": "frontmatter", "fields": fields,
        # skpdgen's naming rule: YYYY-MM-DD-judul.md for dated sections, judul.md otherwise
        "slug": "{{year}}-{{month}}-{{day}}-{{slug}}" if spec.dated else "{{slug}}",
        "summary": "{{title}}" + (" ({{date}})" if spec.dated else ""),
        "preview_path": f"{spec.name}/{{{{slug}}}}/" if not spec.dated else None,
    }
    return {k: v for k, v in collection.items() if v is not None}


def page_collection(folder: str, sub: str, prefix: str = "", label_prefix: str = ""
                    ) -> dict[str, Any]:
    """Plain pages of one folder (content/profil/...), or of content/ itself ('')."""
    fields = fields_for(schema_for(PLAIN_PAGE))
    fields.append({"name": "body", "label": "Isi", "widget": "markdown", "required": False})
    return {
        "name": prefix + "halaman-" + (sub.replace("/", "-") or "utama"),
        "label": label_prefix + (f"Halaman {sub}" if sub else "Halaman utama"),
        "label_singular": "Halaman", "folder": f"{folder}/{sub}" if sub else folder,
        "create": True, "extension": "md", "format": "frontmatter", "slug": "{{slug}}",
        "fields": fields, "summary": "{{title}}",
    }


def profile_collection(agency: Agency, prefix: str = "", label_prefix: str = "") -> dict[str, Any]:
    """site.yaml as one editable file: identity, contact, social accounts, leadership."""
    return {
        "name": prefix + "profil", "label": label_prefix + "Profil & kontak",
        "files": [{
            "name": "site", "label": "Profil & kontak",
            "file": f"sites/{agency.slug}/{agency_config.SITE_FILE}", "format": "yaml",
            "fields": fields_for(agency_config.SITE_SCHEMA),
        }],
    }


def agency_collections(agency: Agency, page_folders: Iterable[str], *, prefix: str = "",
                       label_prefix: str = "") -> list[dict[str, Any]]:
    """Every collection of one agency: its profile, its sections, its plain-page folders."""
    folder = f"sites/{agency.slug}/content"
    media = {"media_folder": f"/sites/{agency.slug}/static/{UPLOAD_FOLDER}",
             "public_folder": f"/{UPLOAD_FOLDER}"}
    collections = [profile_collection(agency, prefix, label_prefix)]
    collections += [section_collection(spec, folder, prefix, label_prefix)
                    for spec in SECTIONS.values()]
    collections += [page_collection(folder, sub, prefix, label_prefix)
                    for sub in sorted(set(page_folders))]
    return [{**c, **media} for c in collections]


def backend_config(settings: EditorSettings) -> dict[str, Any]:
    backend: dict[str, Any] = {"name": settings.backend, "repo": settings.repo,
                               "branch": settings.branch,
                               "squash_merges": True}
    if settings.base_url:
        backend["base_url"] = settings.base_url
    if settings.api_root:
        backend["api_root"] = settings.api_root
    if settings.app_id:
        backend["app_id"] = settings.app_id
        backend["auth_type"] = "pkce"
    backend["commit_messages"] = {
        "create": "Tambah {{collection}} \u201c{{slug}}\u201d (editor)",
        "update": "Ubah {{collection}} \u201c{{slug}}\u201d (editor)",
        "delete": "Hapus {{collection}} \u201c{{slug}}\u201d (editor)",
        "uploadMedia": "Unggah {{path}} (editor)", "deleteMedia": "Hapus {{path}} (editor)",
    }
    return backend


def decap_config(settings: EditorSettings, collections: list[dict[str, Any]], *,
                 media_site: str, site_url: str, local_api: str | None) -> dict[str, Any]:
    """The whole config.yml (as data) for one editor."""
    config: dict[str, Any] = {
        "backend": backend_config(settings),
        "locale": "id",
        "site_url": site_url, "display_url": site_url,
        "media_folder": f"sites/{media_site}/static/{UPLOAD_FOLDER}" if media_site else
                        f"static/{UPLOAD_FOLDER}",
        "public_folder": f"/{UPLOAD_FOLDER}",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": collections,
    }
    if settings.review:
        config["publish_mode"] = "editorial_workflow"
    if local_api:
        config["local_backend"] = {"url": local_api, "allowed_hosts": ["127.0.0.1", "localhost"]}
    return config
