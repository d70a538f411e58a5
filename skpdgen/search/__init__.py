"""Search with Pagefind: one index per agency, the portal's index merged from them at query time.

Each agency's HTML carries `data-pagefind-body` on the page content of items and plain pages
(lists, tags, the home page and redirects are left out), its name and section as Pagefind meta
and filters; navigation, footer and the official banner are outside that body. The agency's
index is written into its own output (`<slug>/pagefind/`) before the output is swapped in, so a
broken agency keeps its last good site *and* index. The portal's `/pagefind/` holds a tiny index
of the agencies themselves; its `/cari/` page merges every agency's index in the browser
(Pagefind's `mergeIndex`), so nothing is re-indexed to keep the portal's search current.
"""

from skpdgen.search.indexer import (
    ENTRY,
    INDEX_DIR,
    SearchError,
    carry_over,
    has_index,
    index_site,
    prepare_index,
)
from skpdgen.search.portal_index import write_portal_index

__all__ = ["ENTRY", "INDEX_DIR", "SearchError", "carry_over", "has_index", "index_site", "prepare_index",
           "write_portal_index"]
