"""Guarantees on the customer's page (担保): both ways, a badge when the customer is in a circle, the form (a
bad field a 422 naming it), the release, refusals (a designer, another customer's officer, a post without its
CSRF token), the guarantee circles page, and the API."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Guarantee
from app.services.admin import users
from app.services.customers.guarantees import circles_kept, network_view, register
from tests.factories import book_customer


def give(people, guarantor, borrower, amount="1000000"):
    return register.record(
        people.risk,
        borrower.id,
        {"guarantor_uscc": guarantor.uscc, "kind": "guarantee", "amount": amount, "signed_on": "2026-01-05"},
    )


def ring(people, size: int = 4):
    firms = [book_customer(people.officer, i) for i in range(1, size + 1)]
    for a, b in zip(firms, firms[1:] + firms[:1], strict=True):
        give(people, a, b)
    return firms


def test_the_page_shows_both_ways_and_the_circle_badge(signed_in, people):
    firms = ring(people)
    page = signed_in("compliance").get(f"/customers/{firms[1].id}").text
    assert 'id="guarantees"' in page and 'id="in-circle"' in page and "4 firms" in page
    assert firms[0].name in page and firms[2].name in page and "1,000,000.00" in page
    assert "/guarantees/new" not in page and "/release" not in page  # compliance reads only
    officer_page = signed_in("officer").get(f"/customers/{firms[1].id}").text
    assert f"/customers/{firms[1].id}/guarantees/new" in officer_page and "/release" in officer_page
    zh = signed_in("compliance", "zh").get(f"/customers/{firms[1].id}").text
    assert "担保圈" in zh
    section = zh[zh.index('<section class="card" id="guarantees">') :]
    section = section[: section.index("</section>")]
    assert "担保方式" in section and "业务类型" not in section  # 保证/抵押/质押 is a kind of guarantee
    circles_zh = signed_in("risk", "zh").get("/guarantees/circles").text
    assert "担保圈类型" in circles_zh and "环节数" in circles_zh and "业务类型" not in circles_zh


def test_the_form_records_refuses_bad_fields_and_the_release_works(signed_in, people):
    borrower, guarantor = book_customer(people.officer, 1), book_customer(people.officer2, 2)
    officer = signed_in("officer")
    assert officer.get(f"/customers/{borrower.id}/guarantees/new").status_code == 200
    bad = officer.post(
        f"/customers/{borrower.id}/guarantees/new",
        data={
            "guarantor_uscc": borrower.uscc,
            "kind": "guarantee",
            "amount": "NaN",
            "signed_on": "2026-01-05",
        },
    )
    assert (
        bad.status_code == 422 and "a customer does not guarantee itself" in bad.text and "Amount" in bad.text
    )
    assert re.search(r'href="#g-amount">Amount guaranteed \(CNY\): [^<]+</a>', bad.text)
    bad_zh = signed_in("officer", "zh").post(
        f"/customers/{borrower.id}/guarantees/new",
        data={
            "guarantor_uscc": guarantor.uscc,
            "kind": "guarantee",
            "amount": "NaN",
            "signed_on": "2026-01-05",
        },
    )  # a field and its error joined as Chinese writes them, by a full-width colon
    assert bad_zh.status_code == 422 and re.search(
        r'href="#g-amount">担保金额（元）：[^<:]+</a>', bad_zh.text
    )
    done = officer.post(
        f"/customers/{borrower.id}/guarantees/new",
        data={
            "guarantor_uscc": guarantor.uscc,
            "kind": "mortgage",
            "amount": "2,500,000",
            "signed_on": "2026-01-05",
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/customers/{borrower.id}#guarantees"
    )
    recorded = db.session.scalar(select(Guarantee))
    assert officer.post(f"/guarantees/{recorded.id}/release").status_code == 302
    db.session.expire_all()
    assert db.session.get(Guarantee, recorded.id).status == "released"
    assert officer.post(f"/guarantees/{recorded.id}/release").status_code == 409


def test_refusals(signed_in, people):
    borrower, guarantor = book_customer(people.officer, 1), book_customer(people.officer2, 2)
    recorded = give(people, guarantor, borrower)
    body = {"guarantor_uscc": guarantor.uscc, "kind": "guarantee", "amount": "1", "signed_on": "2026-01-05"}
    designer, other_officer = signed_in("designer"), signed_in("officer2")
    assert designer.get(f"/customers/{borrower.id}/guarantees/new").status_code == 403
    assert designer.get("/guarantees/circles").status_code == 403
    assert other_officer.post(f"/customers/{borrower.id}/guarantees/new", data=body).status_code == 403
    assert other_officer.post(f"/guarantees/{recorded.id}/release").status_code == 403
    assert other_officer.get("/guarantees/circles").status_code == 403


def test_a_post_without_its_csrf_token_is_refused(app, signed_in, people, monkeypatch):
    borrower, guarantor = book_customer(people.officer, 1), book_customer(people.officer2, 2)
    recorded = give(people, guarantor, borrower)
    body = {"guarantor_uscc": guarantor.uscc, "kind": "guarantee", "amount": "1", "signed_on": "2026-01-05"}
    officer = signed_in("officer")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert officer.post(f"/customers/{borrower.id}/guarantees/new", data=body).status_code == 400
    assert officer.post(f"/guarantees/{recorded.id}/release").status_code == 400
    form = officer.get(f"/customers/{borrower.id}/guarantees/new").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    accepted = officer.post(f"/customers/{borrower.id}/guarantees/new", data={**body, "csrf_token": token})
    assert accepted.status_code == 302, accepted.text
    assert db.session.get(Guarantee, recorded.id).status == "active"


def test_the_form_token_is_the_clients_own_after_another_clients_page(app, signed_in, people, monkeypatch):
    """Tests share one app context: a page another client rendered first must not hand this one its token."""
    borrower, guarantor = book_customer(people.officer, 1), book_customer(people.officer2, 2)
    body = {"guarantor_uscc": guarantor.uscc, "kind": "guarantee", "amount": "1", "signed_on": "2026-01-05"}
    assert signed_in("compliance").get(f"/customers/{borrower.id}").status_code == 200  # renders a token
    officer = signed_in("officer")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    form = officer.get(f"/customers/{borrower.id}/guarantees/new").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    accepted = officer.post(f"/customers/{borrower.id}/guarantees/new", data={**body, "csrf_token": token})
    assert accepted.status_code == 302, accepted.text


def test_the_circles_page_lists_circles_and_long_chains(signed_in, people, jobs_here):
    firms = ring(people)
    chain = [book_customer(people.officer, i) for i in range(10, 16)]
    for a, b in zip(chain, chain[1:], strict=False):
        give(people, a, b)
    before = signed_in("risk").get("/guarantees/circles").text  # circles at once; chains after a scan
    assert 'data-circle="1"' in before and 'data-chain="1"' not in before and "not been scanned" in before
    assert "Scan the network now" not in signed_in("compliance").get("/guarantees/circles").text
    assert signed_in("compliance").post("/guarantees/circles/scan").status_code == 403
    asked = signed_in("risk").post("/guarantees/circles/scan", follow_redirects=True)
    assert "scan of the guarantee network is queued" in asked.text and 'data-chain="1"' in asked.text
    for who in ("risk", "approver1", "compliance"):
        page = signed_in(who).get("/guarantees/circles").text
        assert 'data-circle="1"' in page and 'data-chain="1"' in page and "4,000,000.00" in page
        assert firms[3].name in page and chain[5].name in page
    assert 'href="/guarantees/circles"' in signed_in("risk").get("/customers").text  # the nav link


def api_headers(username: str) -> dict:
    return {"Accept-Language": "en", "Authorization": f"Bearer {users.issue_token(username)}"}


def test_the_api_records_lists_releases_and_reads_the_circles(client, people):
    firms = ring(people, 2)
    third = book_customer(people.officer, 9)
    body = {"guarantor_id": third.id, "kind": "pledge", "amount": 300000, "signed_on": "2026-02-01"}
    created = client.post(
        f"/api/v1/customers/{firms[0].id}/guarantees", json=body, headers=api_headers("officer")
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["amount"] == "300000.00"
    hostile = client.post(
        f"/api/v1/customers/{firms[0].id}/guarantees",
        json={**body, "amount": "Infinity"},
        headers=api_headers("officer"),
    )
    assert hostile.status_code == 422 and "amount" in hostile.get_json()["errors"]
    listed = client.get(
        f"/api/v1/customers/{firms[0].id}/guarantees", headers=api_headers("compliance")
    ).get_json()
    assert listed["circle"]["kind"] == "mutual" and len(listed["received"]) == 2 and len(listed["given"]) == 1
    assert listed["long_chain_steps"] is None
    circles = client.get("/api/v1/guarantees/circles", headers=api_headers("risk")).get_json()
    assert circles["max_chain_length"] == 4 and [c["members"] for c in circles["circles"]] == [
        [f.id for f in firms]
    ]
    assert client.get("/api/v1/guarantees/circles", headers=api_headers("officer")).status_code == 403
    released = client.post(
        f"/api/v1/guarantees/{created.get_json()['id']}/release", headers=api_headers("officer")
    )
    assert released.status_code == 200 and released.get_json()["status"] == "released"
    refused = client.post(
        f"/api/v1/guarantees/{created.get_json()['id']}/release", headers=api_headers("officer2")
    )
    assert refused.status_code == 403


def _drawing(page: str) -> str:
    start = page.index('<figure class="guarantee-drawing" id="guarantee-network">')
    return page[start : page.index("</figure>", start)]


def test_the_page_draws_the_network_within_two_guarantees_with_its_circle_and_a_long_chain(signed_in, people):
    firms = ring(people)  # 1 → 2 → 3 → 4 → 1
    far = [book_customer(people.officer, i) for i in (5, 6, 7, 8)]
    give(
        people, firms[1], far[0]
    )  # 2 → 5 → 6 → 7 → 8: from 1, firm 5 is two away, the rest beyond the drawing
    for guarantor, borrower in zip(far, far[1:], strict=False):
        give(people, guarantor, borrower)
    circles_kept.refresh_book()  # the ring (one step) → 5 → 6 → 7 → 8: five steps, past the policy's four
    page = signed_in("compliance").get(f"/customers/{firms[0].id}").text
    drawn = _drawing(page)
    shown = {int(n) for n in re.findall(r'data-customer="(\d+)"', drawn)}
    assert shown == {firms[0].id, firms[1].id, firms[2].id, firms[3].id, far[0].id}
    assert drawn.count('class="edge circle"') == 4 and drawn.count('class="edge"') == 1  # the ring, and 2 → 5
    assert re.search(rf'class="node self circle chain" data-customer="{firms[0].id}"', drawn)
    x = {
        int(c): int(v)
        for c, v in re.findall(r'data-customer="(\d+)">\s*<title>[^<]*</title>\s*<rect x="(\d+)"', drawn)
    }
    assert x[firms[3].id] < x[firms[0].id] < x[firms[1].id] < x[far[0].id]  # guarantors left, borrowers right
    assert (
        x[firms[2].id] == min(x.values()) == network_view.MARGIN
    )  # two steps either way: the guarantors' side; no empty column
    assert 'id="on-chain"' in page and "On a guarantee chain of" in page
    zh = signed_in("compliance", "zh").get(f"/customers/{firms[0].id}").text
    assert "担保关系" in _drawing(zh) and "超长担保链" in zh


def test_a_customer_without_guarantees_has_no_drawing(signed_in, people):
    alone = book_customer(people.officer, 1)
    page = signed_in("officer").get(f"/customers/{alone.id}").text
    assert 'id="guarantee-network"' not in page and 'id="guarantees"' in page


def test_an_arrow_never_passes_behind_a_box_it_does_not_join(people):
    firms = [book_customer(people.officer, i) for i in range(1, 6)]
    me, parent, subsidiary, far = firms[0], firms[1], firms[2], firms[3]
    give(people, parent, me)
    give(people, subsidiary, me)
    give(people, parent, subsidiary)  # both guarantors, one column: round its right side
    give(people, me, far)
    give(people, far, firms[4])
    give(people, subsidiary, firms[4])  # column −1 to +2: along the lane under the rows
    drawing = network_view.drawing_of(me.id)
    place = {n.customer_id: n for n in drawing.nodes}
    paths = {(e.guarantor, e.borrower): e.path for e in drawing.edges}
    within = paths[(parent.name, subsidiary.name)]
    assert place[parent.id].x == place[subsidiary.id].x and " C" in within and "V" not in within
    across = paths[(subsidiary.name, firms[4].name)]
    lane = int(re.search(r"V(\d+)", across).group(1))
    assert lane > max(n.y + network_view.BOX_HEIGHT for n in drawing.nodes)  # under every box
    assert lane < drawing.height and max(n.x for n in drawing.nodes) + network_view.BOX_WIDTH < drawing.width


def test_a_hub_shows_its_guarantors_beside_its_many_borrowers_and_says_there_are_more(people, monkeypatch):
    monkeypatch.setattr(network_view, "READ_LIMIT", 3)
    monkeypatch.setattr(network_view, "MAX_FIRMS", 4)
    hub, guarantor = book_customer(people.officer, 1), book_customer(people.officer, 2)
    give(people, guarantor, hub)
    for i in range(3, 9):
        give(people, hub, book_customer(people.officer, i))
    drawing = network_view.drawing_of(hub.id)
    shown = {n.customer_id for n in drawing.nodes}
    assert hub.id in shown and guarantor.id in shown and len(shown) == 4
    assert drawing.capped and drawing.reached == 5  # itself, its guarantor, the three borrowers read
