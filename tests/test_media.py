"""The image pipeline end to end: real regions with phone photos built by the CLI.

What a reader's phone receives: renditions without metadata (no EXIF, XMP, GPS, comments),
upright, in AVIF/WebP with a JPEG/PNG fallback, in <picture> markup with width and height,
og:image crops and cards of 1200×630; and what the staff member sees: one-line errors for
broken images, while the other agencies are built.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from conftest import make_region, override_theme_file, run_cli
from fixtures import html
from fixtures.images import gif_bytes, heic_bytes, jpeg_bytes, png_bytes
from PIL import Image

from skpdgen.media.settings import AVIF

TODAY = "2026-11-29"
RASTER = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic")
ORIGINAL_MARKERS = (b"Exif\x00", b"PhoneMaker", b"Phone Model X", b"secret comment",
                    b"http://ns.adobe.com/xap", b"2026:11:29 08:15:00")


def metadata_blocks(data: bytes) -> list[bytes]:
    """The parts of an image file that are not pixels: JPEG segments before the scan, WebP
    and PNG chunks other than image data, the AVIF boxes before the media data."""
    blocks = []
    if data[:2] == b"\xff\xd8":
        pos = 2
        while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] != 0xDA:
            length = int.from_bytes(data[pos + 2:pos + 4], "big")
            blocks.append(data[pos:pos + 2 + length])
            pos += 2 + length
    elif data[:4] == b"RIFF":
        pos = 12
        while pos + 8 <= len(data):
            kind, length = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
            if kind not in (b"VP8 ", b"VP8L", b"ANMF", b"ALPH"):
                blocks.append(data[pos:pos + 8 + length])
            pos += 8 + length + (length & 1)
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        pos = 8
        while pos + 8 <= len(data):
            length, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
            if kind not in (b"IDAT",):
                blocks.append(data[pos:pos + 12 + length])
            pos += 12 + length
    else:   # AVIF, GIF: everything before the media data
        end = data.find(b"mdat")
        blocks.append(data[:end if end > 0 else 800])
    return blocks


def news(title: str, image: str | None = None, body: str = "Isi berita.\n",
         day: str = "2026-11-20") -> str:
    front = f"---\ntitle: {title}\ndate: {day}\nsummary: Ringkasan {title}.\n"
    if image:
        front += f"image: {image}\nimage_alt: Foto {title}\n"
    return front + "---\n" + body


def photo_region(root: Path) -> Path:
    return make_region(root, {
        "skpdgen.yaml": "name: Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
                        "description: Uji.\n",
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Uji.\n"
                                  "logo: /img/logo.png\ncolor: '#1b7f4b'\n"
                                  "head:\n  name: dr. Uji\n  photo: /img/kepala.jpg\n",
        "sites/dinkes/static/img/logo.png": png_bytes(120, 120),
        "sites/dinkes/static/img/kepala.jpg": jpeg_bytes(600, 800),
        "sites/dinkes/static/img/hp.jpg": jpeg_bytes(2400, 1800),
        "sites/dinkes/static/img/putar.jpg": jpeg_bytes(1600, 1200, orientation=6),
        "sites/dinkes/static/img/iphone.heic": heic_bytes(1200, 900),
        "sites/dinkes/static/img/layar.png": png_bytes(900, 500),
        "sites/dinkes/static/img/gerak.gif": gif_bytes(300, 200),
        "sites/dinkes/content/berita/2026-11-20-hp.md": news(
            "Foto Ponsel", "/img/hp.jpg",
            "Isi.\n\n![Tangkapan layar aplikasi](/img/layar.png)\n\n"
            "![Animasi antrean](/img/gerak.gif)\n\n[Foto asli](/img/iphone.heic)\n"),
        "sites/dinkes/content/berita/2026-11-21-putar.md": news(
            "Foto Diputar", "/img/putar.jpg", day="2026-11-21"),
        "sites/dinkes/content/berita/2026-11-22-iphone.md": news(
            "Foto iPhone", "/img/iphone.heic", day="2026-11-22"),
        "sites/dinkes/content/berita/2026-11-23-tanpa.md": news("Tanpa Foto", day="2026-11-23"),
    })


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = photo_region(tmp_path_factory.mktemp("media"))
    result = run_cli("build", cwd=root, env={"SKPDGEN_TODAY": TODAY})
    assert result.returncode == 0, result.stderr
    return root, result.stderr


def published_images(build: Path) -> list[Path]:
    return [p for p in build.rglob("*") if p.is_file() and p.suffix.lower() in RASTER
            and ".skpdgen" not in p.parts]


def test_no_published_image_carries_metadata(built: tuple[Path, str]) -> None:
    root, _ = built
    images = published_images(root / "build")
    assert len(images) > 40
    originals = {hashlib.sha256(p.read_bytes()).digest()
                 for p in (root / "sites/dinkes/static/img").iterdir()}
    for path in images:
        data = path.read_bytes()
        if path.suffix != ".gif":   # a GIF re-encoded by Pillow may match its Pillow-made source
            assert hashlib.sha256(data).digest() not in originals, f"{path} published as it came"
        for marker in ORIGINAL_MARKERS:
            assert marker not in data, f"{path} contains {marker!r}"
        for block in metadata_blocks(data):
            for marker in (b"Exif", b"GPS", b"XMP", b"xmp", b"ICC_PROFILE", b"eXIf", b"iTXt",
                           b"tEXt", b"zTXt", b"iCCP", b"colrprof", b"colrrICC"):
                assert marker not in block, f"{path} has {marker!r} in {block[:12]!r}"
            assert block[:2] not in (b"\xff\xe1", b"\xff\xfe", b"\xff\xed"), path   # APP1, COM
        with Image.open(path) as img:
            assert not dict(img.getexif()), path
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(
                img.info), (path, img.info.keys())
    assert not (root / "build/dinkes/img/iphone.heic").exists()


def test_rotated_photo_comes_out_upright(built: tuple[Path, str]) -> None:
    root, _ = built
    # stored 1600×1200 with EXIF orientation 6: the photo is portrait, 1200×1600
    for name in ("putar.720.jpg", "putar.720.webp", "putar.jpg"):
        with Image.open(root / "build/dinkes/img" / name) as img:
            assert img.height > img.width, name
    with Image.open(root / "build/dinkes/img/putar.720.jpg") as img:
        # the bright block was top-left of the stored pixels; turned 90° clockwise by
        # orientation 6 it is top-right of the upright photo
        w, h = img.size
        assert sum(img.convert("RGB").getpixel((w - 10, 10))) > 700
        assert sum(img.convert("RGB").getpixel((10, 10))) < 700


def test_heic_becomes_webp_avif_and_jpeg(built: tuple[Path, str]) -> None:
    root, _ = built
    img_dir = root / "build/dinkes/img"
    formats = {"webp": "WEBP", "jpg": "JPEG"} | ({"avif": "AVIF"} if AVIF else {})
    for ext, fmt in formats.items():
        with Image.open(img_dir / f"iphone.720.{ext}") as img:
            assert (img.format, img.size) == (fmt, (720, 540))
    # a plain link to the HEIC file leads to a JPEG every phone can show
    page = (root / "build/dinkes/berita/hp/index.html").read_text()
    assert 'href="../../img/iphone.jpg"' in page
    with Image.open(img_dir / "iphone.jpg") as img:
        assert img.format == "JPEG"


def test_no_upscaling_and_bounded_largest(built: tuple[Path, str]) -> None:
    root, _ = built
    widths = sorted(int(p.name.split(".")[1]) for p in (root / "build/dinkes/img").glob("kepala.*.jpg"))
    assert widths == [240, 480, 600]              # a 600 px portrait is never made larger
    with Image.open(root / "build/dinkes/img/hp.jpg") as img:
        assert img.size == (2000, 1500)           # the linked copy: long edge ≤ 2000
    with Image.open(root / "build/dinkes/img/gerak.720.webp" if False else
                    root / "build/dinkes/img/gerak.300.webp") as img:
        assert img.n_frames == 3                  # the GIF keeps its animation
    with Image.open(root / "build/dinkes/img/layar.480.png") as img:
        assert img.mode == "RGBA"                 # a screenshot keeps transparency, lossless


def _candidates(value: str) -> list[tuple[str, int]]:
    found = []
    for part in value.split(","):
        url, width = part.strip().rsplit(" ", 1)
        found.append((url, int(width.rstrip("w"))))
    return found


def test_every_img_has_size_alt_and_real_srcset(built: tuple[Path, str]) -> None:
    root, _ = built
    build = root / "build"
    pages = [p for p in build.rglob("*.html") if ".skpdgen" not in p.parts]
    checked = 0
    for page in pages:
        doc = html.read(page)
        for tag, attrs in doc.tags:
            if tag == "img":
                assert "alt" in attrs, (page, attrs)
                assert attrs.get("width") and attrs.get("height"), (page, attrs)
            if tag in ("img", "source") and "srcset" in attrs:
                for url, width in _candidates(attrs["srcset"]):
                    target = (page.parent / url).resolve()
                    assert target.is_file(), (page, url)
                    with Image.open(target) as img:
                        assert img.width == width, (url, img.size)
                    checked += 1
    assert checked > 50
    item = html.read(build / "dinkes/berita/hp/index.html")
    hero = next(a for t, a in item.tags if t == "img" and "hp." in a.get("src", ""))
    assert hero["fetchpriority"] == "high" and "loading" not in hero
    assert (hero["width"], hero["height"]) == ("720", "540")
    body = [a for t, a in item.tags if t == "img" and "layar" in a.get("src", "")]
    assert body and body[0]["loading"] == "lazy" and body[0]["decoding"] == "async"
    home = html.read(build / "dinkes/index.html")
    thumbs = [a for t, a in home.tags if t == "img" and a.get("sizes", "").endswith("5rem")]
    assert thumbs and all(a["loading"] == "lazy" for a in thumbs)
    types = [a.get("type") for t, a in home.tags if t == "source"]
    assert "image/webp" in types and (not AVIF or "image/avif" in types)


def test_og_image_is_a_raster_1200x630_on_every_page(built: tuple[Path, str]) -> None:
    root, _ = built
    build = root / "build"
    seen = set()
    for page in build.rglob("index.html"):
        if ".skpdgen" in page.parts:
            continue
        doc = html.read(page)
        url = doc.one_meta("og:image")
        assert url.startswith("https://ujikab.go.id/") and not url.endswith(".svg")
        assert doc.one_meta("og:image:width") == "1200"
        assert doc.one_meta("og:image:height") == "630"
        assert doc.one_meta("og:image:alt")
        path = build / url.removeprefix("https://ujikab.go.id/")
        with Image.open(path) as img:
            assert (img.format, img.size) == ("JPEG", (1200, 630))
        seen.add(url)
    assert "https://ujikab.go.id/dinkes/img/hp.og.jpg" in seen          # the item's photo
    assert any(re.search(r"/dinkes/assets/og\.[0-9a-f]+\.jpg$", u) for u in seen)   # card
    assert any(re.search(r"ujikab\.go\.id/assets/og\.[0-9a-f]+\.jpg$", u) for u in seen)


def test_second_build_encodes_nothing(built: tuple[Path, str], tmp_path: Path) -> None:
    root = photo_region(tmp_path)
    env = {"SKPDGEN_TODAY": TODAY}
    first = run_cli("build", cwd=root, env=env)
    assert re.search(r", [1-9]\d* images encoded", first.stderr), first.stderr
    sources = {p: p.read_bytes() for p in (root / "sites").rglob("*") if p.is_file()}
    again = run_cli("build", cwd=root, env=env)
    assert ", 0 images encoded" in again.stderr, again.stderr
    # an edited news item re-renders its agency, but its images come from the cache
    item = root / "sites/dinkes/content/berita/2026-11-23-tanpa.md"
    item.write_text(item.read_text() + "\nTambahan.\n")
    edited = run_cli("build", cwd=root, env=env)
    assert "1 unchanged" not in edited.stderr and ", 0 images encoded" in edited.stderr
    # a new photo is the only image encoded
    (root / "sites/dinkes/static/img/baru.jpg").write_bytes(jpeg_bytes(800, 600, seed=9))
    added = run_cli("build", cwd=root, env=env)
    assert ", 1 images encoded" in added.stderr, added.stderr
    # the build never changed a source file
    for path, data in sources.items():
        if path.name != "2026-11-23-tanpa.md":
            assert path.read_bytes() == data, path
    # an image no longer in the region: its renditions leave the cache too
    cache = root / "build/.skpdgen/images"
    before = {p.name for p in cache.iterdir() if p.is_dir()}
    (root / "sites/dinkes/static/img/baru.jpg").unlink()
    assert run_cli("build", cwd=root, env=env).returncode == 0
    after = {p.name for p in cache.iterdir() if p.is_dir()}
    assert len(before - after) == 1 and after < before


def test_check_validates_srcset_targets(tmp_path: Path) -> None:
    root = photo_region(tmp_path)
    env = {"SKPDGEN_TODAY": TODAY}
    ok = run_cli("check", cwd=root, env=env)
    assert ok.returncode == 0 and "0 errors" in ok.stderr, ok.stderr
    single = override_theme_file(root, "templates/single.html")
    text = single.read_text()
    marker = '{{ m.picture(page.image, "hero", lazy=False) }}'
    assert marker in text
    single.write_text(text.replace(marker, marker + '<img src="{{ root }}img/hp.720.jpg" '
                      'srcset="{{ root }}img/hp.999.jpg 999w" alt="" width="1" height="1">'))
    broken = run_cli("check", cwd=root, env=env)
    assert broken.returncode == 1
    assert "img/hp.999.jpg" in broken.stderr, broken.stderr


def _bad_region(root: Path, bad: bytes, name: str) -> Path:
    return make_region(root, {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        f"sites/dinkes/static/img/{name}": bad,
        "sites/dinkes/content/berita/2026-11-20-a.md": news("Rusak", f"/img/{name}"),
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\n",
        "sites/disdik/static/img/baik.jpg": jpeg_bytes(640, 480),
        "sites/disdik/content/berita/2026-11-20-b.md": news("Baik", "/img/baik.jpg"),
    })


def _bomb() -> bytes:
    import io
    buf = io.BytesIO()
    Image.new("1", (9000, 6000)).save(buf, "PNG")        # 54 megapixels in a few kilobytes
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "says"), [
    ("bom.png", _bomb(), "megapixels"),
    ("potong.jpg", jpeg_bytes(800, 600)[:9000], "truncated"),
    ("rusak.jpg", b"\xff\xd8\xff\xe0 this is not a photo" * 50, "not a readable image"),
    ("kosong.jpg", b"", "empty file"),
], ids=["bomb", "truncated", "corrupt", "zero-byte"])
def test_broken_image_is_one_line_error_and_others_are_built(tmp_path: Path, name: str,
                                                             data: bytes, says: str) -> None:
    root = _bad_region(tmp_path, data, name)
    result = run_cli("build", cwd=root, env={"SKPDGEN_TODAY": TODAY}, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("sites/dinkes/content/berita/2026-11-20-a.md:5: error: image "
                                f"'sites/dinkes/static/img/{name}' "), errors[0]
    assert says in errors[0]
    assert (root / "build/disdik/img/baik.480.jpg").is_file()
    # the item that uses the image is left out; the rest of the agency is published
    assert (root / "build/dinkes/index.html").is_file()
    assert not (root / "build/dinkes/berita/a").exists()
    assert "1 item(s) not published" in result.stderr


def test_damaged_image_found_only_when_decoding(tmp_path: Path) -> None:
    """A JPEG whose header and end are fine but whose data is garbage fails at encoding."""
    good = bytearray(jpeg_bytes(800, 600))
    sos = good.index(b"\xff\xda")
    good[sos + 20: sos + 4000] = bytes(3980)
    good[sos + 4: sos + 8] = b"\xff\xff\xff\xff"
    root = _bad_region(tmp_path, bytes(good), "aneh.jpg")
    result = run_cli("build", cwd=root, env={"SKPDGEN_TODAY": TODAY}, timeout=60)
    assert "Traceback" not in result.stderr
    assert (root / "build/disdik/img/baik.480.jpg").is_file()
    assert result.returncode == 1
    [line] = [x for x in result.stderr.splitlines() if ": error: " in x]
    assert line.startswith("sites/dinkes/static/img/aneh.jpg: error: image "
                           "'sites/dinkes/static/img/aneh.jpg' cannot be decoded"), line


def test_optimize_shrinks_originals_in_place_and_strips_gps(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        "sites/dinkes/static/img/besar.jpg": jpeg_bytes(3200, 2400, quality=95),
        "sites/dinkes/static/img/kecil.jpg": jpeg_bytes(400, 300, gps=False),
        "sites/dinkes/content/berita/gps.jpg": jpeg_bytes(600, 400, orientation=6),
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\n",
        "sites/disdik/static/img/besar.jpg": jpeg_bytes(3200, 2400),
    })
    small = (root / "sites/dinkes/static/img/kecil.jpg").read_bytes()
    other = (root / "sites/disdik/static/img/besar.jpg").read_bytes()
    check = run_cli("check", cwd=root, env={"SKPDGEN_TODAY": TODAY})
    assert "sites/dinkes/static/img/besar.jpg: warning: image is 3200×2400" in check.stderr
    assert "(shrink it with: skpdgen optimize --site dinkes)" in check.stderr
    dry = run_cli("optimize", "--site", "dinkes", "--dry-run", cwd=root)
    assert dry.returncode == 0 and "would shrink 2 images" in dry.stderr, dry.stderr
    result = run_cli("optimize", "--site", "dinkes", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "sites/dinkes/static/img/besar.jpg: " in result.stdout
    assert "3200×2400 -> 2560×1920" in result.stdout and "GPS removed" in result.stdout
    with Image.open(root / "sites/dinkes/static/img/besar.jpg") as img:
        assert img.size == (2560, 1920)
        assert not img.getexif().get_ifd(0x8825)
    with Image.open(root / "sites/dinkes/content/berita/gps.jpg") as img:
        assert img.size == (400, 600)          # turned upright, orientation no longer needed
        assert not dict(img.getexif())
    assert (root / "sites/dinkes/static/img/kecil.jpg").read_bytes() == small
    assert (root / "sites/disdik/static/img/besar.jpg").read_bytes() == other
    again = run_cli("check", cwd=root, env={"SKPDGEN_TODAY": TODAY})
    assert "sites/dinkes/static/img/besar.jpg: warning" not in again.stderr
    unknown = run_cli("optimize", "--site", "dinkez", cwd=root)
    assert unknown.returncode == 2 and "did you mean 'dinkes'" in unknown.stderr


def test_image_name_with_spaces_and_uppercase_works(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        "sites/dinkes/static/img/Foto Rapat.JPG": jpeg_bytes(800, 600),
        "sites/dinkes/content/berita/2026-11-20-a.md": news("Rapat", "/img/Foto Rapat.JPG"),
    })
    result = run_cli("build", cwd=root, env={"SKPDGEN_TODAY": TODAY})
    assert result.returncode == 0, result.stderr
    page = html.read(root / "build/dinkes/berita/a/index.html")
    [img] = [a for t, a in page.tags if t == "img" and "Foto" in a.get("src", "")]
    assert img["src"] == "../../img/Foto%20Rapat.720.jpg"
    for url, width in _candidates(img["srcset"]):
        target = root / "build/dinkes/img" / url.rsplit("/", 1)[-1].replace("%20", " ")
        with Image.open(target) as published:
            assert published.width == width
    check = run_cli("check", cwd=root, env={"SKPDGEN_TODAY": TODAY})
    assert check.returncode == 0, check.stderr
