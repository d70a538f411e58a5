"""The browser editor (Decap CMS) of each agency, generated from the content schema."""

# The editor's local backend, answered by `skpdgen serve` only (serve/editor_api.py). The build
# writes this URL into config.yml; serve rewrites it to its own origin and token when it serves
# the file (Decap wants an absolute URL, and uses it only on a localhost page).
LOCAL_API_PATH = "/_skpdgen/editor/api/v1"
LOCAL_API_BUILT = "http://localhost:8000" + LOCAL_API_PATH
