"""Typed configuration: the region (skpdgen.yaml) and each agency (site.yaml)."""
