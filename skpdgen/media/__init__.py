"""Images: facts read from headers, the rendition plan, encoding, markup, share cards.

`image_size` and `file_size` stay importable from `skpdgen.media` as before.
"""

from skpdgen.media.facts import ImageFacts, ImageProblem, file_size, image_size, probe
from skpdgen.media.plan import is_processed, plan_for, published_path

__all__ = ["ImageFacts", "ImageProblem", "file_size", "image_size", "is_processed",
           "plan_for", "probe", "published_path"]
