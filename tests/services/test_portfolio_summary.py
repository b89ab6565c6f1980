"""The portfolio dashboard precomputed by its job (``portfolio_summary``): the default period's figures kept for
the whole bank and each branch, in each language, read back exactly as computed, with their time; any other
filters computed live."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import analytics as analytics_jobs
from app.models import PortfolioSummary
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard import portfolio, portfolio_summary
from app.services.analytics.portfolio_dashboard.portfolio_sections import compute
from app.services.analytics.rights import Reach
from tests.factories import shown
from tests.services.portfolio_book import build


def test_the_job_keeps_each_scope_and_the_page_reads_it_back_exactly(app, deployed, people):
    book = build(people)
    kept = analytics_jobs.precompute_portfolio()
    assert kept == 3 * len(app.config["LANGUAGES"])  # the bank, head office's officers and Shanghai's
    assert db.session.scalar(select(func.count()).select_from(PortfolioSummary)) == kept
    assert analytics_jobs.precompute_portfolio() == kept  # run again: the same rows replaced
    assert db.session.scalar(select(func.count()).select_from(PortfolioSummary)) == kept
    default = Filters.parse({})
    with force_locale("en"):
        page = portfolio.dashboard(people.risk, default)
        assert page.precomputed
        live = compute(Reach(None), default)
        assert [shown(f) for s in page.sections for f in s.figures] == [
            shown(f) for s in live for f in s.figures
        ]
        branch = portfolio.dashboard(book.sh_approver, default)
        assert branch.precomputed and not branch.whole_bank
        other = portfolio.dashboard(people.risk, Filters(date(2025, 1, 1), default.date_to))
        assert not other.precomputed
    with force_locale("zh_CN"):
        page = portfolio.dashboard(people.risk, default)
        assert page.precomputed and page.sections[0].title == compute(Reach(None), default)[0].title


def test_the_job_is_on_beat(app):
    entry = app.extensions["celery"].conf.beat_schedule["precompute-portfolio"]
    assert entry["task"] == "app.jobs.analytics.precompute_portfolio"
    assert portfolio_summary.scope_of(Reach("shanghai")) == "branch:shanghai"
