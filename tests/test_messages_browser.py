"""Warnings reach the browser: the preview banner lists them (collapsed, with a count) in the
region's language, beside errors or on their own, and goes away when they are fixed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import make_region
from PIL import Image
from test_serve import SERVE_FILES, Served, serve_factory  # noqa: F401 - fixture
from test_serve_browser import mark_tab, open_page, page  # noqa: F401 - fixture

from skpdgen.diagnostics import Diagnostic
from skpdgen.serve import inject

ITEM = "sites/dinkes/content/berita/2024-05-01-vaksinasi.md"


def _png() -> bytes:
    """A real PNG: the image pipeline decodes every image (a broken one is an error)."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 40)).save(buffer, "PNG")
    return buffer.getvalue()


PHOTO = _png()


@pytest.fixture
def served(tmp_path: Path, serve_factory: Callable[..., Served]) -> Served:  # noqa: F811
    root = make_region(tmp_path / "region", {**SERVE_FILES,
                                             "sites/dinkes/content/berita/foto.png": PHOTO})
    return serve_factory(root)


def test_a_missing_alt_text_shows_in_the_browser(served: Served, page: Any) -> None:  # noqa: F811
    open_page(page, served, "/dinkes/berita/vaksinasi/")
    assert page.locator(".skpdgen-warnings").count() == 0
    item = served.root / ITEM
    good = item.read_text(encoding="utf-8")
    # line 7 of the file: front matter (4 lines), a blank line, the text, the photo
    item.write_text("---\ntitle: Vaksinasi\ndate: 2024-05-01\n---\n\n"
                    "Vaksinasi digelar di balai desa.\n![](foto.png)\n", encoding="utf-8")
    banner = page.locator(".skpdgen-warnings")
    banner.wait_for(state="attached")
    summary = banner.locator("summary")
    assert summary.inner_text().startswith("1 peringatan di situs ini")
    listed = banner.locator("li")
    assert not listed.first.is_visible()          # collapsed until opened
    summary.click()
    text = listed.first.inner_text()
    assert "gambar tanpa teks alternatif (alt) di baris 7" in text
    assert f"{ITEM}:7" in text
    assert "Cara memperbaiki: tulis keterangannya di antara kurung siku" in text
    assert page.get_by_role("alert").count() == 0  # a warning is no alarm: the site published
    assert "Vaksinasi digelar di balai desa." in page.inner_text("main")
    mark_tab(page)
    item.write_text(good, encoding="utf-8")
    banner.wait_for(state="detached")


def test_warnings_sit_under_the_errors_collapsed() -> None:
    error = Diagnostic("sites/a/content/b.md", 2, "error", "unknown key 'judul'",
                       "did you mean 'title'?")
    warning = Diagnostic("sites/a/content/b.md", 7, "warning",
                         "image has no description (alt text)")
    html = inject.banner((error, warning), "id").decode()
    assert html.startswith('<section class="skpdgen-error" role="alert"')
    assert "kunci &#x27;judul&#x27; tidak dikenal di baris 2" in html
    assert "Cara memperbaiki: mungkin maksudnya &#x27;title&#x27;?" in html
    collapsed = html[html.index("<details"):html.index("</details>")]
    assert "<summary>1 peringatan</summary>" in collapsed
    assert "gambar tanpa teks alternatif (alt) di baris 7" in collapsed
    english = inject.banner((warning,), "en").decode()
    assert "1 warnings on this site" in english or "1 warning" in english
    assert "image has no description (alt text) on line 7" in english
