#!/usr/bin/env python3
"""Time the Markdown engines on every body under a folder: `python3 scripts/bench_markdown.py DIR`.

Renders each body with markdown.render, once with the fast engine and once with markdown-it-py
only, in alternating rounds (the machine may be shared: compare the paired ratio), against a
resolver that knows every page and file. Prints the median seconds of each engine, the ratio
and how many bodies the fast engine handed back to markdown-it-py, by reason. Times are CPU
seconds of this process (less disturbed by other processes than wall time).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))      # benchmark this checkout

from skpdgen import markdown  # noqa: E402
from skpdgen.content.load import split_front_matter  # noqa: E402


class _Resolver:
    def page_link(self, target: str, line: int) -> str | None:
        return target

    def file_link(self, target: str, line: int, what: str) -> str | None:
        return target

    def file_size(self, target: str) -> int | None:
        return 1000

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        pass


def bodies(root: Path) -> list[tuple[str, int]]:
    found = []
    for path in sorted(root.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        split = split_front_matter(text)
        found.append((split[1], split[2]) if split else (text, 1))
    return found


def timed(md: markdown.Parser, texts: list[tuple[str, int]]) -> float:
    resolver = _Resolver()
    started = time.process_time()
    for body, line in texts:
        markdown.render(md, body, line, resolver)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = bodies(args.folder)
    results: dict[str, list[float]] = {"fast": [], "py": []}
    fast = markdown.Parser  # for the type checker: make_parser returns one
    for _ in range(args.rounds):
        for engine in ("fast", "py"):
            md = markdown.make_parser(engine)
            assert isinstance(md, fast)
            results[engine].append(timed(md, texts))
    md = markdown.make_parser("fast")
    assert isinstance(md, fast)
    timed(md, texts)
    a, b = statistics.median(results["fast"]), statistics.median(results["py"])
    ratios = [p / f for f, p in zip(results["fast"], results["py"], strict=True)]
    print(f"{len(texts)} bodies: fast {a:.2f} s, markdown-it-py {b:.2f} s CPU (median of "
          f"{args.rounds}); paired ratio py/fast {statistics.median(ratios):.1f}x")
    print(f"handed back to markdown-it-py: {sum(md.fallbacks.values())} "
          f"{dict(md.fallbacks.most_common())}")


if __name__ == "__main__":
    main()
