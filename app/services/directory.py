"""Who is in a group, for the diagrams: the directory functions the engine's scripts may call.

People and groups live in the database, not in a diagram, so the services hand these functions
to each engine step (``engine.scripting.DIRECTORY_FUNCTIONS`` names them).
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, select

from app.extensions import db
from app.localtime import local_today
from app.models import Qualification, User, UserGroup

_MEMBERS = (select(User.username).join(UserGroup, UserGroup.user_id == User.id)
            .where(UserGroup.group_code == bindparam("group"), User.active.is_(True),
                   exists().where(Qualification.user_id == User.id, Qualification.valid_until >= bindparam("today")))
            .order_by(User.username))


def members_of(group: str) -> list[str]:
    """Usernames of the active members of ``group`` holding a valid qualification, in a stable order."""
    return list(db.session.scalars(_MEMBERS, {"group": group, "today": local_today()}))


DIRECTORY = {"members_of": members_of}
