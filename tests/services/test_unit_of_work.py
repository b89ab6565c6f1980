"""One unit of work: committed together on success, nothing on any error, a lost race as a Conflict, a unit
inside another joining it, and a unit of its own refusing to be joined (its writes would be rolled back
with the work around them)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import Conflict
from app.extensions import db
from app.models import AppSetting
from app.services.shared.unit_of_work import in_unit, unit_of_work


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(AppSetting))


def test_what_a_unit_writes_is_committed_when_it_ends(app):
    with unit_of_work():
        db.session.add(AppSetting(key="a", value="1"))
        assert in_unit()
    assert not in_unit()
    db.session.rollback()  # nothing pending: what is there was committed
    assert _count() == 1


def test_any_error_rolls_the_whole_unit_back_and_is_raised_again(app):
    with pytest.raises(ZeroDivisionError):
        with unit_of_work():
            db.session.add(AppSetting(key="a", value="1"))
            db.session.flush()
            1 / 0  # noqa: B018
    assert _count() == 0 and not in_unit()


def test_a_lost_race_is_a_conflict_named_by_the_caller(app):
    with unit_of_work():
        db.session.add(AppSetting(key="a", value="1"))
    db.session.expunge_all()  # as another process would: it does not know the row is there
    with pytest.raises(Conflict, match="someone else won"):
        with unit_of_work(lambda: Conflict("someone else won")):
            db.session.add(AppSetting(key="a", value="2"))  # the same key, taken meanwhile
    assert db.session.get(AppSetting, "a").value == "1"


def test_a_unit_inside_another_joins_it_and_the_outer_one_commits(app):
    with pytest.raises(RuntimeError):
        with unit_of_work():
            with unit_of_work():
                db.session.add(AppSetting(key="inner", value="1"))
            raise RuntimeError("the outer work fails after the inner unit ended")
    assert _count() == 0  # the inner unit's write went with the outer one


def test_a_unit_of_its_own_refuses_to_run_inside_another(app):
    with pytest.raises(RuntimeError, match="unit of its own"):
        with unit_of_work():
            with unit_of_work(own=True):
                pass
    with unit_of_work(own=True):
        db.session.add(AppSetting(key="alone", value="1"))
    assert _count() == 1
