"""The fast Markdown engine (skpdgen/mdfast.py, markdown-it-pyrs) renders exactly like the
markdown-it-py engine it replaces: the same HTML, first paragraph, table of contents, anchors
and the same resolver calls in the same order (every link, file, picture and warning with its
line and hint).

Every body is rendered with `make_parser("compare")`, which renders it both ways and raises
EnginesDiffer on any difference (skpdgen/mdcompare.py): the demo region, the fixture region,
the staff-mistakes cases, the WordPress Theme Unit Test import and a generated stress set; the
unit tests of test_markdown.py and test_staff_mistakes.py (their builds included) run again with
SKPDGEN_MARKDOWN=compare. Bodies the fast engine hands back to markdown-it-py are counted by
reason, and the tests hold those shares down so that a walk that gave up everywhere would fail.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, make_region, run_cli
from fixtures.region import TODAY, make_fixture_region, published_hashes, region_files
from test_import_wordpress import THEME_UNIT_TEST
from test_staff_mistakes import CASES, HARMLESS

from skpdgen import markdown, mdcompare
from skpdgen.content.load import split_front_matter

PICTURE = {"sources": [{"type": "image/webp", "candidates": [("foto-400.webp", 400)]}],
           "sizes": "100vw", "src": "foto.jpg", "fallback": {"candidates": [("foto-400.jpg", 400)]},
           "width": 400, "height": 300}


class Resolver:
    """Knows every page and file except those named `hilang` (missing); photos have a picture."""

    def page_link(self, target: str, line: int) -> str | None:
        return None if "hilang" in target else "../../" + target.replace(".md", "/")

    def file_link(self, target: str, line: int, what: str) -> str | None:
        return None if "hilang" in target else "../../" + target.lstrip("/")

    def file_size(self, target: str) -> int | None:
        return None if "kosong" in target else 1_234_567

    def picture(self, src: str) -> Any:
        return (PICTURE, "../../") if "foto" in src else None

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        pass


def compare_all(bodies: list[tuple[str, int]]) -> markdown.Parser:
    """Render every (body, first line) with both engines; the parser holds the counts."""
    md = markdown.make_parser("compare")
    assert isinstance(md, markdown.Parser)
    for body, line in bodies:
        markdown.render(md, body, line, Resolver())
    assert md.fast + sum(md.fallbacks.values()) == len(bodies)
    return md


def markdown_bodies(files: dict[str, str | bytes]) -> list[tuple[str, int]]:
    bodies = []
    for path, content in files.items():
        if not path.lower().endswith(".md"):
            continue
        try:      # as conftest.write_tree writes them: text dedented
            text = (content.decode("utf-8-sig") if isinstance(content, bytes)
                    else textwrap.dedent(content).lstrip("\n"))
        except UnicodeDecodeError:
            continue
        split = split_front_matter(text.replace("\r\n", "\n"))
        bodies.append((split[1], split[2]) if split else (text, 1))
    return bodies


def folder_bodies(root: Path) -> list[tuple[str, int]]:
    return markdown_bodies({str(p): p.read_bytes() for p in sorted(root.rglob("*.md"))
                            if "/content/" in p.as_posix()})


def test_the_demo_region_renders_the_same() -> None:
    bodies = folder_bodies(REPO / "sites")
    assert len(bodies) > 150
    md = compare_all(bodies)
    assert not md.fallbacks      # admonitions, footnotes and embeds included: all fast


def test_the_fixture_region_renders_the_same() -> None:
    bodies = markdown_bodies(region_files())
    assert len(bodies) > 20
    md = compare_all(bodies)
    assert md.fast >= 0.8 * len(bodies), md.fallbacks


def test_the_staff_mistakes_render_the_same() -> None:
    files: dict[str, str | bytes] = dict(HARMLESS)
    for case in CASES:
        files.update(case.files)
    bodies = markdown_bodies(files)
    assert len(bodies) > 15
    md = compare_all(bodies)
    assert md.fast >= 0.8 * len(bodies), md.fallbacks


@pytest.mark.skipif(not THEME_UNIT_TEST.exists(), reason="../shared/data/wordpress is absent")
def test_the_wordpress_import_renders_the_same(tmp_path: Path) -> None:
    root = make_region(tmp_path, {"sites/arsip/site.yaml": "name: Dinas Arsip\n"})
    imported = run_cli("import", "wordpress", str(THEME_UNIT_TEST), "--site", "arsip", cwd=root)
    assert imported.returncode == 0, imported.stderr
    bodies = folder_bodies(root / "sites")
    assert len(bodies) > 50
    md = compare_all(bodies)
    assert md.fast >= 0.9 * len(bodies), md.fallbacks


STRESS = [
    "Teks.[^1] Lagi[^2] dan[^1] lagi[^1].\n\n[^1]: Catatan *satu*.\n[^2]: Dua [tautan](x.md).",
    "A[^b]\n\n[^a]: tidak dirujuk\n\n[^b]: dirujuk\n\n    paragraf kedua\n\n    - daftar",
    "X[^n]\n\n[^n]:\n", "X[^n]\n\n[^n]: - daftar\n    - dua", "X[^n]\n\n[^n]: a\nmalas",
    "X[^n]\n\n[^n]: ada [^m] di dalam\n[^m]: m", "X[^n]\n\n[^n]: satu\n[^n]: dua",
    "X[^N] Y[^n]\n\n[^n]: kecil\n[^N]: besar", "X[^n]\n[^n]: tepat sesudah teks",
    "- X[^n]\n\n  [^n]: di daftar", "## Judul[^n]\n\n[^n]: catatan judul",
    "[teks[^n]](x.md) ![alt[^n]](foto.png)\n\n[^n]: c", "Tanpa definisi[^z] dan [^ ]",
    "X[^n]\n\n[^n]: akhir tanpa baris baru", "X^[sebaris] dan ^[lagi *x*]",
    "X[^1]\n\n[^1]: ![](foto.png) <b>\n\n    ::pdf /files/dip.pdf",
    "- a[^1]\n- [^1] b\n\n[^1]: c",
    '!!! note "Judul Catatan"\n    Isi catatan **tebal**.', "!!! warning\n    Hati-hati.\n\n    Dua.",
    '!!! tip ""\n    Tanpa judul.', "??? info\n    Lipat.", "???+ info Judul *miring*\n    Buka.",
    "!!!note\n   tiga spasi", "!!! danger\n\n\n    jauh", "!!! note\n    - a\n    - b\n\n    ## Sub",
    "!!! note\n    [a](x.md) ![](foto.png) <b>\n    ::youtube dQw4w9WgXcQ", "!!! note\n", "!!!",
    "!!! note [tautan](x.md)\n    isi", '!!! note "# bukan judul"\n    isi', "- !!! note\n      isi",
    "> !!! note\n>     isi", "Teks\n!!! note\n    isi", "Apa??? Ya!!!", "!!! note\n      lebih dalam",
    "!!! note\n    isi\nlangsung", "!!! a b c\n    x", '!!! note "Judul" ekor\n    x',
    '::youtube dQw4w9WgXcQ "Video Profil"', "::youtube https://youtu.be/dQw4w9WgXcQ",
    "::youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3", '::youtube "><script>x</script>',
    '::map https://www.openstreetmap.org/#map=17/-6.9/109.1 "Kantor"', "::map javascript:alert(1)",
    '::pdf /files/dip.pdf "Daftar"', "::pdf /files/hilang.pdf", "::pdf <Laporan Tahunan.pdf>",
    '::pdf Laporan Tahunan.pdf "Laporan"  ', "::pdf /files/kosong.pdf", "  ::youtube dQw4w9WgXcQ",
    "::youtube dQw4w9WgXcQ\nteks sesudah", "Teks sebelum\n::youtube dQw4w9WgXcQ",
    "- ::youtube dQw4w9WgXcQ\n- b", "- a\n\n  ::pdf /files/dip.pdf", "> ::map https://osm.org/x",
    "::vimeo 123", "::youtube", ":: youtube x", "::youtube x\n===", "::pdf a.pdf \"t\" lebih",
    '# Judul',
    '## Jadwal Layanan',
    '## Jadwal Layanan',
    '### Syarat & Biaya',
    '#### `kode` *miring*',
    '##### lima',
    '## ![gambar](foto.png) dan [tautan](a.md)',
    'Judul Setext\n===',
    'Dua baris\nsetext\n---',
    '## Judul ##',
    '##',
    '## &amp; entitas &copy;',
    'Paragraf *miring* **tebal** ~~coret~~ `kode` biasa.',
    'a * b ** c _d_ __e__ ***f*** *g**h*',
    '**tebal*',
    '_a_b_ *a*b*',
    '- satu\n- dua\n  - tiga\n    - empat\n- lima',
    '1. a\n2. b\n\n3. c',
    '5) lima\n6) enam',
    '- a\n\n  b\n- c',
    '* [ ] tugas\n* [x] selesai',
    '- # judul di daftar\n- teks',
    '- a\n  ```\n  kode\n  ```\n- b',
    '-\n  kosong',
    '- a\n  > kutip',
    '1. x\n   - y\n     1. z',
    '> kutip\n> lanjut\nmalas',
    '> ## judul kutip\n> - daftar',
    '>',
    '> > ganda',
    '| Layanan | Biaya |\n|:---|---:|\n| KTP | Gratis |\n| KK | |',
    '| a | b | c |\n|:-:|---|--|\n| 1 |',
    '| a |\n|---|',
    'a | b\n--|--\n1 | 2 | 3',
    '| [tautan](x.md) | ![f](foto.png) |\n|---|---|\n| <b> | `x|y` |',
    '&amp; &lt;b&gt; &#65; &#x41; &nbsp; &copy; &bogus; &#0;',
    'Teks\xa0NBSP dan\xa0\xa0dua',
    '\tkode dengan tab\n\tbaris',
    '- a\n\t- tab',
    'Tab\tdi\ttengah',
    'Baris satu  \nbaris dua\\\nbaris tiga',
    'CR\r\nLF\r\ncampur',
    "```python\nprint('<x>')\n```",
    '~~~ info `x`\nisi\n~~~',
    '```\ntidak ditutup',
    '    kode akhir',
    '> ```\n> kutip kode',
    '- ```\n  daftar kode',
    '~~~\n\n',
    '- a\n\n  | x | y |\n  |---|---|\n  | 1 | 2 |',
    '> | x |\n> |---|\n> | 1 |',
    '- a\n| x |\n|---|',
    'Teks\n| x |\n|---|\n| 1 |',
    '> a\n| x |\n|---|',
    '    kode indentasi\n\n    lanjut',
    '[a](https://contoh.go.id/?a=1&b=2) <https://ok.example/> <humas@ujikab.go.id>',
    '[b](mailto:a@b.c) [c](tel:0283)',
    '[spasi](Laporan Tahunan.pdf)',
    '![foto saya](foto saya.jpg)',
    '[x](<my file.pdf>)',
    '[tanpa ekstensi](folder saya/berkas)',
    '[klik](javascript:alert(1))',
    '[klik](JaVaScRiPt:x)',
    '![g](data:image/png;base64,AAA)',
    '[d](data:text/html,x)',
    '[ref][R]\n\n[R]: /files/dip.pdf "Judul"',
    '[ref2]\n\n[ref2]: <hilang.md>',
    '[x](/content/profil/visi.md#bagian)',
    '[y](../layanan/izin.md)',
    '[z](hilang.md)',
    '[kosong]()',
    '[a](#jadwal)',
    '[a](//cdn.example/x.js)',
    '[a](foo%20bar.pdf)',
    '[a](a(b)c.md)',
    '[a](<a b> "t")',
    "[a](x.md 'judul')",
    '![](foto.png)',
    '![ ](foto.png)',
    '![alt *miring* `k` &amp;](/img/logo.png "judul")',
    '![a\nb](foto.png) lalu [l](x.md)',
    '![hilang](/img/hilang.png)',
    '![x](https://luar.example/a.png)',
    '[![gambar](foto.png)](x.md)',
    '<b>tebal</b> <!-- komentar --> <div>',
    '<script>alert(1)</script>',
    '\\<b> escape \\* \\[',
    '`<b>` aman',
    'teks <https://a.b/c d> aneh',
    'Paragraf dengan\nbaris [tautan\nterpotong](x.md) dan <i>',
    '***',
    '---',
    '___',
    '* * *',
    'Teks\n***\nlagi',
    'Teks\n\n    \n\nlagi',
    '',
    '   ',
    '\n\n\n',
    'Emoji 🎉 ü é ñ 中文 — “kutip”',
    'Kata_dengan_garis_bawah dan snake_case_name',
    '2 * 3 * 4 = 24',
    '**Catatan:** penting',
    'Harga Rp10.000,-',
    '<>',
    '< a >',
    '[tautan kosong][]\n\n[tautan kosong]: x.md',
    '[^1] bukan catatan',
    '1986\\. Tahun',
    '+ plus\n+ lagi',
    '10. sepuluh\n11. sebelas',
    '123456789. besar',
    '- \n  a',
    'Teks [a](x.md)[b](y.md)',
    '`` kode ``` `` ',
    '`a\nb`',
    '**a\nb**',
    '*a `*` b*',
    '[a`]`](x)',
    '<https://x.y/é>',
    '[é](é.md)',
    '[a](https://x.y/%zz)',
    '![é ü](foto%20saya.jpg)',
]

def stress_bodies(seed: int, count: int) -> list[tuple[str, int]]:
    """Random documents of 1-8 snippets joined by one, two or three newlines."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        sep = rng.choice(["\n\n", "\n", "\n\n\n"])
        body = sep.join(rng.choice(STRESS) for _ in range(rng.randint(1, 8)))
        bodies.append((body + rng.choice(["", "\n"]), rng.randint(1, 9)))
    return bodies


def test_every_stress_snippet_renders_the_same() -> None:
    md = compare_all([(snippet, 5) for snippet in STRESS])
    assert md.fast >= 0.85 * len(STRESS), md.fallbacks


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stress_documents_render_the_same(seed: int) -> None:
    bodies = stress_bodies(seed, 300)
    md = compare_all(bodies)
    # snippets joined by a single newline make many lazy continuation lines: handed back
    assert md.fast >= 0.4 * len(bodies), md.fallbacks


COMMON = [
    "Paragraf dengan *miring*, **tebal**, ~~coret~~, `kode` dan [tautan](../layanan/izin.md).\n",
    "## Jadwal\n\n## Jadwal\n\n### Jadwal & Biaya\n\n#### `x`\n",
    "- satu\n- dua\n  - tiga\n\n1. a\n2. b\n",
    "- a\n\n  b\n- c\n",
    "> kutipan\n> dua baris\n",
    "| Layanan | Biaya |\n|:---|---:|\n| KTP | Gratis |\n",
    "![Foto kegiatan](/img/foto.jpg)\n\n![](foto.png)\n\n![x](/img/hilang.png)\n",
    "[spasi](Laporan Tahunan.pdf) [tanpa](folder saya/berkas) <b>tebal</b>\n",
    "[klik](javascript:alert(1)) [surel](mailto:a@b.id) <https://ok.example/>\n",
    "Baris\r\ndengan CRLF\r\n\r\n\tkode\r\n",
    "```python\nprint('<x>')\n```\n\n    kode\n",
    "&amp; &lt;b&gt; &copy; teks\u00a0NBSP\n",
    "Judul\n===\n\nSub\n---\n\n***\n",
]


def test_the_fast_engine_takes_the_common_constructs() -> None:
    md = compare_all([(body, 3) for body in COMMON])
    assert not md.fallbacks and md.fast == len(COMMON)


@pytest.mark.parametrize("body, reason", [
    ('> !!! note "Catatan"\n>     Isi.\n', "admonition inside another block"),
    ("Teks.[^1]\n[^1]: Catatan.\n", "footnote definition right after text"),
    ("Teks ^[sebaris].\n", "inline footnote"),
    ("::youtube dQw4w9WgXcQ\nteks\n", "embed line followed by more lines"),
    ("[a](https://bücher.de/)\n", "international domain"),
    ("> kutip\nmalas\n", "lazy quote line"),
    ("- a\nmalas\n", "lazy list line"),
    ("> # h\n| x |\n|---|\n", "table right after a list or quote"),
    ("| x |\n|---|\n| 1 |\n5) y\n", "table row that starts another block"),
    ("```\nterbuka", "fence left open at the end"),
])
def test_what_the_fast_engine_hands_back(body: str, reason: str) -> None:
    md = compare_all([(body, 1)])
    assert dict(md.fallbacks) == {reason: 1}


def test_a_difference_between_the_engines_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from skpdgen import mdfast
    monkeypatch.setitem(mdfast._WRAP, "em", "i")
    with pytest.raises(mdcompare.EnginesDiffer, match=r"(?s)'a \*b\*\\n'.*html: fast"):
        compare_all([("a *b*\n", 1)])


def test_a_failing_walk_falls_back_before_reporting_anything(monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    from skpdgen import mdfast

    def broken(self: Any, node: Any) -> None:
        raise ValueError("a bug in the walk")

    monkeypatch.setattr(mdfast.Walk, "heading", broken)
    md = compare_all([("[hilang](hilang.md)\n\n## Judul\n", 1)])
    assert dict(md.fallbacks) == {"fast engine failed: ValueError": 1}


def test_the_engine_is_chosen_by_argument_or_environment(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.delenv("SKPDGEN_MARKDOWN", raising=False)
    fast = markdown.make_parser()
    assert isinstance(fast, markdown.Parser) and fast.fast_parser is not None
    monkeypatch.setenv("SKPDGEN_MARKDOWN", "py")
    slow = markdown.make_parser()
    assert isinstance(slow, markdown.Parser) and slow.fast_parser is None
    out_fast = markdown.render(fast, COMMON[0], 1, Resolver())
    out_slow = markdown.render(slow, COMMON[0], 1, Resolver())
    assert out_fast == out_slow and fast.fast == 1 and slow.fast == 0


def test_the_markdown_unit_tests_pass_with_both_engines_compared() -> None:
    """test_markdown.py and test_staff_mistakes.py (real builds) with every body compared."""
    env = {**os.environ, "SKPDGEN_MARKDOWN": "compare", "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           "tests/test_markdown.py", "tests/test_staff_mistakes.py"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_a_build_publishes_the_same_bytes_and_messages_with_either_engine(tmp_path: Path
                                                                        ) -> None:
    """The fixture region (hostile content, images, PDFs, every section) built twice; only
    the calendars' DTSTAMP (the time of the build) and the summary's seconds may differ."""
    outputs = {}
    for engine in ("fast", "py"):
        root = make_fixture_region(tmp_path / engine)
        result = run_cli("build", "--today", TODAY, cwd=root, env={"SKPDGEN_MARKDOWN": engine})
        assert result.returncode == 0, result.stderr
        hashes = published_hashes(root / "build")
        calendars = {path: re.sub(r"DTSTAMP:\S+", "", (root / "build" / path).read_text())
                     for path in hashes if path.endswith(".ics")}
        messages = re.sub(r"\d+[.,]\d+ (detik|s)\b", "S", result.stderr)
        outputs[engine] = ({k: v for k, v in hashes.items() if not k.endswith(".ics")},
                           calendars, messages)
    assert len(outputs["fast"][0]) > 100 and outputs["fast"][1]
    assert "warning" in outputs["fast"][2]
    assert outputs["fast"] == outputs["py"]
