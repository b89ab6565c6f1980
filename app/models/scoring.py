"""Credit scoring models (模型管理): every trained model is a version kept whole and never overwritten — its
data's fingerprint, parameters, figures on the held-out rows, author, and the fitted model itself, signed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow

CANDIDATE, CHAMPION, CHALLENGER, RETIRED = "candidate", "champion", "challenger", "retired"


class ScoringModel(Model):
    """One version of a named model. ``features`` maps each column the model reads to numeric|categorical;
    ``figures`` holds the validation (AUC, KS, Gini, curves, deciles, Hosmer–Lemeshow, PSI, CSI, and a
    scorecard's bins and points); ``artifact`` is the pickled model and ``signature`` its HMAC under the
    application's secret, checked before it is ever unpickled."""

    __tablename__ = "scoring_model"
    __table_args__ = (
        UniqueConstraint("name", "version", name="uq_scoring_model_version"),
        # one champion: two approvals racing for it cannot both win (the later is refused, 409)
        Index(
            "uq_scoring_model_one_champion",
            "status",
            unique=True,
            sqlite_where=text("status = 'champion'"),
            postgresql_where=text("status = 'champion'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    algorithm: Mapped[str] = mapped_column(String(16))  # scorecard | gbm
    status: Mapped[str] = mapped_column(String(16), default=CANDIDATE, index=True)
    source: Mapped[str] = mapped_column(String(16))  # file | history
    source_name: Mapped[str] = mapped_column(String(200), default="")
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the data as read
    rows: Mapped[int] = mapped_column(Integer)
    defaults: Mapped[int] = mapped_column(Integer)
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    target: Mapped[str] = mapped_column(String(80))
    bad_value: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict] = mapped_column(JsonType)
    features: Mapped[dict] = mapped_column(JsonType)
    excluded: Mapped[list] = mapped_column(JsonType)
    figures: Mapped[dict] = mapped_column(JsonType)
    n_train: Mapped[int] = mapped_column(Integer)
    n_validation: Mapped[int] = mapped_column(Integer)
    artifact: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # megabytes: read only to score
    signature: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    author_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")


class ScoringModelDecision(Model):
    """One step of a version's governance, in order: proposed as champion or challenger (by one risk person),
    approved or rejected (by another: four-eyes), retired. The version's ``status`` is where they lead."""

    __tablename__ = "scoring_model_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("scoring_model.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # proposed | approved | rejected | retired | replaced
    role: Mapped[str | None] = mapped_column(String(16))  # champion | challenger (what was proposed)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User")


class ScoringTrainingRun(Model):
    """A training asked for in the browser or over the API: the file kept until the job has read it, its status,
    and the version it kept or the problems that refused its data."""

    __tablename__ = "scoring_training_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when last queued or taken by a worker, and how many times taken (``services.shared.job_runs``)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    finished_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="file")  # file | history
    file_name: Mapped[str] = mapped_column(String(200), default="")
    # the upload, read only by the job and dropped once it is done
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    target: Mapped[str] = mapped_column(String(80))
    bad_value: Mapped[str] = mapped_column(String(80))
    algorithm: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    monotonic: Mapped[list | None] = mapped_column(JsonType)  # None: every numeric column
    model_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_model.id"))
    problems: Mapped[list | None] = mapped_column(JsonType)  # stored messages, when the file was refused

    requested_by = relationship("User")
    model = relationship("ScoringModel")


class ScoringDriftCheck(Model):
    """One month's check of the scoring models in use (模型监测, ``services.scoring.drift``), never redone: the PSI
    of the champion's PD on the quarter's applications to the month's end against its training sample, the realised default rate per
    grade of the cases whose window closed by the month's end, each measure's level by ``rules/model_drift.dmn``,
    and how many people in model risk were told."""

    __tablename__ = "scoring_drift_check"
    # a month is checked once for each champion (``subject`` is model:<id>, or hand_set when there is none)
    __table_args__ = (UniqueConstraint("month", "subject", name="uq_scoring_drift_check_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, index=True)  # its first day
    subject: Mapped[str] = mapped_column(String(40))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_model.id"))
    model_label: Mapped[str] = mapped_column(String(120), default="")  # "history v3"; empty: no champion
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    applications: Mapped[int] = mapped_column(
        Integer, default=0
    )  # rated in the month and scored by the champion
    psi: Mapped[float | None] = mapped_column(Float)
    psi_level: Mapped[str] = mapped_column(String(16))
    # {"cuts": [...], "train": [...], "month": [...]}: the shares the PSI compares
    psi_shares: Mapped[dict | None] = mapped_column(JsonType)
    # [{"grade", "cases", "defaults", "realised", "predicted", "p_value", "level"}], best grade first
    grades: Mapped[list] = mapped_column(JsonType)
    # the back-test's cases: {"decided_from", "decided_before", "cases", "used", "defaults", "excluded": {...}}
    cohort: Mapped[dict] = mapped_column(JsonType)
    level: Mapped[str] = mapped_column(String(16))  # the worst of the measures'
    notified: Mapped[int] = mapped_column(Integer, default=0)
    # why as many were told: told | told_before (the month's earlier check told of it all) | nothing (nothing
    # past a threshold that tells) | quiet (checked without telling: the demo's past months)
    telling: Mapped[str] = mapped_column(String(16), default="nothing")

    model = relationship("ScoringModel")
