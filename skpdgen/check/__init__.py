"""`skpdgen check`: the gate CI runs before publishing.

The region is built in memory (nothing is written), then every internal link, anchor, image
and asset reference of the rendered output is resolved against the whole region (portal and
every agency), and each problem is reported at the source file and line where it is written.
"""

from skpdgen.check.run import CheckResult, check_region

__all__ = ["CheckResult", "check_region"]
