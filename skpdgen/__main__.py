"""Allow `python -m skpdgen`."""

from skpdgen.cli import run

run()
