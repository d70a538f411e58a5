"""Content files: front matter, section specs, loading into frozen source pages."""
