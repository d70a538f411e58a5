"""Importers that bring an old site's content into an agency folder (WordPress for now)."""
