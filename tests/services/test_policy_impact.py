"""Policy impact of a draft table: the counts equal a direct computation, customer by customer, with the
engine's own per-row evaluation (``Decision.evaluate``) of the table in rules/ and of the draft."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.engine.dmn import load_dmn
from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.models import Customer, Facility, FinancialStatement, Observation, ProcessDefinition, ProcessInstance
from app.risk.analysis import analyse_financials
from app.risk.errors import RiskInputError
from app.services.admin.demo import demo_uscc, statement
from app.services.design.impact.impact_frames import InputsUnavailable
from app.services.design.impact.policy_impact import impact
from app.services.monitoring import portfolio_inputs

RULES = Path(__file__).resolve().parents[2] / "rules"
INDUSTRIES = ("manufacturing", "wholesale_retail", "construction", "real_estate", "technology", "services")
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", None)
CLASSES = ("normal", "normal", "normal", "special_mention", "substandard", None)
SEGMENTS = ("large_corporate", "mid_corporate", "sme", "micro", "restricted")


def seed_portfolio(count: int = 40, seed: int = 7) -> list[int]:
    """``count`` customers with the data a portfolio has: most with a live facility (some frozen, some only an
    exited one), two statements (a few one or none), observations of the monitored figures. Returns the ids."""
    rng = random.Random(seed)
    definition = db.session.scalar(select(ProcessDefinition).limit(1))
    today, ids = date.today(), []
    for i in range(count):
        customer = Customer(
            name=f"测试客户{i:03d}",
            uscc=demo_uscc(500 + i),
            industry=rng.choice(INDUSTRIES),
            size=rng.choice(("large", "medium", "small", "micro")),
            credit_record=rng.choice(("clean", "clean", "minor_delinquency", "serious_delinquency")),
            listed=rng.random() < 0.2,
            segment=rng.choice(SEGMENTS),
            grade=rng.choice(GRADES),
            loan_class=rng.choice(CLASSES),
            group_name="集团甲" if rng.random() < 0.2 else None,
        )
        db.session.add(customer)
        db.session.flush()
        ids.append(customer.id)
        instance = ProcessInstance(
            reference=f"IMPACT-{i:04d}",
            definition_id=definition.id,
            process_id="credit_application",
            customer_id=customer.id,
            status="completed",
            outcome="approved",
            state="{}",
            serializer_version="test",
        )
        db.session.add(instance)
        db.session.flush()
        status = "exited" if i % 10 == 9 else "frozen" if i % 7 == 3 else "active"
        db.session.add(
            Facility(
                customer_id=customer.id,
                instance_id=instance.id,
                status=status,
                limit_amount=Decimal(rng.choice((2, 5, 20, 80, 300))) * 1_000_000,
            )
        )
        years = 0 if i % 13 == 5 else 1 if i % 11 == 4 else 2
        assets, health = rng.uniform(5e7, 2e9), rng.uniform(0.0, 1.4)
        for year in range(2026 - years, 2026):
            items = statement(year, assets * (0.9 + 0.05 * (year - 2023)), health, rng)
            items.pop("fiscal_year")
            db.session.add(FinancialStatement(customer_id=customer.id, fiscal_year=year, items=items))
        for days_ago in (40, 5):
            db.session.add(
                Observation(
                    customer_id=customer.id,
                    observed_on=today - timedelta(days=days_ago),
                    source="screen",
                    utilization_pct=Decimal(str(round(rng.uniform(30, 100), 1))),
                    days_past_due=rng.choice((0, 0, 0, 12, 45)),
                    enforcement_records=rng.choice((0, 0, 1)),
                    negative_news=rng.random() < 0.1,
                    collateral_value=Decimal(rng.choice((0, 1, 3, 9))) * 1_000_000
                    if rng.random() < 0.6
                    else None,
                    external_rating=rng.choice(("AA", "A", "BBB", "BB", None)),
                )
            )
    db.session.commit()
    return ids


def edited(name: str, old: str, new: str) -> str:
    text = (RULES / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


def live_customers() -> list[Customer]:
    live = select(Facility.customer_id).where(Facility.status.in_(portfolio_inputs.LIVE))
    return list(db.session.scalars(select(Customer).where(Customer.id.in_(live)).order_by(Customer.id)))


def per_row(name: str, xml: str, contexts: dict[int, dict]) -> dict[int, object]:
    """The engine's own answer for each customer, one evaluation at a time."""
    decision = load_dmn(xml, name).decisions[name.removesuffix(".dmn")]
    return {c: decision.evaluate(context).output for c, context in contexts.items()}


@pytest.fixture
def seeded(deployed, people):
    return seed_portfolio()


def test_a_review_frequency_cell_changed_counts_exactly_the_customers_the_engine_moves(seeded, people):
    draft = edited("review_frequency.dmn", '<text>"BB","BBB"</text>', '<text>"A","BB","BBB"</text>')
    found = impact(people.designer, "review_frequency.dmn", draft)
    contexts = {
        c.id: {"grade": c.grade, "loan_class": c.loan_class} for c in live_customers()
    }  # reviews._first_due
    old = per_row("review_frequency.dmn", (RULES / "review_frequency.dmn").read_text(), contexts)
    new = per_row("review_frequency.dmn", draft, contexts)
    moved = [c for c in contexts if old[c] != new[c]]
    assert moved, "the seeded portfolio must have an A-graded customer in a normal class"
    assert found.customers == len(contexts) and found.changed == len(moved) and not found.multi
    outputs = {o.name: o for o in found.outputs}
    expected = Counter(
        (old[c]["review_months"], new[c]["review_months"])
        for c in moved
        if old[c]["review_months"] != new[c]["review_months"]
    )
    assert {(t.before, t.after): t.count for t in outputs["review_months"].transitions} == expected
    assert outputs["review_months"].changed == sum(expected.values())
    assert [c.customer_id for c in found.changed_customers] == moved
    first = found.changed_customers[0]  # the outputs that change, before and after
    assert (first.before, first.after) == ([("review_months", 12)], [("review_months", 6)])
    rule = {r.rule_id: r for r in found.rules}["Rule_review_frequency_04"]
    assert rule.gained == len(moved) and rule.lost == 0


def test_a_warning_threshold_lowered_gains_exactly_the_warnings_the_engine_raises(seeded, people):
    draft = edited("warning_rules.dmn", "<text>&gt; 95</text>", "<text>&gt; 80</text>")
    found = impact(people.designer, "warning_rules.dmn", draft)
    frame = portfolio_inputs.portfolio_frame()
    contexts = {int(c): {k: frame.at[c, k] for k in portfolio_inputs.INPUTS} for c in frame.index}
    old = per_row("warning_rules.dmn", (RULES / "warning_rules.dmn").read_text(), contexts)
    new = per_row("warning_rules.dmn", draft, contexts)
    codes = {c: ({o["warning_code"] for o in old[c]}, {o["warning_code"] for o in new[c]}) for c in contexts}
    gaining = [c for c, (a, b) in codes.items() if b - a]
    assert gaining and found.multi and found.key == "warning_code"
    assert found.customers == len(contexts)
    assert found.changed == len([c for c in contexts if old[c] != new[c]]) == len(gaining)
    assert found.gained == len(gaining) and found.lost == 0
    entries = {e.value: e for e in found.entries}
    assert entries["high_utilization"].gained == len(gaining)
    assert entries["high_utilization"].after == sum("high_utilization" in b for _a, b in codes.values())
    assert entries["past_due_30"].gained == entries["past_due_30"].lost == 0
    assert entries["past_due_30"].before == sum("past_due_30" in a for a, _b in codes.values())
    [rule] = found.rules
    assert rule.rule_id == "Rule_warning_rules_06" and rule.gained == len(gaining)
    assert {c.customer_id for c in found.changed_customers} == set(gaining)


def test_a_rating_boundary_moved_regrades_exactly_the_customers_the_engine_would(seeded, people):
    draft = edited("credit_rating.dmn", "<text>[0.001..0.0025)</text>", "<text>[0.001..0.004)</text>")
    draft = draft.replace("<text>[0.0025..0.005)</text>", "<text>[0.004..0.005)</text>")
    found = impact(people.designer, "credit_rating.dmn", draft)
    segment = load_dmn((RULES / "customer_segment.dmn").read_text(), "s").decisions["customer_segment"]
    contexts, left_out = {}, 0
    for (
        customer
    ) in live_customers():  # as the "Analyse financials" script: the segment's Z model, 5 statements
        z_model = segment.evaluate(
            {
                "industry": customer.industry,
                "size": customer.size,
                "listed": customer.listed,
                "credit_record": customer.credit_record,
            }
        ).output["z_model"]
        statements = [{"fiscal_year": s.fiscal_year, **s.items} for s in reversed(customer.statements)][:5]
        try:
            analysis = analyse_financials(statements, z_model)
        except RiskInputError:
            left_out += 1
            continue
        contexts[customer.id] = {"pd": analysis["pd"], "z_zone": analysis["z_zone"]}
    old = per_row("credit_rating.dmn", (RULES / "credit_rating.dmn").read_text(), contexts)
    new = per_row("credit_rating.dmn", draft, contexts)
    expected = Counter((old[c]["grade"], new[c]["grade"]) for c in contexts if old[c] != new[c])
    assert left_out and sum(found.left_out.values()) == left_out
    assert found.customers == len(contexts) and found.changed == sum(expected.values())
    assert {(t.before, t.after): t.count for t in found.outputs[0].transitions} == expected


def test_the_file_itself_changes_nothing(seeded, people):
    found = impact(people.designer, "limit_proposal.dmn", (RULES / "limit_proposal.dmn").read_text())
    assert found.identical and found.changed == 0 and found.customers == len(live_customers())
    assert all(o.changed == 0 and not o.transitions for o in found.outputs) and not found.rules
    assert found.changed_customers == []


def test_a_broken_draft_is_refused_naming_the_problem(seeded, people):
    text = (RULES / "review_frequency.dmn").read_text()
    with pytest.raises(InvalidInput) as broken:
        impact(
            people.designer,
            "review_frequency.dmn",
            text.replace('<text>"BB","BBB"</text>', "<text>&gt;&gt; 3(</text>"),
        )
    assert broken.value.status == 422 and "65" in broken.value.errors["xml"]  # the line, in either language
    assert "rule 'Rule_review_frequency_04' (row 4), input 'grade'" in broken.value.errors["xml"]
    with pytest.raises(InvalidInput) as cut:
        impact(people.designer, "review_frequency.dmn", text[: len(text) // 2])
    assert "not well-formed XML" in cut.value.errors["xml"] and "line" in cut.value.errors["xml"]
    with pytest.raises(InvalidInput) as renamed:
        impact(
            people.designer,
            "review_frequency.dmn",
            text.replace('decision id="review_frequency"', 'decision id="review_months"'),
        )
    assert (
        "review_months" in renamed.value.errors["xml"] and "review_frequency" in renamed.value.errors["xml"]
    )
    with pytest.raises(InvalidInput) as unsafe:  # a Python cell the sandbox refuses never runs
        impact(
            people.designer,
            "review_frequency.dmn",
            text.replace('<text>"BB","BBB"</text>', "<text>__import__('os').system('true')</text>"),
        )
    assert (
        "refused by the sandbox" in unsafe.value.errors["xml"] and "__import__" in unsafe.value.errors["xml"]
    )


def test_a_draft_that_fails_on_a_customer_names_the_customer(seeded, people):
    text = (RULES / "limit_proposal.dmn").read_text()  # UNIQUE: a second rule for every restricted customer
    draft = text.replace('<text>"CCC","C"</text>', '<text>"CCC","C","B"</text>', 1).replace(
        '<text>not("restricted")</text>', "<text>-</text>", 1
    )
    with pytest.raises(InvalidInput) as failed:
        impact(people.designer, "limit_proposal.dmn", draft)
    message = failed.value.errors["xml"]
    assert (
        "测试客户" in message
        and "91310000MA" in message
        and "hit policy UNIQUE allows one matching rule" in message
    )


def test_a_table_whose_inputs_are_not_known_per_customer_says_which(seeded, people):
    with pytest.raises(InputsUnavailable) as unavailable:
        impact(people.designer, "control_authority.dmn", (RULES / "control_authority.dmn").read_text())
    assert unavailable.value.names == ["action", "reduce_share"] and unavailable.value.status == 422
    draft = edited("review_frequency.dmn", "<text>loan_class</text>", "<text>requested_amount</text>")
    with pytest.raises(InputsUnavailable) as added:
        impact(people.designer, "review_frequency.dmn", draft)
    assert added.value.names == ["requested_amount"]


def test_only_designers_and_the_administrator_see_the_impact(seeded, people):
    text = (RULES / "review_frequency.dmn").read_text()
    with pytest.raises(NotAuthorized):
        impact(people.officer, "review_frequency.dmn", text)
    with pytest.raises(NotAuthorized):
        impact(people.risk, "review_frequency.dmn", text)
    assert impact(people.admin, "review_frequency.dmn", text).changed == 0


def test_a_hit_policy_changed_to_collect_compares_each_customers_entries(seeded, people):
    draft = edited("review_frequency.dmn", 'hitPolicy="FIRST"', 'hitPolicy="COLLECT"')
    found = impact(people.designer, "review_frequency.dmn", draft)
    contexts = {c.id: {"grade": c.grade, "loan_class": c.loan_class} for c in live_customers()}
    old = per_row("review_frequency.dmn", (RULES / "review_frequency.dmn").read_text(), contexts)
    new = per_row("review_frequency.dmn", draft, contexts)
    changed = [c for c in contexts if [old[c]] != new[c]]
    assert changed and found.multi and found.changed == len(changed)
    assert [c.customer_id for c in found.changed_customers] == changed
    twelve = {e.value: e for e in found.entries}[12]  # the catch-all now holds for everyone
    assert twelve.after == len(contexts) and twelve.gained == len(changed)


def test_a_draft_cell_past_the_sandbox_s_limits_is_refused_naming_the_limit(seeded, people):
    """A cell that would build a 10 GB text is refused before it computes, on the first customer it meets."""
    text = (RULES / "review_frequency.dmn").read_text()
    with pytest.raises(InvalidInput) as refused:
        impact(
            people.designer,
            "review_frequency.dmn",
            text.replace('<text>"BB","BBB"</text>', "<text>len('a' * 10**10) &gt; 0</text>"),
        )
    assert "limit exceeded" in refused.value.errors["xml"] and "1,000,000" in refused.value.errors["xml"]
