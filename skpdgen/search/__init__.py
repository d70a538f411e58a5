"""Search with Pagefind: one index per agency, the portal's index merged from them at query time.

Each agency's HTML carries `data-pagefind-body` on the page content of items and plain pages
(lists, tags, the home page and redirects are left out), its name and section as Pagefind meta
and filters; navigation, footer and the official banner are outside that body. The agency's
index is written into its own output (`<slug>/pagefind/`) before the output is swapped in, so a
broken agency keeps its last good site *and* index. The portal's `/pagefind/` holds a tiny index
of the agencies themselves; its `/cari/` page merges every agency's index in the browser
(Pagefind's `mergeIndex`), so nothing is re-indexed to keep the portal's search current.
"""

from typing import TYPE_CHECKING, Any

from skpdgen.search.indexer import (
    ENTRY,
    INDEX_DIR,
    SearchError,
    carry_over,
    has_index,
    index_site,
    prepare_index,
)

if TYPE_CHECKING:
    from skpdgen.search.portal_index import write_portal_index


def __getattr__(name: str) -> Any:
    """write_portal_index on first use: it brings the agencies' summaries and the translator,
    which a no-op build (reading only the indexer's names) never needs."""
    if name == "write_portal_index":
        from skpdgen.search.portal_index import write_portal_index
        return write_portal_index
    raise AttributeError(name)


__all__ = ["ENTRY", "INDEX_DIR", "SearchError", "carry_over", "has_index", "index_site", "prepare_index",
           "write_portal_index"]
