"""Who is in a group, for the diagrams: the directory functions the engine's scripts may call.

People and groups live in the database, not in a diagram, so the services hand these functions
to each engine step (``engine.scripting.DIRECTORY_FUNCTIONS`` names them).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from app.extensions import db
from app.models import User, UserGroup

_MEMBERS = (select(User.username).join(UserGroup, UserGroup.user_id == User.id)
            .where(UserGroup.group_code == bindparam("group"), User.active.is_(True))
            .order_by(User.username))


def members_of(group: str) -> list[str]:
    """Usernames of the active members of ``group``, in a stable order."""
    return list(db.session.scalars(_MEMBERS, {"group": group}))


DIRECTORY = {"members_of": members_of}
