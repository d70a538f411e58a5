"""Build one agency: discover -> load -> assemble -> render -> write, isolated.

Imported only when an agency has to be built (reuse.py settles the unchanged ones): it brings
the content model, the Markdown engine, the templates and the image pipeline.
"""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path

from skpdgen import buildday, cache, deps, isolate, markdown, search
from skpdgen.config.agency import load_agency
from skpdgen.config.region import Region
from skpdgen.content.load import discover, load_page
from skpdgen.content.publishable import show_names
from skpdgen.diagnostics import Diagnostics, internal_error
from skpdgen.isolate import LeftOut
from skpdgen.media.outputs import ImageStore, image_outputs
from skpdgen.model import SiteModel, assemble
from skpdgen.options import BuildOptions
from skpdgen.render import Output
from skpdgen.render.environment import environment_for
from skpdgen.render.site import SiteRenderer
from skpdgen.report import measured
from skpdgen.reuse import ON_SWAPPED, SiteResult, inputs_key, reuse
from skpdgen.scorecard import BuildHealth
from skpdgen.staging import spare_path, stage, swap_in
from skpdgen.summary import SiteSummary, summarize, summary_path
from skpdgen.theme import Theme
from skpdgen.write import (
    STATE_DIR,
    WriteError,
    WriteStats,
    check_dest,
    remove_tree,
    write_file_atomic,
)


def load_site_model(region: Region, theme: Theme, slug: str, options: BuildOptions,
                    diags: Diagnostics, left_out: LeftOut | None = None,
                    bodies: deps.BodyCache | None = None) -> SiteModel | None:
    """discover -> load -> assemble for one agency; None when its config is unusable.

    `left_out`: broken items to publish without (see isolate.py); `bodies`: the rendered
    bodies of its last build (deps.py).
    """
    agency = load_agency(region, slug, diags)
    if agency is None:
        return None
    files = discover(agency, diags)
    skip = frozenset(left_out.items) if left_out else frozenset()
    sources = [page for src in files.markdown if src not in skip
               and (page := load_page(agency, region, src, diags)) is not None]
    return assemble(agency, region, sources, files, options, theme.translator,
                    markdown.make_parser(), diags, skip, left_out.kept if left_out else None,
                    bodies)


def measure_sources(region: Region, theme: Theme, slug: str, options: BuildOptions,
                     out: Path | None = None, region_key: str | None = None
                     ) -> tuple[SiteSummary | None, BuildHealth]:
    """What an agency's sources publish (for the scorecard), without rendering its pages or
    writing its site; kept in build/.skpdgen/measured/ while its inputs stay the same."""
    key = cache.site_key(region_key, region.sites_dir / slug) if out and region_key else None
    if out is not None and key is not None:
        kept = measured.load(out, slug, key, options.today)
        if kept is not None:
            return kept
    diags = Diagnostics()
    model = load_site_model(region, theme, slug, options, diags)
    ok = model is not None and not diags.has_errors
    # sources that would not build publish nothing, as a full build would record
    result = (summarize(model) if model is not None and ok else None,
              BuildHealth.from_diagnostics(diags.items, ok, False))
    if out is not None and key is not None:
        with contextlib.suppress(WriteError, OSError):   # only a shortcut for the next run
            measured.save(out, slug, key, options.today, *result)
    return result


def build_site(region: Region, theme: Theme, slug: str, options: BuildOptions, out: Path,
               write: bool = True, region_key: str | None = None,
               owner: int | None = None, defer_search: bool = False,
               checked_key: str | None = None) -> SiteResult:
    """Build one agency; write it only when it has no errors.

    With a `region_key` (see cache.py), an agency whose inputs did not change since its last
    successful build, and whose output is still exactly as written, is not built again.
    `checked_key`: its key (reuse.inputs_key), when the caller already found that its last
    build cannot be reused; then neither is computed again.

    A safety net: whatever unexpected exception one agency's files trigger becomes an error
    for that agency ("internal error while …"); its last good output stays, and the other
    agencies, the portal and the manifest are still built.
    """
    step = ["reading its files"]
    try:
        return _build_site(region, theme, slug, options, out, write, region_key, step, owner,
                           defer_search, checked_key)
    except Exception as exc:  # noqa: BLE001 -- the safety net: never a region-wide traceback
        if write:
            with contextlib.suppress(OSError):
                remove_tree(out / f".{slug}.staging-{os.getpid()}")
        return SiteResult(slug, False, [internal_error(f"sites/{slug}", step[0], exc)])


def _build_site(region: Region, theme: Theme, slug: str, options: BuildOptions, out: Path,
                write: bool, region_key: str | None, step: list[str],
                owner: int | None = None, defer_search: bool = False,
                checked_key: str | None = None) -> SiteResult:
    key = checked_key if write and region_key else None
    if write and region_key and key is None:
        step[0] = "checking its last output"
        key = inputs_key(region, slug, out, region_key)
        reused = reuse(out, slug, key, options)
        if reused is not None:
            return reused
    diags = Diagnostics()
    step[0] = "reading its files"
    bodies = deps.BodyCache.load(out, slug) if key is not None else None
    model = load_site_model(region, theme, slug, options, diags, None, bodies)
    left_out, previous = LeftOut(), isolate.load_items(out, slug) if write else {}
    if model is not None and diags.has_errors:   # publish without the broken items
        model, diags, left_out = isolate.settle(
            lambda left, d: load_site_model(region, theme, slug, options, d, left, bodies),
            diags, f"sites/{slug}/", previous)
    errors = len(diags.errors)
    if model is None or (errors and not left_out.items):
        return SiteResult(slug, False, diags.items)
    step[0] = "rendering its pages"
    env = environment_for(theme, model.agency.root / "templates")
    memo = (deps.PageMemo.load(out, slug, deps.agency_key(region_key, model.agency.root
                                                          / "templates"), options.today)
            if write and region_key else None)
    renderer = SiteRenderer(model, theme, env, diags, memo)
    store = ImageStore(out / STATE_DIR / "images") if write else None
    outputs, encoded = image_outputs(model, renderer.outputs(), store, diags, renderer.og_card)
    check_outputs(outputs, f"sites/{slug}", diags)
    if len(diags.errors) > errors:
        return SiteResult(slug, False, diags.items, images_encoded=encoded)
    if write and left_out.items:
        outputs += isolate.kept_outputs(out / slug, previous, left_out.items,
                                        {o.dest_path for o in outputs})
    summary = summarize(model)
    if not write:
        return SiteResult(slug, not left_out.items, diags.items, summary=summary,
                          outputs=outputs, page_count=len(model.pages),
                          not_published=left_out.not_published)
    step[0] = "writing its output"
    target = out / slug
    try:
        # the live folder already holds exactly these outputs (a new day that changed no
        # page): nothing to stage, index or swap
        live = (cache.unchanged_output(out, slug, outputs)
                if key is not None and not left_out.items else None)
        if live is not None:
            if owner is not None and os.getppid() != owner:
                raise WriteError("the build that started this worker has stopped")
            stats, indexed = WriteStats(unchanged=len(outputs)), True
            files, dirs = ((live.files, live.dirs) if live.dirs
                           else cache.record_output(target, live.files))
        else:
            last = cache.load_entry(out, slug) if key is not None else None
            spare = spare_path(out, slug)
            staging, stats = stage(outputs, target, spare)
            if owner is not None and os.getppid() != owner:
                # a worker whose build was killed: it holds no lock, so it must not swap
                # anything in
                remove_tree(staging)
                raise WriteError("the build that started this worker has stopped")
            indexed = search.prepare_index(staging, target, region.language, defer_search,
                                           diags, slug)
            on_swapped = ON_SWAPPED.get() if owner is None else None  # not in a pool's worker
            swap_in(staging, target, stats, None if on_swapped is None else functools.partial(
                on_swapped, SiteResult(slug, not left_out.items, list(diags.items), stats,
                                       summary, page_count=len(model.pages),
                                       not_published=left_out.not_published,
                                       images_encoded=encoded)), keep_old=staging == spare)
            # the old output is the next build's spare; Pagefind writes a whole new index
            if staging == spare:
                remove_tree(spare / search.INDEX_DIR)
            files, dirs = (cache.record_output(target, last.files if last else None)
                           if key is not None else ({}, {}))
        write_file_atomic(summary_path(out, slug), summary.to_json().encode("utf-8"))
        isolate.save_items(out, slug, isolate.record_items(outputs, previous, left_out.items))
        if memo is not None:
            stats.rendered = len(memo.rendered)
            with contextlib.suppress(OSError):    # only a shortcut for the next build
                memo.save(out, slug, files)
        if bodies is not None:
            with contextlib.suppress(OSError):
                bodies.save(out, slug)
        # a partial build is never reused, nor the full one before it; nor one whose search
        # index is behind
        if left_out.items or (key is not None and not indexed):
            cache.entry_path(out, slug).unlink(missing_ok=True)
            key = None
        elif key is not None:
            cache.save_entry(out, slug, cache.CacheEntry(
                key=key, today=options.today.isoformat(),
                valid_until=(until.isoformat() if (until := buildday.valid_until(
                    model, memo, options.now)) else None), day_proof=memo is not None,
                page_count=len(model.pages), file_count=len(outputs),
                warnings=[d.to_json() for d in diags.warnings],
                files=files, dirs=dirs))
    except (WriteError, OSError) as exc:
        diags.error(f"build/{slug}", None, f"cannot write the site: {exc}")
        return SiteResult(slug, False, diags.items)
    return SiteResult(slug, not left_out.items, diags.items, stats, summary,
                      page_count=len(model.pages), not_published=left_out.not_published,
                      images_encoded=encoded, rendered=stats.rendered, key=key)


def check_outputs(outputs: list[Output], where: str, diags: Diagnostics) -> None:
    """Every dest path is safe and written by exactly one input."""
    writers: dict[str, list[str]] = {}
    for out in outputs:
        if not check_dest(out.dest_path):
            diags.error(where, None, f"output path '{out.dest_path}' is not allowed")
            continue
        writers.setdefault(out.dest_path, []).append(out.origin)
    for dest, origins in writers.items():
        if len(origins) > 1:
            shown, invisible = show_names(origins)
            diags.error(f"{where}/{origins[0]}", None,
                        f"{dest} is written by {len(origins)} inputs: {shown}",
                        invisible or "rename one of them or change its 'slug'")
        # a file where another output needs a folder (alias /feed.xml, a static file 'berita')
        parts = dest.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in writers:
                diags.error(f"{where}/{origins[0]}", None,
                            f"{dest} needs a folder '{folder}/', but {writers[folder][0]} "
                            f"writes a file '{folder}'",
                            "rename one of them, or remove the alias that takes that path")
                break
