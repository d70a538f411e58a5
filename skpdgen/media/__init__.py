"""Images: facts read from headers, the rendition plan, encoding, markup, share cards.

`image_size` and `file_size` stay importable from `skpdgen.media` as before.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skpdgen.media.facts import ImageFacts, ImageProblem, file_size, image_size, probe
    from skpdgen.media.plan import is_processed, plan_for, published_path

__all__ = ["ImageFacts", "ImageProblem", "file_size", "image_size", "is_processed",
           "plan_for", "probe", "published_path"]

_FROM = {"ImageFacts": "facts", "ImageProblem": "facts", "file_size": "facts",
         "image_size": "facts", "probe": "facts", "is_processed": "plan", "plan_for": "plan",
         "published_path": "plan"}


def __getattr__(name: str) -> Any:
    """The names above, imported on first use: facts.py imports Pillow, which a build that
    changes nothing never needs."""
    if name not in _FROM:
        raise AttributeError(name)
    import importlib
    return getattr(importlib.import_module(f"skpdgen.media.{_FROM[name]}"), name)
