"""Policy impact of a draft table over a whole portfolio: the impact's time, and its evaluation against the
per-row engine loop over the same frame.

Run from the repository root::

    .venv/bin/python bench/policy_impact.py [--customers 10000] [--repeat 3]

A fresh SQLite file is filled with ``--customers`` customers with a live facility (Core inserts, seeded):
master data, a grade and five-category class, two annual statements and two monitoring observations each.
For four tables a one-cell draft is made (a review frequency, a warning threshold, a rating boundary, a
limit cap) and measured:

* **impact** — ``policy_impact.impact`` end to end, as the page runs it (median of ``--repeat``), and its
  parts: building the frame (``impact_frames.portfolio_frame``: queries, and ``analyse_financials`` per
  customer for the grade), evaluating both tables vectorized, and comparing the results;
* **per-row** — ``evaluate_rows`` on both tables over the same frame (``Decision.evaluate`` on each
  customer's context, what a loop over customers would do), once; ``speed-up`` is per-row time ÷ vectorized
  evaluation time, measured in the same run, and ``same`` says the two gave equal results cell for cell.

Prints figures, asserts nothing, exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from app import create_app  # noqa: E402
from app.engine.dmn import load_dmn  # noqa: E402
from app.engine.dmn.vectorized import compile_decision, evaluate_rows  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Customer,
    Facility,
    FinancialStatement,
    Observation,
    ProcessDefinition,
    ProcessInstance,
    User,
)
from app.services.admin.demo import statement  # noqa: E402
from app.services.design.impact import policy_impact  # noqa: E402
from app.services.design.impact.impact_frames import portfolio_frame  # noqa: E402
from config import TestingConfig  # noqa: E402

RULES = ROOT / "rules"
DRAFTS = {  # one cell changed in each
    "review_frequency.dmn": ('<text>"BB","BBB"</text>', '<text>"A","BB","BBB"</text>'),
    "warning_rules.dmn": ("<text>&gt; 95</text>", "<text>&gt; 80</text>"),
    "credit_rating.dmn": ("<text>[0.001..0.0025)</text>", "<text>[0.001..0.004)</text>"),
    "limit_proposal.dmn": ("<text>300000000</text>", "<text>350000000</text>"),
}
INDUSTRIES = (
    "manufacturing",
    "wholesale_retail",
    "construction",
    "real_estate",
    "technology",
    "services",
    "agriculture",
    "transport",
)


def fill(n: int) -> None:
    rng = random.Random(n)
    conn = db.session.connection()
    conn.execute(
        User.__table__.insert(),
        [
            dict(
                id=1,
                username="designer",
                display_name="d",
                password_hash="x",
                role="designer",
                branch="head_office",
            )
        ],
    )
    conn.execute(
        ProcessDefinition.__table__.insert(),
        [
            dict(
                id=1,
                process_id="credit_application",
                name="c",
                version=1,
                content_hash="h",
                bpmn_file="f",
                bpmn_xml="",
                dmn_files={},
                forms={},
                called_files={},
            )
        ],
    )
    customers, instances, facilities, statements, observations = [], [], [], [], []
    today = date.today()
    for i in range(1, n + 1):
        customers.append(
            dict(
                id=i,
                name=f"客户{i:06d}",
                uscc=f"U{i:017d}",
                industry=rng.choice(INDUSTRIES),
                size=rng.choice(("large", "medium", "small", "micro")),
                credit_record=rng.choice(
                    ("clean", "clean", "clean", "minor_delinquency", "serious_delinquency")
                ),
                listed=rng.random() < 0.1,
                watchlist=False,
                segment=rng.choice(("large_corporate", "mid_corporate", "sme", "sme", "micro", "restricted")),
                grade=rng.choice(("AAA", "AA", "A", "A", "BBB", "BBB", "BB", "B", "CCC")),
                loan_class=rng.choice(("normal",) * 8 + ("special_mention", "substandard")),
                group_name="集团" if rng.random() < 0.15 else None,
            )
        )
        instances.append(
            dict(
                id=i,
                reference=f"CA-{i:07d}",
                definition_id=1,
                process_id="credit_application",
                customer_id=i,
                status="completed",
                outcome="approved",
                summary={},
                open_tasks=[],
                waiting_timers=0,
                state="",
                serializer_version="x",
                version=1,
            )
        )
        facilities.append(
            dict(
                customer_id=i,
                instance_id=i,
                status="frozen" if rng.random() < 0.03 else "active",
                limit_amount=rng.choice((2, 5, 10, 50, 150, 300)) * 1_000_000,
            )
        )
        assets, health = rng.uniform(5e7, 3e9), rng.uniform(0.0, 1.4)
        for year in (2024, 2025):
            items = statement(year, assets * (0.95 if year == 2024 else 1.0), health, rng)
            items.pop("fiscal_year")
            statements.append(dict(customer_id=i, fiscal_year=year, items=items))
        for days_ago in (35, 4):
            observations.append(
                dict(
                    customer_id=i,
                    observed_on=today - timedelta(days=days_ago),
                    source="import",
                    utilization_pct=round(rng.uniform(20, 100), 1),
                    days_past_due=rng.choice((0,) * 12 + (8, 40)),
                    enforcement_records=rng.choice((0,) * 20 + (1,)),
                    negative_news=rng.random() < 0.03,
                    collateral_value=rng.choice((None, 1e6, 5e6, 2e7, 1e8)),
                    external_rating=rng.choice(("AA", "A", "BBB", "BB", None)),
                )
            )
    for table, rows in (
        (Customer, customers),
        (ProcessInstance, instances),
        (Facility, facilities),
        (FinancialStatement, statements),
        (Observation, observations),
    ):
        for start in range(0, len(rows), 10_000):
            conn.execute(table.__table__.insert(), rows[start : start + 10_000])
    db.session.commit()


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def same(a, b) -> bool:
    return list(a.columns) == list(b.columns) and all(
        [(type(x), repr(x)) for x in a[c].tolist()] == [(type(x), repr(x)) for x in b[c].tolist()]
        for c in a.columns
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the impact (median)")
    args = parser.parse_args(argv)
    path = Path(tempfile.mkdtemp()) / "impact.sqlite"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        fill(args.customers)
        print(
            f"policy impact over {args.customers:,} customers (filled in {time.perf_counter() - t0:.1f} s), "
            f"SQLite file, {os.cpu_count()} cpu(s), python {sys.version.split()[0]}, "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        designer = db.session.get(User, 1)
        print(
            f"{'table':<22}{'changed':>9}{'impact s':>10}{'frame s':>9}{'vector s':>10}{'compare s':>11}"
            f"{'per-row s':>11}{'speed-up':>10}  same"
        )
        for name, (old, new) in DRAFTS.items():
            text = (RULES / name).read_text(encoding="utf-8")
            draft_xml = text.replace(old, new)
            current = load_dmn(text, name).decisions[name[:-4]]
            draft = load_dmn(draft_xml, name).decisions[name[:-4]]
            impact_s, found = timed(
                lambda n=name, x=draft_xml: policy_impact.impact(designer, n, x), args.repeat
            )
            frame_s, frame = timed(lambda c=current, d=draft: portfolio_frame(c, d), args.repeat)
            vector_s, (before, after) = timed(
                lambda c=current, d=draft, f=frame: (
                    compile_decision(c).evaluate(f.inputs),
                    compile_decision(d).evaluate(f.inputs),
                ),
                args.repeat,
            )
            compare_s, _ = timed(
                lambda c=current, d=draft, b=before, a=after, f=frame: policy_impact.compare(c, d, b, a, f),
                args.repeat,
            )
            row_s, (ref_before, ref_after) = timed(
                lambda c=current, d=draft, f=frame: (evaluate_rows(c, f.inputs), evaluate_rows(d, f.inputs)),
                1,
            )
            print(
                f"{name:<22}{found.changed:>9,}{impact_s:>10.3f}{frame_s:>9.3f}{vector_s:>10.3f}{compare_s:>11.3f}"
                f"{row_s:>11.2f}{row_s / vector_s:>9.0f}x  {same(before, ref_before) and same(after, ref_after)}"
            )
        db.session.remove()
        db.engine.dispose()
    print("impact = frame + vector (both tables) + compare, end to end; speed-up = per-row ÷ vector.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
