"""The pure parts of the image pipeline: the rendition plan, probing, markup, share cards."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fixtures.images import jpeg_bytes, png_bytes
from PIL import Image

from skpdgen.media import plan_for, published_path
from skpdgen.media.facts import ImageProblem, probe
from skpdgen.media.markup import picture_data, picture_html
from skpdgen.media.og import Card, photo_og, render_card
from skpdgen.media.settings import AVIF, MAX_EDGE, WIDTHS


def test_plan_widths_never_upscale_and_bound_the_long_edge() -> None:
    big = plan_for("img/a.jpg", 4000, 3000, og=True)
    fallback = [r.width for r in big.candidates("jpg")]
    assert fallback == list(WIDTHS)
    assert big.formats == (("avif", "webp", "jpg") if AVIF else ("webp", "jpg"))
    assert (big.full.dest_path, big.full.width, big.full.height) == ("img/a.jpg", MAX_EDGE, 1500)
    assert [r.dest_path for r in big.renditions if r.role == "og"] == ["img/a.og.jpg"]
    small = plan_for("img/b.jpg", 500, 400)
    assert [r.width for r in small.candidates("jpg")] == [240, 480, 500]
    assert small.full.width == 500
    portrait = plan_for("img/c.jpg", 3000, 4000)
    assert portrait.full.height == MAX_EDGE and portrait.full.width == 1500


def test_plan_formats_per_kind_and_heic_link() -> None:
    assert plan_for("x/s.png", 900, 500).formats == ("webp", "png")
    gif = plan_for("x/g.gif", 1500, 1000)
    assert gif.formats == ("webp", "gif") and [r.width for r in gif.candidates("gif")] == [720]
    heic = plan_for("x/p.heic", 4032, 3024)
    assert heic.full.dest_path == "x/p.jpg" and heic.full.fmt == "jpg"
    assert published_path("x/p.heic") == "x/p.jpg"
    assert published_path("x/p.jpg") == "x/p.jpg" and published_path("x/d.pdf") == "x/d.pdf"


def test_probe_reads_upright_size_and_gps(tmp_path: Path) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(jpeg_bytes(400, 300, orientation=6))
    facts = probe(path)
    assert (facts.width, facts.height, facts.has_gps) == (300, 400, True)
    (tmp_path / "b.jpg").write_bytes(jpeg_bytes(400, 300, gps=False))
    assert probe(tmp_path / "b.jpg").has_gps is False


@pytest.mark.parametrize(("data", "says"), [
    (b"", "empty file"),
    (b"GIF89a garbage", "not a readable image"),
    (jpeg_bytes(400, 300)[:-200], "truncated"),
    (png_bytes(100, 100)[:-20], "truncated"),
], ids=["empty", "garbage", "jpeg-cut", "png-cut"])
def test_probe_names_the_problem(tmp_path: Path, data: bytes, says: str) -> None:
    path = tmp_path / "x.img"
    path.write_bytes(data)
    with pytest.raises(ImageProblem, match=says):
        probe(path)


def test_an_image_is_opened_once_per_version_of_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from skpdgen.media import facts as facts_module
    opened: list[Path] = []
    real_open = facts_module.open_image

    def counting_open(path: Path) -> Image.Image:
        opened.append(path)
        return real_open(path)

    monkeypatch.setattr(facts_module, "open_image", counting_open)
    path = tmp_path / "foto.jpg"
    path.write_bytes(jpeg_bytes(400, 300))
    assert [probe(path).width for _ in range(5)] == [400] * 5
    assert len(opened) == 1                              # every page asks; one open
    # replaced by another photo (even with the old mtime): opened again
    stat = path.stat()
    fresh = tmp_path / "baru.jpg"
    fresh.write_bytes(jpeg_bytes(640, 480))
    os.utime(fresh, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fresh.replace(path)
    assert probe(path).width == 640 and len(opened) == 2
    # a broken file's problem is remembered too, and forgotten when it is fixed
    path.write_bytes(jpeg_bytes(400, 300)[:-200])
    for _ in range(3):
        with pytest.raises(ImageProblem, match="truncated"):
            probe(path)
    assert len(opened) == 3
    path.write_bytes(jpeg_bytes(400, 300))
    assert probe(path).height == 300 and len(opened) == 4


def test_an_image_that_cannot_be_read_now_is_tried_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skpdgen.media import facts as facts_module
    path = tmp_path / "foto.jpg"
    path.write_bytes(jpeg_bytes(400, 300))
    calls: list[int] = []
    real_open = facts_module.open_image

    def flaky_open(where: Path) -> Image.Image:
        calls.append(1)
        if len(calls) == 1:
            raise PermissionError(13, "Permission denied")
        return real_open(where)

    monkeypatch.setattr(facts_module, "open_image", flaky_open)
    with pytest.raises(ImageProblem, match="not a readable image"):
        probe(path)
    assert probe(path).width == 400 and len(calls) == 2


def test_picture_markup_escapes_names_and_sets_sizes() -> None:
    data = picture_data({"path": "img/foto rapat.jpg", "width": 1200, "height": 900}, "body")
    assert data is not None
    assert data["src"] == "img/foto%20rapat.720.jpg" and (data["width"], data["height"]) == (720, 540)
    out = picture_html(data, "../../", 'Rapat "pagi"')
    assert 'srcset="../../img/foto%20rapat.240.webp 240w, ' in out
    assert 'alt="Rapat &quot;pagi&quot;"' in out and 'loading="lazy" decoding="async"' in out
    assert picture_data({"path": "img/logo.svg", "width": None, "height": None}) is None


def test_share_card_is_a_1200x630_jpeg_and_photo_og_skips_gif() -> None:
    card = Card("Dinas Kesehatan Kabupaten Uji", "Kabupaten Uji", "#1b7f4b", None)
    with Image.open(io.BytesIO(render_card(card))) as img:
        assert (img.format, img.size) == ("JPEG", (1200, 630))
    assert render_card(card) == render_card(card)           # deterministic: cacheable
    assert card.dest_path.startswith("assets/og.") and card.dest_path.endswith(".jpg")
    assert photo_og("img/a.gif", "x") is None
    og = photo_og("img/a.heic", "Foto")
    assert og is not None and og.path == "img/a.og.jpg"


def test_heic_support_is_loaded_only_for_a_heic_photo_even_misnamed(tmp_path: Path) -> None:
    """pillow-heif is imported when the first HEIC photo is opened (a build of an edit with
    none does not pay for it), and a HEIC photo saved as .jpg still opens."""
    import subprocess
    import sys

    from fixtures.images import heic_bytes
    (tmp_path / "kamera.jpg").write_bytes(heic_bytes(640, 480))
    (tmp_path / "biasa.jpg").write_bytes(jpeg_bytes(320, 240))
    script = (
        "import sys; from pathlib import Path; from skpdgen.media.facts import probe\n"
        f"root = Path({str(tmp_path)!r})\n"
        "assert probe(root / 'biasa.jpg').width == 320\n"
        "assert 'pillow_heif' not in sys.modules\n"
        "facts = probe(root / 'kamera.jpg')\n"
        "assert (facts.width, facts.height) == (640, 480), facts\n"
        "assert 'pillow_heif' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
