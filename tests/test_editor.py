"""The browser editor: Decap CMS configured from skpdgen's schema, scoped to one agency, vendored
from the pinned npm tarball, and usable against the local checkout through `skpdgen serve`.

The vendored tarball comes from .cache/skpdgen/vendor/ (scripts/test.sh fetches it once with
`npm pack`); tests never reach the network.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, make_region, require_browser, run_cli
from PIL import Image
from test_serve import SERVE_FILES, Served, serve_factory  # noqa: F401 - fixture

from skpdgen.config import agency as agency_config
from skpdgen.config import region as region_config
from skpdgen.config.schema import Field, Nested
from skpdgen.content.sections import COMMON_FIELDS, SECTIONS, schema_for
from skpdgen.editor.config import FILE_FIELDS, HIDDEN_FIELDS, LABELS, fields_for, widget_for
from skpdgen.editor.vendor import DECAP_VERSION, tarball_name

TARBALL = REPO / ".cache" / "skpdgen" / "vendor" / tarball_name()
EDITOR_YAML = """\
editor:
  backend: gitlab
  repo: pemkab-uji/situs
  base_url: https://gitlab.ujikab.go.id
  app_id: 0123456789abcdef
"""


@pytest.fixture(autouse=True)
def vendored(monkeypatch: pytest.MonkeyPatch) -> None:
    if not TARBALL.is_file():
        reason = f"{TARBALL} is missing (scripts/test.sh fetches decap-cms {DECAP_VERSION})"
        if require_browser():
            pytest.fail(reason)
        pytest.skip(reason)
    monkeypatch.setenv("SKPDGEN_DECAP_TARBALL", str(TARBALL))


def editor_region(root: Path) -> Path:
    files = dict(SERVE_FILES)
    files["skpdgen.yaml"] = str(files["skpdgen.yaml"]) + EDITOR_YAML
    files["sites/dinkes/content/profil/struktur.md"] = "---\ntitle: Struktur\n---\nIsi.\n"
    return make_region(root, files)


# --- the configuration is the schema ------------------------------------------------------

def _all_schemas() -> dict[str, dict[str, Field]]:
    found = {f"section {name}": schema_for(spec) for name, spec in SECTIONS.items()}
    found["site.yaml"] = dict(agency_config.SITE_SCHEMA)
    stack = list(found.items())
    while stack:
        where, schema = stack.pop()
        for name, field in schema.items():
            if isinstance(field.type, Nested):
                found[f"{where}.{name}"] = dict(field.type.schema)
                stack.append((f"{where}.{name}", dict(field.type.schema)))
    return found


def test_every_schema_field_has_a_widget_and_every_widget_a_field() -> None:
    for where, schema in _all_schemas().items():
        generated = fields_for(schema)
        names = [f["name"] for f in generated]
        assert names == [n for n in schema if n not in HIDDEN_FIELDS], where
        for entry in generated:
            field = schema[entry["name"]]
            assert entry["widget"] == widget_for(entry["name"], field)["widget"]
            assert entry["required"] == field.required, (where, entry["name"])
            assert entry["label"] == LABELS[entry["name"]], f"no Indonesian label: {entry['name']}"
    assert set(FILE_FIELDS) <= set(COMMON_FIELDS) | {"photo", "logo", "file"}
    assert "editor" in region_config.REGION_SCHEMA


def test_widgets_follow_the_field_types() -> None:
    berita = {f["name"]: f for f in fields_for(schema_for(SECTIONS["berita"]))}
    assert berita["title"]["widget"] == "string" and berita["title"]["required"]
    assert berita["date"]["widget"] == "datetime" and berita["date"]["required"]
    assert berita["image"]["widget"] == "image" and berita["tags"]["widget"] == "list"
    assert berita["draft"]["widget"] == "boolean" and "aliases" not in berita
    dokumen = {f["name"]: f for f in fields_for(schema_for(SECTIONS["dokumen"]))}
    assert dokumen["category"] == {**dokumen["category"], "widget": "select",
                                   "options": ["berkala", "serta-merta", "setiap-saat"]}
    assert dokumen["file"]["widget"] == "file" and dokumen["year"]["widget"] == "number"
    inovasi = {f["name"]: f for f in fields_for(schema_for(SECTIONS["inovasi"]))}
    assert inovasi["stage"]["options"] == ["inisiatif", "uji-coba", "penerapan"]
    assert inovasi["digital"]["widget"] == "boolean"


# --- the build -------------------------------------------------------------------------------

def test_build_writes_a_scoped_editor_per_agency_and_one_for_the_region(tmp_path: Path) -> None:
    root = editor_region(tmp_path)
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    build = root / "build"
    config = json.loads(_json_part((build / "dinkes/admin/config.yml").read_text("utf-8")))
    folders = {c.get("folder") or c["files"][0]["file"] for c in config["collections"]}
    assert folders and all(f.startswith("sites/dinkes/") for f in folders), folders
    assert {"sites/dinkes/content/berita", "sites/dinkes/content/profil",
            "sites/dinkes/site.yaml"} <= folders
    assert config["backend"] == {**config["backend"], "name": "gitlab", "repo": "pemkab-uji/situs",
                                 "auth_type": "pkce", "app_id": "0123456789abcdef"}
    assert config["locale"] == "id" and config["publish_mode"] == "editorial_workflow"
    berita = next(c for c in config["collections"] if c["name"] == "berita")
    assert berita["slug"] == "{{year}}-{{month}}-{{day}}-{{slug}}"
    assert berita["media_folder"] == "/sites/dinkes/static/img/unggahan"
    region = json.loads(_json_part((build / "admin/config.yml").read_text("utf-8")))
    assert {c["name"] for c in region["collections"]} >= {"dinkes-berita", "disdik-berita"}
    # the script: one vendored copy per origin, with integrity; never another origin
    page = (build / "dinkes/admin/index.html").read_text("utf-8")
    script = re.search(r'<script src="([^"]*decap-cms\.[0-9a-f]{8}\.js)" integrity="sha384-', page)
    assert script and script.group(1).startswith("../../admin/")       # the portal's copy
    assert (build / "dinkes/admin" / script.group(1)).resolve().is_file()
    own = (build / "disdik/admin/index.html").read_text("utf-8")       # own domain: own copy
    own_script = re.search(r'<script src="(decap-cms\.[0-9a-f]{8}\.js)"', own)
    assert own_script and (build / "disdik/admin" / own_script.group(1)).is_file()
    assert 'name="robots" content="noindex, nofollow"' in page
    assert "http-equiv=\"Content-Security-Policy\"" in page and "https://gitlab.ujikab.go.id" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    # not in the sitemap, and the public pages keep their policy (no unsafe-eval there)
    assert "admin" not in (build / "dinkes/sitemap.xml").read_text("utf-8")
    assert "unsafe-eval" not in (build / "dinkes/index.html").read_text("utf-8")


def _json_part(text: str) -> str:
    return text.split("\n", 1)[1]


def test_without_the_package_the_editor_is_skipped_with_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKPDGEN_DECAP_TARBALL", str(tmp_path / "tidak-ada.tgz"))
    root = editor_region(tmp_path / "r")
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "skpdgen.yaml: warning: editor: not built: SKPDGEN_DECAP_TARBALL" in result.stderr
    assert not (root / "build/dinkes/admin").exists()


def test_a_tampered_package_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / tarball_name()
    fake.write_bytes(TARBALL.read_bytes()[:-10] + b"0123456789")
    monkeypatch.setenv("SKPDGEN_DECAP_TARBALL", str(fake))
    root = editor_region(tmp_path / "r")
    result = run_cli("build", cwd=root)
    assert "integrity mismatch" in result.stderr
    assert not (root / "build/admin").exists()


# --- the local backend -----------------------------------------------------------------------

def _post(served: Served, body: dict[str, Any], token: str | None,
          origin: str | None = "self", content_type: str = "application/json") -> tuple[int, Any]:
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    path = "/_skpdgen/editor/api/v1" + (f"?token={token}" if token else "")
    headers = {"Content-Type": content_type, "Host": f"127.0.0.1:{served.port}"}
    if origin:
        headers["Origin"] = served.origin if origin == "self" else origin
    conn.request("POST", path, json.dumps(body), headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, json.loads(data or b"null")


def _token(served: Served) -> str:
    config = served.get("/dinkes/admin/config.yml").body
    match = re.search(r"/_skpdgen/editor/api/v1\?token=([\w-]+)", config)
    assert match, config[:500]
    assert f"{served.origin}/_skpdgen/editor/api/v1" in config
    return match.group(1)


def test_local_backend_reads_and_writes_only_agency_files(
        tmp_path: Path, serve_factory: Callable[..., Served]) -> None:  # noqa: F811
    served = serve_factory(editor_region(tmp_path / "region"), "--site", "dinkes")
    token = _token(served)
    status, info = _post(served, {"action": "info", "params": {}}, token)
    assert status == 200 and info["type"] == "local_fs"
    status, entries = _post(served, {"action": "entriesByFolder", "params": {
        "folder": "sites/dinkes/content/berita", "extension": "md", "depth": 1}}, token)
    assert status == 200 and {e["file"]["path"] for e in entries} >= {
        "sites/dinkes/content/berita/2024-05-01-vaksinasi.md"}
    new = {"action": "persistEntry", "params": {"dataFiles": [{
        "path": "sites/dinkes/content/berita/2024-05-09-baru.md",
        "raw": "---\ntitle: Baru\ndate: 2024-05-09\n---\nIsi.\n"}], "assets": []}}
    assert _post(served, new, token)[0] == 200
    assert (served.root / "sites/dinkes/content/berita/2024-05-09-baru.md").is_file()
    # refused: without the token, from another origin, as a form, outside the agency, odd files
    assert _post(served, new, None)[0] == 403
    assert _post(served, new, token, origin="http://evil.example")[0] == 403
    assert _post(served, new, token, origin=None)[0] == 403
    assert _post(served, new, token, content_type="text/plain")[0] == 415
    for path in ("sites/disdik/content/berita/x.md", "skpdgen.yaml", "sites/dinkes/../x.md",
                 "/etc/passwd", "sites/dinkes/static/x.html", "sites/dinkes/.git/config"):
        bad = {"action": "persistEntry", "params": {"dataFiles": [{"path": path, "raw": "x"}]}}
        status, answer = _post(served, bad, token)
        assert status in (400, 403), (path, status, answer)
    assert not (served.root / "sites/disdik/content/berita/x.md").exists()
    status, answer = _post(served, {"action": "getEntry", "params": {"path": "skpdgen.yaml"}}, token)
    assert status == 403 and "Pemerintah" not in json.dumps(answer)


# --- in the browser --------------------------------------------------------------------------

def test_staff_write_a_news_item_in_the_browser(tmp_path: Path, browser: Any,
                                                serve_factory: Callable[..., Served]  # noqa: F811
                                                ) -> None:
    root = editor_region(tmp_path / "region")
    served = serve_factory(root)
    photo = tmp_path / "Foto Posyandu.jpg"
    Image.new("RGB", (800, 600), (30, 120, 60)).save(photo, quality=80)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text else None)
    page.on("dialog", lambda dialog: dialog.accept())   # Decap's "leave this page?" prompts
    page.goto(served.origin + "/dinkes/admin/")
    page.get_by_role("button", name="Masuk").click()
    page.goto(served.origin + "/dinkes/admin/#/collections/berita/new")
    # an empty title is refused, in Indonesian
    page.get_by_role("button", name="Terbitkan").click()
    page.get_by_text("Terbitkan sekarang").click()
    page.get_by_text("Judul wajib diisi.").wait_for()
    page.get_by_label("Judul").fill("Posyandu Balita Sehat")
    page.locator("input[type=datetime-local]").first.fill("2024-05-20T09:00")
    page.get_by_text("Pilih gambar").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Unggah", exact=True).click()
    chooser.value.set_files(str(photo))
    page.get_by_text("Pakai yang dipilih").click()
    page.locator("[data-slate-editor=true]").click()
    page.keyboard.type("Kader posyandu menimbang balita di balai desa.")
    # a photo without alt text is refused, in Indonesian
    page.get_by_role("button", name="Terbitkan").click()
    page.get_by_text("Terbitkan sekarang").click()
    page.get_by_text(re.compile("wajib punya teks alternatif")).wait_for()
    written = root / "sites/dinkes/content/berita/2024-05-20-posyandu-balita-sehat.md"
    assert not written.exists()
    page.get_by_label("Teks alternatif gambar").fill("Kader menimbang seorang balita")
    page.get_by_role("button", name="Terbitkan").click()
    page.get_by_text("Terbitkan sekarang").click()
    served.wait_until(written.is_file, 15, "the news item file")
    text = written.read_text("utf-8")
    assert "title: Posyandu Balita Sehat" in text and "image_alt: Kader menimbang" in text
    uploaded = re.search(r"image: /img/unggahan/(\S+)", text)
    assert uploaded and (root / "sites/dinkes/static/img/unggahan" / uploaded.group(1)).is_file()
    served.wait_for_text("/dinkes/berita/posyandu-balita-sehat/", "Kader posyandu menimbang",
                         timeout=30)
    assert not problems, problems
    # the editor's page has no reload script: the rebuild after saving never reloads the form
    assert page.evaluate("() => document.querySelector('script[src*=\"_skpdgen\"]') === null")
    page.close()
    context.close()
    check = run_cli("check", cwd=root, env={"SKPDGEN_DECAP_TARBALL": str(TARBALL)})
    assert check.returncode == 0, check.stderr
    assert os.environ.get("SKPDGEN_DECAP_TARBALL") == str(TARBALL)
