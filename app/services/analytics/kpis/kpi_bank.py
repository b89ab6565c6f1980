"""The whole bank's KPI frames of a period and of the one before, read once and narrowed in memory to any scope
(the bank, a branch, one person): what the job that keeps every scope's pages (``kpi_refresh``) computes them
from, instead of one read of the tables per scope. Read without a segment: the kept pages are the default
filters' (a segment asked for is computed live).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_data
from app.services.analytics.kpis.kpi_people import PeriodFrames
from app.services.analytics.kpis.kpi_process import Frames
from app.services.analytics.kpis.kpi_rights import KpiReach


@dataclass(frozen=True)
class BankFrames:
    now: PeriodFrames
    before: PeriodFrames
    open: pd.DataFrame  # the applications running now
    branch_of: dict[int, str]  # each person's branch

    @classmethod
    def read(cls, filters: Filters) -> BankFrames:
        whole = replace(filters, branch=None, segment=None)
        return cls(
            PeriodFrames.read(whole),
            PeriodFrames.read(whole.previous()),
            kpi_data.open_cases(KpiReach(), whole),
            {int(i): str(b) for i, b in db.session.execute(select(User.id, User.branch))},
        )

    def process(self, scope: KpiReach) -> tuple[Frames, Frames]:
        """The process frames of this period and the previous one over the cases of ``scope``."""
        return self._narrowed(self.now.process, scope), self._narrowed(self.before.process, scope)

    def open_cases(self, scope: KpiReach) -> pd.DataFrame:
        return self.open[scope.case_rows(self.open, self.branch_of)]

    def _narrowed(self, frames: Frames, scope: KpiReach) -> Frames:
        if scope.whole_bank:
            return frames
        return Frames(
            frames.tasks[scope.case_rows(frames.tasks, self.branch_of)],
            frames.decisions[scope.case_rows(frames.decisions, self.branch_of)],
        )
