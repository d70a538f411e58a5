"""Links, anchors, images and assets: every reference of the output must reach a file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from skpdgen.check.findings import Finding
from skpdgen.check.scan import Ref
from skpdgen.check.tree import RegionTree, Target, TreeFile
from skpdgen.diagnostics import did_you_mean

WHAT = {"link": "link", "image": "image", "asset": "file"}
HINTS = {
    "link": "check the address; to link a page of this site, link its file: "
            "[text](../layanan/izin.md)",
    "image": "check the file name; paths starting with / are under the agency's static/ folder",
    "asset": "check the file name and folder",
}
ANCHOR_HINT = "anchors are made from headings: '## Jadwal Layanan' makes '#jadwal-layanan'"


def check_links(tree: RegionTree, files: Iterable[TreeFile]) -> Iterator[Finding]:
    """A finding for every reference in `files` that leads nowhere in the region."""
    for file in files:
        if not (file.is_html or file.is_css):
            continue
        for ref in tree.scan(file).refs:
            target = tree.resolve(file, ref.url)
            if target is None:
                continue
            finding = _problem(tree, file, ref, target)
            if finding is not None:
                yield finding


def _problem(tree: RegionTree, file: TreeFile, ref: Ref, target: Target) -> Finding | None:
    what = WHAT[ref.kind]
    if ref.url.split("#", 1)[0].split("?", 1)[0].endswith(".md"):
        message = f"{what} '{ref.url}' points to a Markdown file, which is not published"
        return _finding(tree, file, ref, target, message, "write the link relative to this "
                        "file, e.g. [text](../layanan/izin.md), so it becomes the page's address")
    if target.problem is not None:
        return _finding(tree, file, ref, target, f"{what} '{ref.url}' {target.problem}",
                        HINTS[ref.kind])
    if target.path is None:
        message = f"{what} '{ref.url}' leads nowhere: nothing is published at {target.wanted}"
        return _finding(tree, file, ref, target, message, HINTS[ref.kind])
    if ref.kind != "link":
        return None
    problem = tree.anchor_problem(target)
    if problem is None:
        return None
    ids = tree.scan(tree.files[target.path]).ids
    hint = did_you_mean(target.fragment, ids) or ANCHOR_HINT
    return _finding(tree, file, ref, target, f"link '{ref.url}': {problem}", hint, anchor=True)


def _finding(tree: RegionTree, file: TreeFile, ref: Ref, target: Target, message: str,
             hint: str, anchor: bool = False) -> Finding:
    url = ref.url
    needles = [url, unquote(url), url.removeprefix("./")]
    fragment = urlsplit(url).fragment
    if fragment:
        needles.append("#" + fragment)
        needles.append("#" + unquote(fragment))
    # the address inside the site, as a menu entry of site.yaml writes it: /profil-lama/
    site_path = target.wanted.removeprefix(tree.base_path).lstrip("/")
    if file.site and site_path.startswith(file.site + "/"):
        site_path = site_path[len(file.site) + 1:]
    config_needles = (url, site_path, site_path.rstrip("/")) if site_path.strip("/") else (url,)
    group = f"{ref.kind}|{target.wanted}|{fragment if anchor else ''}|{target.problem or ''}"
    return Finding(file, "error", message, hint, ref.line, tuple(dict.fromkeys(needles)),
                   tuple(dict.fromkeys(config_needles)), group)
