"""A list of ids of any length as one parameter (``id_lists.among``): seventy thousand ids, more than PostgreSQL's
protocol takes as parameters of one statement (65,535; what an IN over a million customers' ids ran into), select
exactly the rows they name, on either database; twice in one statement; none at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import User
from app.services.shared.id_lists import among

MANY = 70_000


def test_seventy_thousand_ids_are_one_parameter(people):
    everyone = set(db.session.scalars(select(User.id)))
    officer = people.officer.id
    assert set(db.session.scalars(select(User.id).where(among(User.id, range(1, MANY))))) == everyone
    others = [i for i in range(1, MANY) if i != officer]
    assert set(db.session.scalars(select(User.id).where(among(User.id, others)))) == everyone - {officer}
    both = select(User.id).where(among(User.id, others), among(User.id, [officer, people.officer2.id]))
    assert list(db.session.scalars(both)) == [people.officer2.id]
    assert list(db.session.scalars(select(User.id).where(among(User.id, [])))) == []


def test_an_in_list_of_as_many_fails_on_postgresql(people):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's own limit depends on how it was built")
    with pytest.raises(SQLAlchemyError):
        db.session.execute(select(User.id).where(User.id.in_(range(1, MANY)))).all()
    db.session.rollback()
