"""Browser test of guarantees (担保) and circles (担保圈): the officer records the guarantee that closes a ring of
three firms on the borrower's page (a bad amount refused first, naming the field); the page shows the circle at
once, and its drawing (担保关系图) at 1366 px: the three firms in boxes that neither overlap nor cut their names, the
ring's arrows marked, each from the guarantor to the firm it guarantees, all of the figure in Chinese and within the
page (the drawing in its own scroll box); a box opens its firm's guarantees. The risk manager sees the circle among
the guarantee circles and has the whole book scanned."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.pages import log_in
from tests.web.test_guarantee_pages import give

NAMES = (
    "华东精密机械有限公司",
    "江苏恒通新材料科技股份有限公司",
    "苏州宏达物流有限公司",
)  # the second cut in its box

# The drawing as laid out: each box and its label, where each arrow starts and ends (the firm whose box is nearest to
# either end), and whatever of the figure lies outside the page, apart from what its scroll box holds.
LAYOUT = """() => {
  const figure = document.querySelector('figure#guarantee-network');
  const scroll = figure.querySelector('.drawing-scroll');
  const page = document.documentElement.clientWidth;
  const r = e => { const b = e.getBoundingClientRect(); return {l: b.left, t: b.top, r: b.right, b: b.bottom}; };
  const nodes = [...figure.querySelectorAll('a.node')].map(a => ({
    id: a.dataset.customer, box: r(a.querySelector('rect')), text: r(a.querySelector('text')),
    label: a.querySelector('text').textContent, title: a.querySelector('title').textContent}));
  const gap = (p, n) => Math.hypot(Math.max(n.box.l - p.x, 0, p.x - n.box.r), Math.max(n.box.t - p.y, 0, p.y - n.box.b));
  const nearest = p => nodes.reduce((best, n) => (gap(p, n) < gap(p, best) ? n : best));
  const edges = [...figure.querySelectorAll('path.edge')].map(e => {
    const m = e.getScreenCTM(), at = k => e.getPointAtLength(k).matrixTransform(m);
    const [p0, p1] = [at(0), at(e.getTotalLength())];
    const [from, to] = [nearest(p0), nearest(p1)];
    const style = getComputedStyle(e);
    return {from: from.id, to: to.id, gaps: [gap(p0, from), gap(p1, to)], circle: e.classList.contains('circle'),
      marker: document.querySelector(e.getAttribute('marker-end').slice(4, -1) + ' path') !== null,
      drawn: style.stroke !== 'none' && parseFloat(style.strokeWidth) > 0, box: r(e)};
  });
  const outside = [...figure.querySelectorAll('*')].filter(e => !scroll.contains(e) || e === scroll)
    .filter(e => { const b = r(e); return b.r > b.l && (b.l < 0 || b.r > page); }).map(e => e.outerHTML.slice(0, 80));
  return {nodes, edges, outside, svg: r(figure.querySelector('svg')), scroll: r(scroll),
    scrolls: scroll.scrollWidth > scroll.clientWidth, overflowX: getComputedStyle(scroll).overflowX, pageScrolls: document.documentElement.scrollWidth > page,
    words: figure.textContent.match(/[A-Za-z]{2,}/g) || []};
}"""


def overlap(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def within(inner: dict, outer: dict) -> bool:
    return (
        inner["l"] >= outer["l"]
        and inner["r"] <= outer["r"]
        and inner["t"] >= outer["t"]
        and inner["b"] <= outer["b"]
    )


def test_an_officer_closes_a_ring_and_the_risk_manager_sees_the_circle(app, browser_page: Page, jobs_here):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    with app.app_context():
        people = factories.people()
        a, b, c = (factories.book_customer(people.officer, i, name=NAMES[i - 1]) for i in (1, 2, 3))
        give(people, a, b)
        give(people, b, c)
        borrower_id, guarantor_id, guarantor_uscc, guarantor_name = a.id, c.id, c.uscc, c.name
        ring = {str(a.id), str(b.id), str(c.id)}
        arrows = {(str(a.id), str(b.id)), (str(b.id), str(c.id)), (str(c.id), str(a.id))}
        names = {str(f.id): f.name for f in (a, b, c)}

    log_in(page, "officer")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/customers/{borrower_id}")
    expect(page.locator("#in-circle")).to_have_count(0)
    page.locator("#add-guarantee").click()
    page.fill("#g-guarantor_uscc", guarantor_uscc)
    page.select_option("#g-kind", "guarantee")
    page.fill("#g-amount", "=1+1")  # formula text: refused, naming the field
    page.fill("#g-signed_on", "2026-03-01")
    page.locator("#guarantee-form button[type=submit]").click()
    expect(page.locator("#g-amount-error")).to_be_visible()
    page.fill("#g-amount", "2,000,000")
    page.locator("#guarantee-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/customers/{borrower_id}#guarantees$"))
    expect(page.locator("#guarantors")).to_contain_text(guarantor_name)
    expect(page.locator("#in-circle")).to_contain_text("3")

    # the drawing of the ring: its three firms, the borrower marked, every arrow the circle's
    figure = page.locator("figure#guarantee-network")
    figure.scroll_into_view_if_needed()
    expect(figure.locator("svg")).to_be_in_viewport()
    expect(figure.locator("figcaption")).to_contain_text(
        "担保关系图（2 层以内）：左侧为担保人，右侧为本客户担保的企业"
    )
    expect(figure.locator(".drawing-legend")).to_contain_text("箭头由担保人指向被担保企业")
    nodes = figure.locator("a.node")
    expect(nodes).to_have_count(3)
    assert {n.get_attribute("data-customer") for n in nodes.all()} == ring
    expect(figure.locator(f'a.node.self[data-customer="{borrower_id}"]')).to_have_count(1)
    expect(figure.locator("a.node.circle")).to_have_count(3)
    expect(figure.locator("path.edge")).to_have_count(3)
    expect(figure.locator("path.edge.circle")).to_have_count(3)
    drawn = page.evaluate(LAYOUT)
    assert drawn["words"] == [], drawn["words"]  # no English, the tooltips included
    assert drawn["outside"] == [] and not drawn["pageScrolls"], drawn["outside"]
    assert drawn["overflowX"] in ("auto", "scroll")  # a wider drawing scrolls in its box, not the page
    assert not drawn["scrolls"]  # three columns fit the page: nothing hidden in the scroll box
    boxes = drawn["nodes"]
    for i, node in enumerate(boxes):
        name = names[node["id"]]
        assert within(node["box"], drawn["svg"]) and within(node["text"], node["box"]), node
        assert node["title"].startswith(name) and "担保圈成员" in node["title"]
        assert node["label"] == name or (node["label"].endswith("…") and name.startswith(node["label"][:-1]))
        assert not any(overlap(node["box"], other["box"]) for other in boxes[i + 1 :]), boxes
    assert {n["label"] for n in boxes} >= {NAMES[0], NAMES[2]}  # names of ten characters whole
    for edge in drawn["edges"]:
        assert edge["circle"] and edge["marker"] and edge["drawn"] and within(edge["box"], drawn["svg"]), edge
        assert max(edge["gaps"]) <= 3, (
            edge
        )  # it starts at the guarantor's box and its head ends at the other's
    assert {(e["from"], e["to"]) for e in drawn["edges"]} == arrows
    figure.locator(f'a.node[data-customer="{guarantor_id}"]').click()
    page.wait_for_url(re.compile(rf"/customers/{guarantor_id}#guarantees$"))
    expect(page.locator("h1")).to_contain_text(guarantor_name)
    expect(page.locator("#guarantees")).to_be_in_viewport()
    expect(
        page.locator(f'figure#guarantee-network a.node.self[data-customer="{guarantor_id}"]')
    ).to_have_count(1)

    page.context.clear_cookies()
    log_in(page, "risk")
    page.goto("/guarantees/circles")
    expect(page.locator('[data-circle="1"]')).to_contain_text(guarantor_name)
    expect(page.locator("#scanned")).to_contain_text("尚未对全部客户进行扫描")
    page.get_by_role("button", name="立即扫描担保网络").click()
    page.wait_for_url(re.compile(r"/guarantees/circles$"))
    expect(page.locator("#scanned")).not_to_contain_text("尚未对全部客户进行扫描")
    refusals = "the server responded with a status of 422"  # the formula refused
    assert [e for e in errors if refusals not in e] == []
