"""Messages in Indonesian: the catalogue covers every message in the source, every entry has
both forms, and the command line speaks the region's language unless --lang or SKPDGEN_LANG
says otherwise (diagnostics, summary lines, --help, JSON and GitHub annotations)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import REPO, make_region, run_cli

from skpdgen.diagnostics import Diagnostic
from skpdgen.messages import translate
from skpdgen.messages.catalogue import catalogue, compile_template, placeholders
from skpdgen.messages.scan import scan_tree, shape

CATALOGUE = REPO / "skpdgen" / "messages" / "id.yaml"
# entries whose Indonesian form is rightly the same as the English one (only placeholders and
# machine words: 'error' stays 'error' in the PATH:LINE: error: shape)
SAME_IN_BOTH = {"{message} ({hint})", "'{prefix}{key}' {message}", "{what} '{url}' {problem}",
                "skpdgen: error: {exc}", "skpdgen serve: error: {exc}", "{stamp} error: {crash}",
                "{prog}: error: {message}", "deploy {name}: error: {exc}", "warning: {message}",
                "deploy {name}: error: {value}{where}", "{len} {verb} {FAIL_ON}: {failing}",
                "{where}: error: {message}",
                "skpdgen: {level}: --install: {message} ({hint})", "{problem}: '{raw}'",
                "'{raw}': {problem}"}


def _table() -> dict[str, str]:
    table = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    assert isinstance(table, dict)
    return table


def test_every_message_in_the_source_has_an_indonesian_form() -> None:
    known = {shape(english) for english in _table()}
    missing: dict[str, str] = {}
    for found in scan_tree(REPO / "skpdgen"):
        if shape(found.template) not in known:
            missing.setdefault(found.template, f"{found.path}:{found.line}")
    lines = [f"{json.dumps(t, ensure_ascii=False)}: \"\"   # {where}"
             for t, where in missing.items()]
    assert not missing, ("messages without an entry in skpdgen/messages/id.yaml; paste these "
                         "lines there and write the Indonesian:\n" + "\n".join(lines))


def test_the_scan_sees_fstrings_hints_and_concatenations(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(
        "def f(diags, key, n):\n"
        "    diags.error('a.md', 3, f\"unknown key '{key}'\", 'check the key')\n"
        "    diags.warning('a.md', 3, 'only ' + f'{n} left' + (' today' if n else ''))\n"
        "    raise FieldError(f'must be at least {n.minimum}', hint='use a number')\n"
        "    diags.error('a.md', 3, key)\n", encoding="utf-8")
    found = sorted(f.template for f in scan_tree(tmp_path / "pkg"))
    assert found == ["check the key", "must be at least {minimum}", "only {n} left",
                     "only {n} left today", "unknown key '{key}'", "use a number"]


def test_every_entry_has_both_forms_with_the_same_placeholders() -> None:
    table = _table()
    assert len(table) > 250
    for english, indonesian in table.items():
        assert isinstance(indonesian, str) and indonesian.strip(), english
        assert placeholders(english) == placeholders(indonesian), english
        compile_template(english)
        if english not in SAME_IN_BOTH and placeholders(english):
            assert indonesian != english, f"not translated: {english!r}"
    assert catalogue("id") is not None


@pytest.mark.parametrize(("english", "indonesian"), [
    ("unknown key 'judul'", "kunci 'judul' tidak dikenal"),
    # a nested fragment is translated too; the key name stays as written
    ("'date' must be a date YYYY-MM-DD, got '12/05/2024'",
     "'date' harus tanggal YYYY-MM-DD, tertulis '12/05/2024'"),
    ("image 'foto.jpg' not found (sites/a/static/foto.jpg)",
     "gambar 'foto.jpg' tidak ditemukan (sites/a/static/foto.jpg)"),
    ("invalid YAML: found unexpected end of stream",
     "YAML tidak sah: berkas berakhir sebelum tanda kutip atau kurung ditutup"),
    ("page has no meta description (on 3 pages)", "halaman tidak punya deskripsi meta "
                                                  "(di 3 halaman)"),
    ("a message nobody wrote down", "a message nobody wrote down"),
    # a placeholder value with a space, and parentheses in a message and in its hint
    ("image 'sites/a/static/WhatsApp Image 2024-05-02.jpeg' is an empty file (0 bytes)",
     "gambar 'sites/a/static/WhatsApp Image 2024-05-02.jpeg' adalah berkas kosong (0 byte)"),
    ("1 agency is kurang aktif or mati: kurang",
     "1 perangkat daerah berstatus kurang aktif atau mati: kurang"),
    # a hint returned beside the names (show_names), which the scan cannot see
    ("the names look the same but are encoded differently (Unicode NFC and NFD): delete one "
     "of the files, or type its name again", "nama-namanya tampak sama tetapi dikodekan "
     "berbeda (Unicode NFC dan NFD): hapus salah satu berkas, atau ketik ulang namanya"),
])
def test_translate(english: str, indonesian: str) -> None:
    assert translate(english, "id") == indonesian
    assert translate(english, "en") == english


def test_the_catalogue_has_no_key_twice() -> None:
    node = yaml.compose(CATALOGUE.read_text(encoding="utf-8"))
    keys = [key.value for key, _ in node.value]
    assert len(keys) == len(set(keys)), {k for k in keys if keys.count(k) > 1}


def test_a_one_word_value_is_not_translated_where_it_is_a_key() -> None:
    assert translate("'image' needs 'image_alt'", "id") == "'image' perlu 'image_alt'"
    assert translate("'image' must be a single line", "id") == "'image' harus satu baris saja"


def test_diagnostic_json_keeps_the_english_beside_the_translation() -> None:
    d = Diagnostic("a.md", 7, "warning", "image has no description (alt text)",
                   "write it between the brackets: ![description](photo.jpg)")
    data = d.to_json("id")
    assert data["message"] == "gambar tanpa teks alternatif (alt)"
    assert data["message_en"] == "image has no description (alt text)"
    assert data["hint_en"] == d.hint
    assert d.to_json() == {"path": "a.md", "line": 7, "severity": "warning",
                           "message": d.message, "hint": d.hint, "code": None}
    assert d.format_github("id").startswith("::warning file=a.md,line=7::gambar tanpa teks")


BAD_KEY = {
    "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
    "sites/dinkes/content/berita/2026-11-20-rapat.md":
        "---\njudul: Rapat Koordinasi\ntitle: Rapat Koordinasi\n---\nIsi.\n",
}


def _region(tmp_path: Path, language: str | None = None) -> Path:
    region = "name: Pemerintah Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
    if language:
        region += f"language: {language}\n"
    return make_region(tmp_path, {"skpdgen.yaml": region, **BAD_KEY})


NO_LANG = {"SKPDGEN_LANG": ""}      # the suite sets SKPDGEN_LANG=en; here the region decides


def test_build_speaks_indonesian_by_default(tmp_path: Path) -> None:
    root = _region(tmp_path)
    proc = run_cli("build", "--today", "2026-11-29", cwd=root, env=NO_LANG)
    assert proc.returncode == 1
    assert ("sites/dinkes/content/berita/2026-11-20-rapat.md:2: error: kunci 'judul' tidak "
            "dikenal (") in proc.stderr
    # the broken item is left out; the rest of the agency is published (item isolation)
    assert "berhasil membangun 1 dari 1 situs" in proc.stderr
    assert "1 butir tidak terbit: sites/dinkes/content/berita/2026-11-20-rapat.md:2" in proc.stderr
    assert "Traceback" not in proc.stderr and "unknown key" not in proc.stderr


def test_word_quotes_and_unpublishable_files_are_explained_in_indonesian(tmp_path: Path
                                                                        ) -> None:
    # messages a function returns as a (line, message, hint) tuple: the scan sees them too
    root = make_region(tmp_path, {
        "skpdgen.yaml": 'name: "Kabupaten "Uji""\nbase_url: https://ujikab.go.id/\n',
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n"})
    proc = run_cli("build", "--today", "2026-11-29", cwd=root, env=NO_LANG)
    assert proc.returncode == 2
    assert ("skpdgen.yaml:1: error: tanda kutip di dalam tanda kutip: teksnya berakhir di tanda "
            "kutip \" yang kedua (tulis name: 'Kabupaten \"Uji\"')") in proc.stderr, proc.stderr
    (root / "skpdgen.yaml").write_text(                     # closed with Word's quote
        'name: "Kabupaten Uji\u201d\nbase_url: https://ujikab.go.id/\n', encoding="utf-8")
    proc = run_cli("build", "--today", "2026-11-29", cwd=root, env=NO_LANG)
    assert ("skpdgen.yaml:1: error: tanda kutip Word \u201d di baris 1: teks yang dibuka dengan \" "
            "tidak pernah ditutup (ganti \u201c \u201d dengan \")") in proc.stderr, proc.stderr
    (root / "skpdgen.yaml").write_text(
        "name: Kabupaten Uji\nbase_url: https://ujikab.go.id/\n", encoding="utf-8")
    (root / "sites/dinkes/static").mkdir(parents=True)
    (root / "sites/dinkes/static/lama.html").write_text("<p>x</p>", encoding="utf-8")
    (root / "sites/dinkes/static/setup.exe").write_bytes(b"MZ")
    proc = run_cli("build", "--today", "2026-11-29", cwd=root, env=NO_LANG)
    assert ("berkas '.html' tidak diterbitkan dari folder perangkat daerah: halaman web dapat "
            "berjalan atas nama semua perangkat daerah di domain portal") in proc.stderr, proc.stderr
    assert "berkas '.exe' tidak diterbitkan (tidak ada dalam daftar" in proc.stderr
    assert "are not published" not in proc.stderr


def test_init_explains_an_install_source_in_indonesian(tmp_path: Path) -> None:
    # InstallProblem(severity, message, hint): printed as one line, translated in parts
    proc = run_cli("init", str(tmp_path / "kab"), "--install", "skpdgen==0.1.0",
                   cwd=tmp_path, env=NO_LANG)
    assert proc.returncode == 2
    assert ("skpdgen: error: --install: 'pip install skpdgen==0.1.0' meminta skpdgen dari indeks "
            "paket, padahal skpdgen tidak diterbitkan di sana dan siapa pun bisa mendaftarkan "
            "nama itu (pakai wheel yang di-commit di repositori") in proc.stderr, proc.stderr
    proc = run_cli("init", str(tmp_path / "kab2"), "--install",
                   "git+https://git.example.go.id/d/skpdgen@main", cwd=tmp_path, env=NO_LANG)
    assert proc.returncode == 0, proc.stderr
    assert ("--install: sumber instalasi 'git+https://git.example.go.id/d/skpdgen@main' "
            "mengikuti cabang 'main', yang isinya terus berubah (kunci ke sebuah tag atau "
            "commit, misalnya …/skpdgen@v0.2.0)") in proc.stderr, proc.stderr


def test_the_scan_sees_messages_returned_as_a_tuple(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(
        "def _quote_problem(n, key):\n"
        "    return (n, f'quotes around {key}', 'write it once')\n", encoding="utf-8")
    found = sorted(f.template for f in scan_tree(tmp_path / "pkg"))
    assert found == ["quotes around {key}", "write it once"]


@pytest.mark.parametrize("how", ["flag-before", "flag-after", "env", "region"])
def test_english_on_request(tmp_path: Path, how: str) -> None:
    root = _region(tmp_path, "en" if how == "region" else None)
    args = ["build", "--today", "2026-11-29"]
    env = dict(NO_LANG)
    if how == "flag-before":
        args = ["--lang", "en", *args]
    elif how == "flag-after":
        args = [*args, "--lang=en"]
    elif how == "env":
        env = {"SKPDGEN_LANG": "en"}
    proc = run_cli(*args, cwd=root, env=env)
    assert proc.returncode == 1
    assert "2026-11-20-rapat.md:2: error: unknown key 'judul'" in proc.stderr
    assert "built 1 of 1 sites" in proc.stderr
    assert "1 item(s) not published" in proc.stderr


def test_flag_beats_environment_and_region(tmp_path: Path) -> None:
    root = _region(tmp_path, "en")
    proc = run_cli("check", "--lang", "id", "--today", "2026-11-29", cwd=root,
                   env={"SKPDGEN_LANG": "en"})
    assert "error: kunci 'judul' tidak dikenal" in proc.stderr
    assert "memeriksa 0 situs" in proc.stderr or "memeriksa 1 situs" in proc.stderr


def test_github_annotation_and_json_in_indonesian(tmp_path: Path) -> None:
    root = _region(tmp_path)
    proc = run_cli("build", "--today", "2026-11-29", cwd=root,
                   env={**NO_LANG, "GITHUB_ACTIONS": "true"})
    assert ("::error file=sites/dinkes/content/berita/2026-11-20-rapat.md,line=2::kunci "
            "'judul' tidak dikenal") in proc.stderr
    proc = run_cli("check", "--format", "json", "--today", "2026-11-29", cwd=root, env=NO_LANG)
    document = json.loads(proc.stdout)
    found = [d for d in document["diagnostics"] if d["line"] == 2]
    assert found[0]["message"] == "kunci 'judul' tidak dikenal"
    assert found[0]["message_en"] == "unknown key 'judul'"


def test_help_in_both_languages(tmp_path: Path) -> None:
    root = _region(tmp_path)
    indonesian = run_cli("build", "--help", cwd=root, env=NO_LANG)
    assert indonesian.returncode == 0
    assert indonesian.stdout.startswith("cara pakai: skpdgen build")
    assert "ikutkan isi bertanggal di masa depan" in indonesian.stdout
    assert "tampilkan bantuan ini lalu keluar" in indonesian.stdout
    top = run_cli("--help", cwd=root, env=NO_LANG)
    assert "bangun situs semua perangkat daerah dan portal ke build/" in top.stdout
    assert "periksa isi dan hasil bangunan" in top.stdout
    english = run_cli("build", "--help", "--lang", "en", cwd=root, env=NO_LANG)
    assert "include items dated in the future" in english.stdout
    wrong = run_cli("buil", cwd=root, env=NO_LANG)
    assert wrong.returncode == 2
    assert "skpdgen: error: argumen COMMAND: pilihan tidak sah: 'buil'" in wrong.stderr


def test_an_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    root = _region(tmp_path)
    proc = run_cli("build", cwd=root, env={"SKPDGEN_LANG": "jv"})
    assert proc.returncode == 2
    assert "SKPDGEN_LANG must be one of id, en, got 'jv'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_new_reports_in_indonesian(tmp_path: Path) -> None:
    root = _region(tmp_path)
    proc = run_cli("new", "berita", "dinkes", "Donor Darah", "--today", "2026-11-29",
                   cwd=root, env=NO_LANG)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("dibuat: ")
