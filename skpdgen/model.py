"""Assemble one agency's site model: URLs, rendered bodies, sections, tags, menu, collisions.

`assemble` is pure: it reads source pages already loaded and the files they reference, and
returns a SiteModel that the renderers turn into bytes. Problems go to Diagnostics.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt
from markupsafe import Markup

from skpdgen import markdown, media, safeurl, urls
from skpdgen.buildday import source_bound
from skpdgen.config.agency import Agency
from skpdgen.config.region import Region
from skpdgen.config.schema import When
from skpdgen.content.future import FAR_FUTURE_DAYS, warn_far_future
from skpdgen.content.load import SiteFiles, SourcePage
from skpdgen.content.publishable import show_names
from skpdgen.content.repeats import distinct_dated_slugs
from skpdgen.content.sections import SECTIONS, spec_for
from skpdgen.deps import BodyCache
from skpdgen.diagnostics import Diagnostics
from skpdgen.i18n import Translator
from skpdgen.options import BuildOptions as BuildOptions  # re-exported
from skpdgen.options import build_now as build_now  # re-exported
from skpdgen.resolve import PageResolver, SiteIndex

URL_COLLISION = "url-collision"   # two files, one URL: holds the agency back (isolate.py)

# Paths an agency generates itself; content may not take them.
GENERATED_PATHS = ("tag/", "cari/", "feed.xml", "agenda.ics", "sitemap.xml", "404.html",
                   "assets/", "robots.txt")


@dataclass(frozen=True, slots=True)
class ImageRef:
    path: str
    url: str
    width: int | None
    height: int | None
    alt: str


@dataclass(frozen=True, slots=True)
class FileRef:
    path: str
    url: str
    name: str
    ext: str
    size: int | None


@dataclass(frozen=True, slots=True)
class TagRef:
    name: str
    slug: str
    path: str


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    path: str


@dataclass(frozen=True, slots=True)
class Page:
    """One published Markdown page, ready for templates."""

    kind: str                        # "item" (in a known section) or "page" (plain page)
    src_path: str
    diag_path: str
    title: str
    path: str
    url: str
    section: str
    section_title: str
    date: datetime | None
    has_time: bool
    updated: datetime | None
    summary: str
    content: Markup
    image: ImageRef | None
    tags: tuple[TagRef, ...]
    draft: bool
    author: str | None
    weight: int | None
    extra: dict[str, Any]
    toc: tuple[markdown.Heading, ...]
    anchors: frozenset[str]
    aliases: tuple[str, ...]
    expired: bool = False
    prev: Link | None = None
    next: Link | None = None

    @property
    def when(self) -> When | None:
        return When(self.date, self.has_time) if self.date else None


@dataclass(frozen=True, slots=True)
class SectionList:
    name: str
    title: str
    path: str
    items: tuple[Page, ...]          # listable, in list order
    all_items: tuple[Page, ...]      # every published item (expired ones too)
    intro: Markup | None
    dated: bool


@dataclass(frozen=True, slots=True)
class MenuEntry:
    title: str
    path: str          # site path, or an absolute URL
    external: bool = False


@dataclass(frozen=True, slots=True)
class SiteModel:
    agency: Agency
    region: Region
    pages: tuple[Page, ...]
    sections: dict[str, SectionList]
    tags: dict[str, tuple[TagRef, tuple[Page, ...]]]
    menu: tuple[MenuEntry, ...]
    home_intro: Markup | None
    greeting: Markup | None
    logo: ImageRef | None
    head_photo: ImageRef | None
    files: dict[str, str]                       # site path -> src path, copied as they are
    aliases: tuple[tuple[str, str, str], ...]   # (alias site path, target path, src path);
    #                                             an alias with '?' is a query alias (?p=123)
    last_update: date | None
    options: BuildOptions
    next_publication: datetime | None           # when the next future item goes live
    index: SiteIndex = field(repr=False)
    # when anything derived from the build time may change next (buildday.source_bound)
    next_change: datetime | None = None


def is_published(src: SourcePage, options: BuildOptions) -> bool:
    if src.draft and not options.drafts:
        return False
    return not (src.date and src.date.at > options.now and not options.future)


def assemble(agency: Agency, region: Region, sources: list[SourcePage], files: SiteFiles,
             options: BuildOptions, t: Translator, md: MarkdownIt, diags: Diagnostics,
             left_out: frozenset[str] = frozenset(), kept: dict[str, str] | None = None,
             bodies: BodyCache | None = None) -> SiteModel:
    """Give every page its URL, render its body, and build the site's collections.

    `left_out`: broken items published without (isolate.py); `kept`: those of them whose
    old page stays, by site path, so links to them still resolve. `bodies`: the bodies of
    the last build, so an unchanged one is not parsed again (deps.py).
    """
    kept = kept or {}
    warn_far_future(sources, options.now, options.future, diags)
    sources = distinct_dated_slugs(sources)
    published = [s for s in sources if is_published(s, options)]
    unpublished = frozenset(s.src_path for s in sources if not is_published(s, options)
                            ) | (left_out - kept.keys())
    _check_collisions(published, files, agency, diags)
    page_paths = {s.site_path for s in published}
    page_paths |= {f"{name}/" for name in SECTIONS if any(s.section == name for s in published)}
    page_paths |= _folder_paths(published) | {"", "tag/", "cari/"} | set(kept.values())
    index = SiteIndex(
        agency_root=agency.root, base_url=agency.base_url, diag_prefix=agency.src_prefix,
        page_by_src={**kept, **{s.src_path: s.site_path for s in published}},
        unpublished=unpublished, page_paths=frozenset(page_paths),
        files=dict(_file_map(files)),
    )
    tag_names: dict[str, str] = {}
    pages = [_make_page(s, agency, region, index, options, t, md, diags, tag_names, bodies)
             for s in published if not s.is_section_intro]
    intros = {s.site_path: s for s in published if s.is_section_intro}

    sections: dict[str, SectionList] = {}
    for name, spec in SECTIONS.items():
        items = [p for p in pages if p.section == name]
        if not items and f"{name}/" not in intros:
            continue
        ordered = _link_neighbours(_order(items, spec.sort))
        linked = {o.src_path: o for o in ordered}
        pages = [linked.get(p.src_path, p) for p in pages]
        intro_src = intros.get(f"{name}/")
        sections[name] = SectionList(
            name=name, title=intro_src.title if intro_src else t.label("sections", name) or name,
            path=f"{name}/", items=tuple(p for p in ordered if not p.expired),
            all_items=tuple(ordered),
            intro=_render_intro(intro_src, index, md, diags), dated=spec.dated,
        )

    tags: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        for tag in page.tags:
            tags[tag.slug].append(page)
    tag_index = {slug: (TagRef(tag_names[slug], slug, f"tag/{slug}/"),
                        tuple(_order(items, "date")))
                 for slug, items in sorted(tags.items())}

    resolver = PageResolver(index, "site.yaml", "", diags, agency.src_prefix + "site.yaml")
    head = agency.head or {}
    greeting = None
    if head.get("greeting"):
        greeting = Markup(markdown.render(md, head["greeting"], agency.line_of("head.greeting")
                                          or 1, resolver).html)
    logo = _image(resolver, agency.logo, agency.line_of("logo"), agency.name, "logo")
    photo = _image(resolver, head.get("photo"), agency.line_of("head.photo"),
                   head.get("name") or agency.name, "photo")
    home_src = intros.get("")
    aliases = _aliases(pages, agency, page_paths, diags)
    # what the public sees as "last updated": never a date still in the future
    dates = [d for p in pages if (d := p.updated or p.date) is not None and d <= options.now]
    return SiteModel(
        agency=agency, region=region, pages=tuple(pages), sections=sections, tags=tag_index,
        menu=_menu(agency, pages, sections, intros, t, diags),
        home_intro=_render_intro(home_src, index, md, diags), greeting=greeting,
        logo=logo, head_photo=photo, files=index.files, aliases=aliases,
        last_update=max(dates).date() if dates else None,
        options=options, index=index,
        next_publication=min((s.date.at for s in sources if s.date and not s.draft
                              and s.date.at > options.now and not options.future), default=None),
        next_change=source_bound(
            (v for s in sources for v in (s.date, s.updated, *s.extra.values())),
            options.now, 10**6 if options.future else FAR_FUTURE_DAYS),
    )


def _file_map(files: SiteFiles) -> list[tuple[str, str]]:
    return [(site_path, src) for src, site_path in files.resources]


def _folder_paths(published: list[SourcePage]) -> set[str]:
    """Plain-page folders get a list page (profil/), unless an index page is there already."""
    return {folder for s in published if s.section and s.section not in SECTIONS
            for folder in urls.parent_folders(s.site_path)}


def _check_collisions(published: list[SourcePage], files: SiteFiles, agency: Agency,
                      diags: Diagnostics) -> None:
    writers: dict[str, list[str]] = defaultdict(list)
    for s in published:
        writers[urls.dest_for(s.site_path)].append(s.src_path)
    for src, site_path in files.resources:
        writers[site_path].append(src)
    for dest, srcs in writers.items():
        if len(srcs) > 1:
            shown, invisible = show_names(srcs)
            diags.error(f"{agency.src_prefix}{srcs[0]}", None,
                        f"{agency.slug}/{dest} is written by {len(srcs)} files: {shown}",
                        invisible or "give one of them another file name or 'slug'",
                        code=URL_COLLISION)
    for s in published:
        if any(s.site_path.startswith(g) for g in GENERATED_PATHS if g.endswith("/")):
            diags.error(s.diag_path, None, f"'{s.site_path}' is a path skpdgen generates itself",
                        "move the file to another folder")


def _make_page(src: SourcePage, agency: Agency, region: Region, index: SiteIndex,
               options: BuildOptions, t: Translator, md: MarkdownIt, diags: Diagnostics,
               tag_names: dict[str, str], bodies: BodyCache | None = None) -> Page:
    resolver = PageResolver(index, src.src_path, src.site_path, diags)
    if bodies is None:
        rendered = markdown.render(md, src.body, src.body_line, resolver)
    else:
        rendered = bodies.render(
            lambda r: markdown.render(md, src.body, src.body_line, r), resolver,
            lambda: PageResolver(index, src.src_path, src.site_path, Diagnostics()),
            src.src_path, src.site_path, src.body, src.body_line)
    spec = spec_for(src.section)
    extra: dict[str, Any] = dict.fromkeys(_EXTRA_KEYS)
    extra.update(src.extra)
    if src.section == "dokumen" and src.extra.get("file"):
        extra["file"] = _file_ref(resolver, src.extra["file"], src.lines.get("file"))
    extra["category_label"] = t.label("categories", extra.get("category"))
    extra["stage_label"] = t.label("stages", extra.get("stage"))
    expires = src.extra.get("expires")
    tags = []
    for name in src.tags:
        slug = urls.slugify(name)
        if not slug:
            diags.warning(src.diag_path, src.lines.get("tags"), f"tag '{name}' has no letters")
            continue
        # a tag written as a slug (tenaga-kesehatan) is shown as words (tenaga kesehatan)
        if name == slug:
            name = name.replace("-", " ")
        tag_names.setdefault(slug, name)
        tags.append(TagRef(name, slug, f"tag/{slug}/"))
    section_title = (t.label("sections", src.section) or src.section) if src.section else ""
    return Page(
        kind="item" if src.section in SECTIONS else "page",
        src_path=src.src_path, diag_path=src.diag_path, title=src.title, path=src.site_path,
        url=agency.base_url + src.site_path, section=src.section, section_title=section_title,
        date=src.date.at if src.date else None, has_time=bool(src.date and src.date.has_time),
        updated=src.updated.at if src.updated else None,
        summary=src.summary or rendered.first_paragraph,
        content=Markup(rendered.html),
        image=_image(resolver, src.image, src.lines.get("image"), src.image_alt or "", "image"),
        tags=tuple(tags), draft=src.draft, author=src.author, weight=src.weight, extra=extra,
        toc=rendered.toc, anchors=rendered.anchors,
        aliases=tuple(src.aliases),
        expired=bool(expires and expires < options.today and spec.name == "pengumuman"),
    )


_EXTRA_KEYS = tuple(dict.fromkeys(
    [name for spec in SECTIONS.values() for name in spec.fields]
    + ["category_label", "stage_label"]))


def _image(resolver: PageResolver, ref: str | None, line: int | None, alt: str, what: str
           ) -> ImageRef | None:
    if not ref:
        return None
    site_path = resolver.file_site_path(ref, line, what)
    if site_path is None or not resolver.image_ok(site_path, line):
        return None
    size = media.image_size(resolver.abs_file(site_path))
    return ImageRef(site_path, resolver.index.base_url + quote(media.published_path(site_path)),
                    size[0] if size else None, size[1] if size else None, alt)


def _file_ref(resolver: PageResolver, ref: str, line: int | None) -> FileRef | None:
    site_path = resolver.file_site_path(ref, line, "file")
    if site_path is None:
        return None
    name = site_path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].upper() if "." in name else ""
    return FileRef(site_path, resolver.index.base_url + quote(site_path), name, ext,
                   media.file_size(resolver.abs_file(site_path)))


def _render_intro(src: SourcePage | None, index: SiteIndex, md: MarkdownIt, diags: Diagnostics
                  ) -> Markup | None:
    if src is None or not src.body.strip():
        return None
    resolver = PageResolver(index, src.src_path, src.site_path, diags)
    return Markup(markdown.render(md, src.body, src.body_line, resolver).html)


def _order(items: list[Page], sort: str) -> list[Page]:
    if sort == "date":
        return sorted(items, key=lambda p: (p.date.timestamp() if p.date else 0, p.title),
                      reverse=True)
    if sort == "start":
        return sorted(items, key=lambda p: (_start(p), p.title), reverse=True)
    if sort == "year":
        return sorted(items, key=lambda p: (-(p.extra.get("year") or 0), p.weight or 0, p.title))
    return sorted(items, key=lambda p: (p.weight or 0, p.title))


def _start(page: Page) -> float:
    start = page.extra.get("start")
    return start.at.timestamp() if isinstance(start, When) else 0.0


def _link_neighbours(ordered: list[Page]) -> list[Page]:
    """Each item with links to the items before and after it in its section's order."""
    result = []
    for i, page in enumerate(ordered):
        prev = ordered[i - 1] if i > 0 else None
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        result.append(replace(page, prev=Link(prev.title, prev.path) if prev else None,
                              next=Link(nxt.title, nxt.path) if nxt else None))
    return result


def _aliases(pages: list[Page], agency: Agency, page_paths: set[str], diags: Diagnostics
             ) -> tuple[tuple[str, str, str], ...]:
    seen: dict[str, str] = {}
    result = []
    for page in pages:
        for raw in page.aliases:
            alias = urls.clean_alias(raw) or urls.query_alias(raw)
            if alias is None:   # reported with its line by load_page
                continue
            if alias in page_paths or alias in seen:
                other = seen.get(alias, "a page")
                diags.error(page.diag_path, None, f"alias '{raw}' is already used by {other}",
                            "remove one of them")
                continue
            seen[alias] = page.src_path
            result.append((alias, page.path, page.src_path))
    return tuple(result)


MENU_ORDER = ("berita", "pengumuman", "agenda", "layanan", "dokumen", "inovasi")


def _menu(agency: Agency, pages: list[Page], sections: dict[str, SectionList],
          intros: dict[str, SourcePage], t: Translator, diags: Diagnostics
          ) -> tuple[MenuEntry, ...]:
    if agency.menu is not None:
        entries = []
        for item in agency.menu:
            target = item["url"]
            parts = safeurl.split(target)   # validated in site.yaml: http(s), mailto, tel, path
            external = bool(parts and parts.scheme)
            path = target if external else (target.strip("/") + "/" if target.strip("/") else "")
            entries.append(MenuEntry(item["title"], path, external))
        return tuple(entries)
    entries = [MenuEntry(t("home.title"), "")]
    plain_top: dict[str, tuple[int, str, str]] = {}
    for page in pages:
        if page.kind != "page":
            continue
        top = page.path.split("/", 1)[0] + "/"
        folder = top != page.path
        title = (t.label("sections", top[:-1]) or top[:-1].replace("-", " ").title()
                 if folder else page.title)
        if folder and top in intros:
            title = intros[top].title
        weight = page.weight or 0
        if top not in plain_top or weight < plain_top[top][0]:
            plain_top[top] = (weight, title, top)
    for _weight, title, path in sorted(plain_top.values(), key=lambda e: (e[0], e[1])):
        entries.append(MenuEntry(title, path))
    entries += [MenuEntry(sections[name].title, sections[name].path)
                for name in MENU_ORDER if name in sections]
    return tuple(entries)
