"""Image pipeline benchmarks (figures for the issue note; not a test).

    python3 scripts/bench_images.py quality            # bytes and SSIM per format and quality
    python3 scripts/bench_images.py photos --count 200 # cold build of N 12 MP phone photos,
                                                       # then a rebuild with nothing changed
    python3 scripts/bench_images.py transfer           # demo: bytes a 360 px phone loads

`transfer` builds the demo region into a temporary folder and adds up, for the portal home and
an agency home, the gzip'd HTML, CSS and JS and every image a 360 px wide phone at 2× would
pick from the srcset (AVIF, lazy images included: the worst case of scrolling to the end).
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from photos import phone_jpeg, photo  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


# --- quality ---------------------------------------------------------------------------------

def ssim(a: Image.Image, b: Image.Image) -> float:
    """Mean SSIM of the luma over 7×7 windows (Wang et al. constants, uniform window)."""
    def blur(x: np.ndarray, k: int = 7) -> np.ndarray:
        c = np.cumsum(np.cumsum(np.pad(x, ((1, 0), (1, 0))), axis=0), axis=1)
        return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)
    x = np.asarray(a.convert("L"), dtype=np.float64)
    y = np.asarray(b.convert("L"), dtype=np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    value = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(value.mean())


def cmd_quality(_args: argparse.Namespace) -> None:
    refs = [photo(2000, 1500, seed).resize((720, 540), Image.Resampling.LANCZOS)
            for seed in (3, 7, 11)]
    grid = {"JPEG": (70, 75, 78, 82, 85), "WEBP": (70, 76, 80, 82, 85),
            "AVIF": (52, 56, 60, 64)}
    print("format quality  KB(avg of 3 at 720 px)  SSIM")
    for fmt, qualities in grid.items():
        for q in qualities:
            sizes, scores = [], []
            for ref in refs:
                buf = io.BytesIO()
                extra = {"speed": 8, "max_threads": 1} if fmt == "AVIF" else {}
                ref.save(buf, fmt, quality=q, **extra)
                sizes.append(buf.tell())
                scores.append(ssim(ref, Image.open(io.BytesIO(buf.getvalue()))))
            print(f"{fmt:6} {q:7}  {sum(sizes) / len(sizes) / 1000:8.1f}  "
                  f"{sum(scores) / len(scores):.4f}")


# --- photos ----------------------------------------------------------------------------------

def _region(root: Path, count: int) -> None:
    (root / "sites/foto/content/berita").mkdir(parents=True)
    (root / "sites/foto/static/img").mkdir(parents=True)
    (root / "skpdgen.yaml").write_text("name: Kabupaten Uji\nbase_url: https://uji.go.id/\n"
                                       "description: Uji.\n")
    (root / "sites/foto/site.yaml").write_text("name: Dinas Foto\ndescription: Uji.\n")
    bases = [phone_jpeg(4000, 3000, seed) for seed in range(4)]
    for i in range(count):
        # same pixels as one of 4 photos, different bytes: every file is a new image to encode
        data = bases[i % 4].replace(b"phone", f"{i:05d}".encode(), 1)
        (root / f"sites/foto/static/img/p{i:03d}.jpg").write_bytes(data)
        (root / f"sites/foto/content/berita/2026-01-01-b{i:03d}.md").write_text(
            f"---\ntitle: Berita {i}\ndate: 2026-01-01\nimage: /img/p{i:03d}.jpg\n"
            f"image_alt: Foto {i}\n---\nIsi.\n")


def _tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    except OSError:
        return 0
    return total + sum(_tree_rss(int(c)) for c in children)


def _timed_build(root: Path) -> tuple[float, int, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "skpdgen", "build", "--today", "2026-11-29"],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.1)
    watcher = threading.Thread(target=sample)
    watcher.start()
    _out, err = proc.communicate()
    watcher.join()
    summary = [line for line in err.splitlines() if line.startswith("built ")]
    return time.monotonic() - started, peak[0], summary[-1] if summary else err[-500:]


def cmd_photos(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-images-"))
    try:
        _region(root, args.count)
        size = sum(p.stat().st_size for p in (root / "sites/foto/static/img").iterdir())
        print(f"{args.count} photos 4000×3000, {size / 1e6:.0f} MB, {os.cpu_count()} CPUs")
        cold, rss, line = _timed_build(root)
        print(f"cold build: {cold:.1f} s, peak RSS of the process tree {rss / 1e6:.0f} MB\n  {line}")
        warm, rss, line = _timed_build(root)
        print(f"rebuild, nothing changed: {warm:.2f} s, peak RSS {rss / 1e6:.0f} MB\n  {line}")
        page = next((root / "sites/foto/content/berita").iterdir())
        page.write_text(page.read_text() + "\nDiubah.\n")
        edit, rss, line = _timed_build(root)
        print(f"rebuild after editing one news item: {edit:.2f} s\n  {line}")
        published = sum(p.stat().st_size for p in (root / "build").rglob("*") if p.is_file()
                        and p.suffix in (".jpg", ".webp", ".avif", ".png")
                        and ".skpdgen" not in p.parts)       # not the rendition cache
        per_photo = published / args.count
        print(f"published images: {published / 1e6:.0f} MB "
              f"({per_photo / 1e3:.0f} KB per photo, all renditions and the og crop)")
        env = dict(os.environ, PYTHONPATH=str(REPO))
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "skpdgen", "optimize"], cwd=root, env=env,
                       check=True, capture_output=True)
        optimized = sum(p.stat().st_size for p in (root / "sites/foto/static/img").iterdir())
        print(f"skpdgen optimize: {time.monotonic() - started:.0f} s, originals "
              f"{size / 1e6:.0f} MB -> {optimized / 1e6:.0f} MB "
              f"({optimized / args.count / 1e3:.0f} KB per photo)")
        month = 30 * 10 * 2      # 30 agencies × 10 posts a month × 2 photos
        print(f"a month of content ({month} photos): repository +{month * size / args.count / 1e9:.1f}"
              f" GB as uploaded, +{month * optimized / args.count / 1e9:.2f} GB after optimize; "
              f"published images +{month * per_photo / 1e9:.2f} GB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- transfer --------------------------------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []          # (kind, url)
        self._picture: list[tuple[str, str]] = []      # pending avif srcset/sizes
        self._in_picture = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "picture":
            self._in_picture, self._picture = True, []
        elif tag == "source" and self._in_picture:
            self._picture.append((a.get("srcset", ""), a.get("sizes", "")))
        elif tag == "img":
            if self._in_picture and self._picture:
                srcset, sizes = self._picture[0]
                self.refs.append(("img", _pick(srcset, sizes)))
            else:
                self.refs.append(("img", a.get("src", "")))
        elif tag == "link" and a.get("rel") in ("stylesheet",):
            self.refs.append(("text", a.get("href", "")))
        elif tag == "script" and a.get("src"):
            self.refs.append(("text", a["src"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture":
            self._in_picture = False


VIEWPORT, DPR, REM = 360, 2.0, 16


def _css_px(value: str) -> float:
    value = value.strip()
    if value.startswith("calc(100vw - ") and value.endswith("rem)"):
        return VIEWPORT - float(value[13:-4]) * REM
    if value.endswith("rem"):
        return float(value[:-3]) * REM
    if value.endswith("vw"):
        return VIEWPORT * float(value[:-2]) / 100
    return float(value.removesuffix("px"))


def _slot_width(sizes: str) -> float:
    for part in sizes.split(", "):
        m = re.match(r"\(min-width: ([\d.]+)em\) (.+)", part)
        if m:
            if float(m.group(1)) * REM <= VIEWPORT:
                return _css_px(m.group(2))
            continue
        return _css_px(part)
    return VIEWPORT


def _pick(srcset: str, sizes: str) -> str:
    need = _slot_width(sizes) * DPR
    candidates = []
    for item in srcset.split(", "):
        url, width = item.rsplit(" ", 1)
        candidates.append((int(width.rstrip("w")), url))
    candidates.sort()
    return next((u for w, u in candidates if w >= need), candidates[-1][1])


def _transfer(build: Path, page: Path) -> tuple[int, int, int]:
    html = page.read_bytes()
    parser = _Page()
    parser.feed(html.decode())
    text = len(gzip.compress(html, 9))
    images = 0
    seen = set()
    for kind, url in parser.refs:
        if url.startswith(("http:", "https:", "data:")) or url in seen:
            continue
        seen.add(url)
        target = (page.parent / url).resolve()
        if not target.is_file():
            continue
        data = target.read_bytes()
        if kind == "text":
            text += len(gzip.compress(data, 9))
        else:
            images += len(data)
    return text, images, text + images


def cmd_transfer(_args: argparse.Namespace) -> None:
    out = Path(tempfile.mkdtemp(prefix="bench-transfer-"))
    try:
        work = out / "region"
        shutil.copytree(REPO, work, ignore=shutil.ignore_patterns(
            "build", "node_modules", ".git", "docs", "tests"))
        env = dict(os.environ, PYTHONPATH=str(REPO))
        subprocess.run([sys.executable, "-m", "skpdgen", "build", "--today", "2026-11-29"],
                       cwd=work, env=env, check=True, capture_output=True)
        print(f"a {VIEWPORT} px phone at {DPR:g}×: gzip'd HTML+CSS+JS, images (AVIF), total")
        for name in ("index.html", "dinkes/index.html", "diskominfo/index.html",
                     "dinkes/berita/index.html"):
            text, images, total = _transfer(work / "build", work / "build" / name)
            print(f"  {name:28} {text / 1e3:6.1f} KB + {images / 1e3:6.1f} KB = "
                  f"{total / 1e3:6.1f} KB")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("quality").set_defaults(func=cmd_quality)
    p = sub.add_parser("photos")
    p.add_argument("--count", type=int, default=200)
    p.set_defaults(func=cmd_photos)
    sub.add_parser("transfer").set_defaults(func=cmd_transfer)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
