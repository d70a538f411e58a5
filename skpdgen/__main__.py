"""Allow `python -m skpdgen`."""

from skpdgen.cli import main

raise SystemExit(main())
