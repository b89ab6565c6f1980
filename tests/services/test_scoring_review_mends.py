"""The defects an adversarial review found in the scoring models, each reproduced: a row one cell too wide
shifting every later cell, a control character in a header, an unknown outcome read as good, an unseen category
scored as the safest bin, a large group without defaults merged away, a job delivered twice training twice, a
run left running for ever with its file, a failed run keeping its file, two champions at once."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ScoringModel, ScoringTrainingRun
from app.models.base import utcnow
from app.scoring import binning, synthetic
from app.services.scoring import training_runs, versions
from app.services.shared import job_runs

BOOK = synthetic.book(1500, seed=17)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def refusal(content: bytes, name: str = "book.csv") -> str:
    with pytest.raises(versions.DataRefused) as caught:
        versions.train_from_file(name, content, "defaulted", "1")
    return caught.value.message


def test_a_row_wider_than_the_header_is_refused_and_a_trailing_comma_is_not(english_request):
    lines = csv_bytes(BOOK).decode().splitlines()
    lines[3] += ",extra"
    assert "rows 4 have more cells than the header has columns" in refusal("\n".join(lines).encode())
    lines[3] = lines[3].removesuffix("extra")  # a trailing empty cell only
    kept = versions.train_from_file("book.csv", "\n".join(lines).encode(), "defaulted", "1")
    assert kept.rows == 1500


def test_a_control_character_in_a_header_is_refused_and_written_out(english_request):
    frame = BOOK.rename(columns={"roa": "r\x00oa"})
    assert "r\\u0000oa" in refusal(csv_bytes(frame)) and "\x00" not in refusal(csv_bytes(frame))


def test_an_unknown_outcome_is_refused_not_read_as_good(english_request):
    frame = BOOK.astype({"defaulted": object})
    frame.loc[5, "defaulted"] = "nan"
    assert "row 7: the target defaulted is empty" in refusal(csv_bytes(frame))


def test_an_unseen_category_never_scores_as_the_safest_bin():
    values = pd.Series(["A"] * 400 + ["B"] * 400 + [None] * 400, dtype=object)
    bad = np.r_[np.zeros(380), np.ones(20), np.zeros(300), np.ones(100), np.zeros(396), np.ones(4)].astype(
        np.int8
    )
    found = binning.bin_feature("kind", "categorical", values, bad, monotonic=False)
    missing = next(i for i, b in enumerate(found.bins) if b.missing)
    assert found.bins[missing].woe == max(b.woe for b in found.bins)  # missing is the safest here
    unseen = found.assign(pd.Series(["Z"], dtype=object))[0]
    assert found.bins[unseen].woe == min(b.woe for b in found.bins)


def test_a_large_group_without_defaults_keeps_its_own_bin():
    flag = pd.Series([1.0] * 900 + [0.0] * 2100)
    bad = np.r_[np.zeros(900), (np.arange(2100) % 5 == 0)].astype(np.int8)
    found = binning.bin_feature("flag", "numeric", flag, bad, monotonic=True)
    assert len(found.bins) == 2 and found.iv > 0.3


@pytest.fixture
def asked(people, no_worker):
    return training_runs.request(
        people.risk, "book.csv", csv_bytes(BOOK), {"target": "defaulted", "bad": "1"}
    )


def test_a_job_delivered_twice_trains_once(asked):
    training_runs.run(asked.id)  # the job, then the same job delivered again: it finds the run done
    training_runs.run(asked.id)
    assert db.session.scalar(select(func.count()).select_from(ScoringModel)) == 1
    assert (asked.status, asked.content) == ("done", None), asked.problems


def test_a_run_whose_worker_was_lost_is_queued_again_and_trains(people, no_worker):
    run = training_runs.request(people.risk, "book.csv", csv_bytes(BOOK), {"target": "defaulted", "bad": "1"})
    run.requested_at = utcnow() - timedelta(hours=2)  # asked for long ago, taken a minute ago: not lost
    run.status, run.attempted_at, run.attempts = "running", utcnow() - timedelta(minutes=1), 1
    db.session.commit()
    assert training_runs.get(people.risk, run.id).status == "running"
    assert training_runs.run(run.id).status == "running"  # a redelivery while it trains takes nothing
    run.attempted_at = (
        utcnow() - training_runs.LOST_AFTER - timedelta(seconds=1)
    )  # its worker killed outright
    db.session.commit()
    assert training_runs.get(people.risk, run.id).status == "queued"  # looked at: queued again
    assert training_runs.run(run.id).status == "done" and run.attempts == 2 and run.content is None


def test_a_run_that_kills_its_worker_every_time_is_failed_and_its_file_dropped(people, no_worker):
    run = training_runs.request(people.risk, "book.csv", csv_bytes(BOOK), {"target": "defaulted", "bad": "1"})
    run.status, run.attempts = "running", job_runs.MAX_ATTEMPTS
    run.attempted_at = utcnow() - training_runs.LOST_AFTER - timedelta(seconds=1)
    db.session.commit()
    assert training_runs.get(people.risk, run.id).status == "failed"
    assert run.content is None and run.problems[0]["msgid"].startswith("the training did not finish in time")


def test_a_worker_taken_over_keeps_nothing(asked, monkeypatch):
    def lost_meanwhile(*args, **kwargs):  # while this worker trains, the run is found lost and taken again
        db.session.execute(
            update(ScoringTrainingRun)
            .where(ScoringTrainingRun.id == asked.id)
            .values(attempted_at=utcnow())
            .execution_options(synchronize_session=False)  # another worker's session: not this one's objects
        )
        return trained(*args, **kwargs)

    trained = versions.train_from_file
    monkeypatch.setattr(versions, "train_from_file", lost_meanwhile)
    training_runs.run(asked.id)
    assert db.session.scalar(select(func.count()).select_from(ScoringModel)) == 0
    assert (asked.status, asked.model_id) == ("running", None)  # the worker that took it over finishes it


def test_a_run_that_fails_unexpectedly_drops_its_file_and_shows_no_internals(people, no_worker, monkeypatch):
    run = training_runs.request(people.risk, "book.csv", csv_bytes(BOOK), {"target": "defaulted", "bad": "1"})

    def broken(*args, **kwargs):
        raise RuntimeError("psycopg.errors.Secret: INSERT INTO scoring_model ...")

    monkeypatch.setattr(versions, "train_from_file", broken)
    with pytest.raises(RuntimeError):
        training_runs.run(run.id)
    db.session.refresh(run)
    assert (run.status, run.content) == ("failed", None)
    assert "INSERT" not in str(run.problems)


def test_two_champions_cannot_stand(people):
    first = versions.train_from_file("book.csv", csv_bytes(BOOK), "defaulted", "1")
    second = versions.train_from_file("book.csv", csv_bytes(BOOK), "defaulted", "1")
    first.status = "champion"
    db.session.flush()
    second.status = "champion"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(ScoringModel.status == "champion")) == 0
