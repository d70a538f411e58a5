"""The build's image step: every raster file of an agency becomes its planned renditions.

    outputs, encoded = image_outputs(model, outputs, store, diags)

Each source image is keyed by the hash of its bytes and the settings; its renditions live in
build/.skpdgen/images/<key>/ (the build state CI caches), so an unchanged image is never
encoded again, whatever else changed. Missing renditions are encoded in a process pool.
Without a store (`check`, in-memory builds) nothing is encoded: the planned files stand for
the renditions, so links and srcsets are checked against exactly what a build writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from skpdgen.diagnostics import Diagnostics
from skpdgen.media.encode import Job, run_job
from skpdgen.media.facts import ImageFacts, ImageProblem, probe
from skpdgen.media.og import Card, render_card
from skpdgen.media.plan import ImagePlan, is_processed, plan_for
from skpdgen.media.settings import MAX_EDGE, OPTIMIZE_EDGE, WARN_BYTES, fingerprint
from skpdgen.render import Output

if TYPE_CHECKING:
    from skpdgen.model import SiteModel

BAD_IMAGE = "bad-image"     # the code of every diagnostic about an unusable image file


@dataclass(frozen=True, slots=True)
class ImageStore:
    """The rendition cache: one folder per (source bytes, settings)."""

    root: Path                       # build/.skpdgen/images
    workers: int = 0                 # 0: one per CPU

    def folder(self, source: Path) -> Path:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:32]
        return self.root / f"{digest}-{fingerprint()}"

    def put(self, name: str, data: bytes) -> Path:
        """A generated file (a share card), kept under its own content-derived name."""
        path = self.root / "cards" / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{name}.tmp{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return path

    def has(self, name: str) -> Path | None:
        path = self.root / "cards" / name
        return path if path.is_file() else None

    def record_use(self, slug: str, folders: Iterable[str]) -> None:
        """Which cache folders an agency's last build used (what `prune` keeps)."""
        path = self.root / "used" / f"{slug}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        tmp.write_text(json.dumps(sorted(set(folders))), encoding="utf-8")
        os.replace(tmp, path)

    def prune(self, slugs: Iterable[str]) -> int:
        """Delete cache folders no agency of `slugs` used in its last build; how many."""
        keep: set[str] = set()
        wanted = set(slugs)
        for record in sorted((self.root / "used").glob("*.json")):
            if record.stem not in wanted:
                record.unlink()
                continue
            try:
                keep.update(json.loads(record.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                return 0        # unsure what is used: keep everything
        removed = 0
        for folder in sorted(self.root.iterdir()) if self.root.is_dir() else []:
            if folder.is_dir() and folder.name not in ("used", "cards") and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed


def problem_message(src_diag: str, problem: str) -> str:
    return f"image '{src_diag}' {problem}"


PROBLEM_HINT = ("replace it with the original photo from the phone or camera, "
                "or remove it and its references")


def image_outputs(model: SiteModel, outputs: Iterable[Output], store: ImageStore | None,
                  diags: Diagnostics, card: Card | None = None) -> tuple[list[Output], int]:
    """Outputs with every raster image replaced by its renditions; and how many were encoded."""
    agency = model.agency
    og_sources = {p.image.path for p in model.pages if p.image}
    result: list[Output] = []
    jobs: list[tuple[Job, str]] = []
    used: list[str] = []
    reported = {d.message for d in diags.items if d.code == BAD_IMAGE}
    for out in outputs:
        src = model.files.get(out.dest_path)
        if out.source is None or src is None or not is_processed(out.dest_path):
            result.append(out)
            continue
        src_diag = agency.src_prefix + src
        try:
            facts = probe(out.source)
        except ImageProblem as exc:
            if not any(src_diag in message for message in reported):
                diags.error(src_diag, None, problem_message(src_diag, str(exc)), PROBLEM_HINT,
                            code=BAD_IMAGE)
            continue
        _warn_heavy(src_diag, facts, agency.slug, diags)
        plan = plan_for(out.dest_path, facts.width, facts.height, og=out.dest_path in og_sources)
        if store is None:
            result.extend(Output(r.dest_path, source=out.source, origin=src)
                          for r in plan.renditions)
            continue
        try:
            folder = store.folder(out.source)
        except OSError as exc:
            diags.error(src_diag, None, problem_message(src_diag, f"cannot be read "
                                                        f"({exc.strerror})"), code=BAD_IMAGE)
            continue
        used.append(folder.name)
        missing = tuple((r.name, r.fmt, r.width, r.height, r.role) for r in plan.renditions
                        if not (folder / r.name).is_file())
        if missing:
            jobs.append((Job(str(out.source), plan.kind, str(folder), missing), src_diag))
        result.extend(_rendition_outputs(plan, folder, src))
    failed = _run(jobs, store.workers if store else 1)
    for src_diag, problem in failed:
        diags.error(src_diag, None, problem_message(src_diag, problem), PROBLEM_HINT,
                    code=BAD_IMAGE)
    encoded = len(jobs)
    if store is not None and not failed:
        store.record_use(agency.slug, used)
    if card is not None:
        name = card.dest_path.rsplit("/", 1)[-1]
        if store is None:
            result.append(Output(card.dest_path, render_card(card), origin="site.yaml"))
        else:
            cached = store.has(name)
            if cached is None:
                cached = store.put(name, render_card(card))
                encoded += 1
            result.append(Output(card.dest_path, source=cached, origin="site.yaml"))
    return result, encoded


def _rendition_outputs(plan: ImagePlan, folder: Path, src: str) -> list[Output]:
    return [Output(r.dest_path, source=folder / r.name, origin=src) for r in plan.renditions]


def _run(jobs: list[tuple[Job, str]], workers: int) -> list[tuple[str, str]]:
    """Encode every job (in parallel when there is more than one); the failures."""
    if not jobs:
        return []
    count = min(len(jobs), workers or os.cpu_count() or 1)
    if count <= 1:
        results = [run_job(job) for job, _ in jobs]
    else:
        # spawn, not fork: `serve` builds from a thread of a multithreaded process
        import multiprocessing  # only when there are images to encode
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=count,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(run_job, [job for job, _ in jobs]))
    return [(where, problem) for (_job, where), problem in zip(jobs, results, strict=True)
            if problem is not None]


def _warn_heavy(src_diag: str, facts: ImageFacts, slug: str, diags: Diagnostics) -> None:
    if facts.size <= WARN_BYTES and max(facts.width, facts.height) <= OPTIMIZE_EDGE:
        return
    gps = "; its GPS position is not published" if facts.has_gps else ""
    diags.warning(src_diag, None,
                  f"image is {facts.width}×{facts.height}, {facts.size / 1e6:.1f} MB: published "
                  f"resized (at most {MAX_EDGE} px, without metadata){gps}, but the original "
                  "stays in the repository's history",
                  f"shrink it with: skpdgen optimize --site {slug}")
