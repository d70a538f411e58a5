"""Creating files for users: a new agency, a new content file, a new region (init)."""
from __future__ import annotations
