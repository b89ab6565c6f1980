"""Guarantee circles (担保圈) and long chains (担保链) against hand-built graphs, and over the stored book: the
policy length from rules/guarantee_network.dmn, released guarantees left out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import update

from app.extensions import db
from app.localtime import local_today
from app.models import Guarantee
from app.services.customers.guarantees import circles, circles_kept, graph, network, register
from app.services.design.testing import decision_tests
from tests.factories import book_customer

RULES = Path(__file__).resolve().parents[2] / "rules"


def net(*pairs: tuple[int, int], amount: int = 100):
    return graph.network_of((g, b, Decimal(amount)) for g, b in pairs)


def test_a_mutual_pair_is_a_circle_of_two():
    [circle] = graph.circles_in(net((1, 2), (2, 1), (3, 1)))
    assert (circle.members, circle.kind, circle.amount) == ((1, 2), "mutual", Decimal(200))


def test_a_ring_of_four_is_one_circular_circle():
    [circle] = graph.circles_in(net((1, 2), (2, 3), (3, 4), (4, 1)))
    assert (circle.members, circle.kind, circle.amount) == ((1, 2, 3, 4), "circular", Decimal(400))


def test_two_rings_joined_by_one_edge_both_ways_are_one_circle():
    ring_a, ring_b = [(1, 2), (2, 3), (3, 1)], [(4, 5), (5, 6), (6, 4)]
    [circle] = graph.circles_in(net(*ring_a, *ring_b, (3, 4), (6, 1)))
    assert circle.members == (1, 2, 3, 4, 5, 6)


def test_two_rings_joined_by_one_edge_one_way_stay_two_circles_in_one_chain():
    found = net((1, 2), (2, 3), (3, 1), (4, 5), (5, 6), (6, 4), (3, 4))
    assert [c.members for c in graph.circles_in(found)] == [(1, 2, 3), (4, 5, 6)]
    assert graph.chains_in(found, 1) == [graph.Chain(((1, 2, 3), (4, 5, 6)))]


def test_a_chain_of_six_is_longer_than_a_policy_of_four():
    chain = net((1, 2), (2, 3), (3, 4), (4, 5), (5, 6))
    assert graph.circles_in(chain) == []
    assert graph.chains_in(chain, 4) == [graph.Chain(((1,), (2,), (3,), (4,), (5,), (6,)))]
    assert graph.chains_in(chain, 6) == []


def test_a_tree_has_no_circle_and_no_chain_longer_than_its_depth():
    tree = net((1, 2), (1, 3), (2, 4), (2, 5), (3, 6), (3, 7))
    assert graph.circles_in(tree) == []
    assert graph.chains_in(tree, 3) == []
    chains = graph.chains_in(tree, 2)  # each leaf ends a chain of three: all four listed
    assert sorted(c.steps[1:] for c in chains) == [((2,), (4,)), ((2,), (5,)), ((3,), (6,)), ((3,), (7,))]
    assert all(c.steps[0] == (1,) for c in chains)


def test_the_policy_length_is_accepted_and_one_more_is_a_long_chain():
    assert graph.chains_in(net((1, 2), (2, 3), (3, 4)), 4) == []
    assert graph.chains_in(net((1, 2), (2, 3), (3, 4), (4, 5)), 4) == [
        graph.Chain(((1,), (2,), (3,), (4,), (5,)))
    ]


def test_two_long_branches_of_one_part_are_both_listed():
    fork = net((1, 2), (2, 3), (3, 4), (4, 5), (1, 6), (6, 7), (7, 8), (8, 9))  # one guarantor, two chains
    funnel = net((1, 2), (2, 3), (3, 4), (4, 5), (6, 7), (7, 8), (8, 9), (9, 5))  # two chains, one borrower
    assert [c.steps for c in graph.chains_in(fork, 4)] == [
        ((1,), (2,), (3,), (4,), (5,)),
        ((1,), (6,), (7,), (8,), (9,)),
    ]
    assert [c.steps for c in graph.chains_in(funnel, 4)] == [
        ((1,), (2,), (3,), (4,), (5,)),
        ((6,), (7,), (8,), (9,), (5,)),
    ]


def test_a_chain_through_a_circle_counts_the_circle_as_one_step():
    through = net((1, 2), (2, 3), (3, 4), (4, 3), (4, 5))
    assert graph.chains_in(through, 4) == []
    assert graph.chains_in(through, 3) == [graph.Chain(((1,), (2,), (3, 4), (5,)))]


def test_several_guarantees_of_one_pair_are_one_edge_with_their_sum():
    pair = graph.network_of([(1, 2, Decimal(5)), (1, 2, Decimal(7)), (2, 1, Decimal(1))])
    [circle] = graph.circles_in(pair)
    assert circle.amount == Decimal(13)


def test_the_policy_table_passes_its_own_cases_and_gives_four(app):
    results = decision_tests.run(
        "guarantee_network.dmn",
        (RULES / "guarantee_network.dmn").read_text(encoding="utf-8"),
        (RULES / "guarantee_network.tests.json").read_text(encoding="utf-8"),
    )
    assert results and all(r.ok for r in results), [r.message for r in results if not r.ok]
    with app.app_context():
        assert circles.policy_length() == 4


def give(people, guarantor, borrower, amount="1000000"):
    return register.record(
        people.risk,
        borrower.id,
        {"guarantor_uscc": guarantor.uscc, "kind": "guarantee", "amount": amount, "signed_on": "2026-01-05"},
    )


def test_the_book_s_circles_and_chains_leave_released_guarantees_out(people):
    firms = [book_customer(people.officer, i) for i in range(1, 12)]
    for a, b in zip(firms[:4], firms[1:4] + firms[:1], strict=True):
        give(people, a, b)  # a ring of four
    chain = firms[4:10]
    for a, b in zip(chain, chain[1:], strict=False):
        give(people, a, b)  # a chain of six
    mutual = [give(people, firms[10], firms[0]), give(people, firms[0], firms[10])]
    register.release(people.risk, mutual[0].id)
    circles_kept.refresh_book()
    found = circles_kept.of_book(people.compliance)
    assert [c.members for c in found.circles] == [tuple(f.id for f in firms[:4])]
    assert found.circles[0].amount == Decimal(4_000_000)
    assert [len(c.steps) for c in found.chains] == [6]
    assert found.names[firms[4].id] == firms[4].name
    assert circles_kept.circle_around(firms[2].id) == found.circles[0]
    assert (
        circles_kept.circle_around(firms[10].id) is None and circles_kept.circle_around(firms[5].id) is None
    )


def test_a_guarantee_past_its_end_date_no_longer_counts_and_reads_expired(people):
    a, b = book_customer(people.officer, 1), book_customer(people.officer, 2)
    give(people, a, b)
    ended = register.record(
        people.risk,
        a.id,
        {
            "guarantor_uscc": b.uscc,
            "kind": "guarantee",
            "amount": "1000000",
            "signed_on": "2024-01-05",
            "ends_on": (local_today() - timedelta(days=1)).isoformat(),
        },
    )
    assert circles_kept.of_book(people.risk).circles == [] and circles_kept.circle_around(a.id) is None
    seen = network.of_customer(people.risk, a.id)
    assert [g.state_on(seen.today) for g in seen.received] == ["expired"]
    assert (
        seen.guaranteed_for_it == Decimal(0) and ended.status == "active"
    )  # stored as it was, read as ended
    db.session.execute(update(Guarantee).where(Guarantee.id == ended.id).values(ends_on=local_today()))
    db.session.commit()
    circles_kept.refresh_book()  # a change of date is seen by the whole scan
    assert [c.members for c in circles_kept.of_book(people.risk).circles] == [tuple(sorted((a.id, b.id)))]


def test_a_guarantee_that_closes_no_circle_reads_ahead_of_its_borrower_only(people, monkeypatch):
    a, b, c = (book_customer(people.officer, i) for i in (1, 2, 3))
    give(people, a, b)
    kept = []
    monkeypatch.setattr(circles_kept, "_keep", lambda firms, actor: kept.append(firms))
    give(people, c, a)  # a reaches b only: no path back to c
    assert kept == []
    give(people, b, c)  # c now reaches b through a: the ring closes
    assert kept == [{a.id, b.id, c.id}]


def test_a_limit_keeps_the_longest_chains_first():
    book = net((1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (10, 11), (11, 12), (12, 13), (13, 14))
    assert [len(c.steps) for c in graph.chains_in(book, 4)] == [7, 5]
    assert graph.chains_in(book, 4, limit=1) == [graph.Chain(tuple((n,) for n in range(1, 8)))]


def test_every_firm_on_a_long_chain_is_found_with_the_longest_chain_through_it_even_past_the_list_s_limit():
    # a chain of seven, a branch of five off its third firm, a chain through a circle, a short chain
    book = net(
        *[(n, n + 1) for n in range(1, 7)],
        (3, 20),
        (20, 21),
        (30, 31),
        (31, 32),
        (32, 31),
        (32, 33),
        (33, 34),
        (40, 41),
    )
    on = graph.on_long_chains(book, 4)
    assert on == {**{n: 7 for n in range(1, 8)}, 20: 5, 21: 5}
    assert graph.on_long_chains(book, 3) == {**on, 30: 4, 31: 4, 32: 4, 33: 4, 34: 4}  # the circle one step
    assert graph.chains_in(book, 4, limit=1) == [
        graph.Chain(tuple((n,) for n in range(1, 8)))
    ]  # 20, 21 unlisted
    assert graph.on_long_chains(net(), 4) == {} and graph.on_long_chains(book, 7) == {}
