#!/usr/bin/env python3
"""Benchmark `skpdgen build` on a generated region: pages per second and peak memory.

usage: python3 scripts/bench_build.py [--agencies 40] [--items 250] [--jobs 1] [--keep DIR]
                                     [--cold-only]

It generates a region (agencies × news items, plus a few pages of every other section),
then times four whole-process builds: a cold build, a no-change rebuild, a rebuild after
editing one news item, and a rebuild on the next day (--cold-only: the cold build alone).
Peak memory is given twice:
the largest resident set of one process (the build or one of its workers), and the largest
sum of the resident sets of the whole process tree (the build, its workers, Pagefind),
sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARAGRAPH = ("Pemerintah Kabupaten melalui dinas terkait terus meningkatkan kualitas pelayanan "
             "publik. Kegiatan ini melibatkan perangkat daerah, kecamatan dan desa, serta "
             "masyarakat luas agar manfaatnya dirasakan merata. ")


def generate(root: Path, agencies: int, items: int) -> int:
    """Write the region; returns the number of Markdown pages."""
    (root / "skpdgen.yaml").write_text(
        "name: Pemerintah Kabupaten Bench\nbase_url: https://bench.go.id/\n", encoding="utf-8")
    start = date(2026, 11, 1)
    pages = 0
    for a in range(agencies):
        site = root / "sites" / f"dinas-{a:02d}"
        (site / "content" / "berita").mkdir(parents=True)
        (site / "site.yaml").write_text(
            f"name: Dinas Nomor {a}\nkind: dinas\ncolor: '#0b5394'\n"
            f"contact:\n  phone: 0283-4{a:05d}\n  email: dinas{a}@bench.go.id\n",
            encoding="utf-8")
        for i in range(items):
            day = start - timedelta(days=i)
            body = "\n\n".join([PARAGRAPH * 2, f"## Bagian {i}", PARAGRAPH,
                                "| Kolom | Nilai |\n|---|---|\n| A | 1 |\n| B | 2 |"])
            (site / "content" / "berita" / f"{day.isoformat()}-berita-nomor-{i}.md").write_text(
                f"---\ntitle: Berita nomor {i} dari Dinas {a}\ndate: {day.isoformat()}\n"
                f"tags: [pelayanan, tag-{i % 7}]\n---\n{body}\n", encoding="utf-8")
            pages += 1
        for section, extra in (("layanan", "cost: Gratis\nduration: 1 hari\n"),
                               ("inovasi", "year: 2025\nstage: penerapan\ndigital: true\n"),
                               ("agenda", "start: 2026-12-10T09:00\nlocation: Aula\n"),
                               ("pengumuman", "date: 2026-10-01\n")):
            (site / "content" / section).mkdir()
            for i in range(3):
                (site / "content" / section / f"{section}-{i}.md").write_text(
                    f"---\ntitle: {section.title()} {i}\n{extra}---\n{PARAGRAPH}\n",
                    encoding="utf-8")
                pages += 1
    return pages


def _tree_rss(pid: int) -> int:
    """Resident set in KiB of `pid` and all its descendants (Linux /proc; 0 elsewhere)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
    tree, grown = {pid}, True
    while grown:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    total = 0
    for member in tree:
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


def timed_build(root: Path, jobs: int, today: str = "2026-11-29"
                ) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in MiB of one process, peak RSS in MiB of the whole process tree,
    last stderr line) of one build."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}   # benchmark this checkout
    proc = subprocess.Popen([sys.executable, "-m", "skpdgen", "build", "--jobs", str(jobs),
                             "--today", today], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    tree_peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            tree_peak[0] = max(tree_peak[0], _tree_rss(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    elapsed = time.perf_counter() - started
    sampler.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{stderr[-3000:]}")
    lines = stderr.strip().splitlines()
    return elapsed, max(peak, before) // 1024, tree_peak[0] // 1024, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--cold-only", action="store_true",
                        help="time the cold build only (no rebuilds)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="skpdgen-bench-"))
    try:
        if args.keep and root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True, exist_ok=True)
        pages = generate(root, args.agencies, args.items)
        print(f"region: {args.agencies} agencies, {pages} Markdown pages, jobs={args.jobs}")
        cold, peak, tree, summary = timed_build(root, args.jobs)
        print(f"cold build:      {cold:6.2f} s  {pages / cold:7.0f} pages/s  peak RSS {peak} MiB "
              f"(one process), {tree} MiB (all processes)")
        print(f"                 {summary}")
        if args.cold_only:
            return
        warm, _, _, summary = timed_build(root, args.jobs)
        print(f"no-change build: {warm:6.2f} s  {pages / warm:7.0f} pages/s   ({summary})")
        target = next((root / "sites" / "dinas-00" / "content" / "berita").glob("*.md"))
        target.write_text(target.read_text(encoding="utf-8") + "\nSatu kalimat baru.\n",
                          encoding="utf-8")
        edit, _, _, summary = timed_build(root, args.jobs)
        print(f"one-edit build:  {edit:6.2f} s   ({summary})")
        day, _, _, summary = timed_build(root, args.jobs, "2026-11-30")
        print(f"new-day build:   {day:6.2f} s   ({summary})")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
