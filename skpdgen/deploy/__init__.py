"""`skpdgen deploy`: publish build/ to the targets of skpdgen.yaml, agency by agency safely.

    plan = make_plan(region, build)          # healthy agencies + portal; failed ones held back
    outcome = publish(region, target, plan)  # git: one commit on a branch; dir, ssh: a new release

An agency whose last build failed keeps exactly the version that is live now (carried over
from the target), while every healthy agency and the portal go live.
"""

from skpdgen.deploy.run import publish, rollback

__all__ = ["publish", "rollback"]
