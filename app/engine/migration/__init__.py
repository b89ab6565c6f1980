"""Moving a running workflow onto a newer deployed version of its process.

SpiffWorkflow's ``bpmn.util.diff`` aligns the old version's task specs with the new one's (by
element id first, then by position) and ``migrate_workflow`` re-points the task tree and resets
the ready and waiting tasks, so that what lies ahead of them is predicted from the new diagram.
Its own docs call both new and liable to change: nothing of it leaves this package, and a
migration is only ever kept when its result loads back onto the new version.

``compare`` holds what two versions differ in, ``preview`` what a case's move would do and what
blocks it, ``move`` the move itself.

What blocks a case (``Blocker``):
- a ready, waiting or running task whose element the new version removes, or changes in more than
  its sequence flows (a reset task keeps its own element, so a changed name, lane, form, script or
  event would leave it half old, half new);
- a ready or waiting task the new version reaches another way (its predecessor no longer leads to
  it, e.g. a boundary event now attached to it): the case cannot have taken that way;
- any task already passed on an element the new version removes: stored state names each task's
  element, and the new version could not load it;
- a running called process or subprocess the new version no longer includes.
"""

from app.engine.migration.compare import Changed, Element, SpecChanges, spec_changes
from app.engine.migration.move import listing, migrate, plan
from app.engine.migration.preview import Blocker, MigrationRefused, Plan, Standing

__all__ = [
    "Blocker",
    "Changed",
    "Element",
    "MigrationRefused",
    "Plan",
    "SpecChanges",
    "Standing",
    "listing",
    "migrate",
    "plan",
    "spec_changes",
]
