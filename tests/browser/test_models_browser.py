"""Browser test of the scoring models (模型管理): a risk manager trains a scorecard on a file (the job's page updating
itself), reads its validation (the ROC chart with its table, each bin's points), proposes it as champion and is
refused the approval; the chief risk officer approves it, and the list shows it in use."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.scoring import synthetic
from tests import factories
from tests.browser.pages import log_in, log_out


def test_a_model_is_trained_read_and_made_champion_by_a_second_person(
    app, browser_page: Page, jobs_here, tmp_path
):
    page = browser_page
    with app.app_context():
        factories.deploy()
        factories.people()
    book = tmp_path / "历史样本.csv"
    synthetic.book(3000, seed=41).to_csv(book, index=False)

    log_in(page, "risk")
    page.goto("/analytics/models")
    page.set_input_files("#m-file", str(book))
    page.fill("#m-target", "defaulted")
    page.fill("#m-bad", "1")
    page.fill("#m-name", "企业客户评分卡")
    page.locator("#train-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/analytics/models/runs/\d+$"))
    expect(page.locator("h1")).to_contain_text("模型训练")  # not 培训, the staff's training
    expect(page.locator("#open-model")).to_be_visible(timeout=30_000)
    page.locator("#open-model").click()
    page.wait_for_url(re.compile(r"/analytics/models/\d+$"))
    expect(page.locator("h1")).to_contain_text("企业客户评分卡 v1")
    roc = page.locator("#fig-roc")
    expect(roc.locator("canvas[data-figure]")).to_be_visible()
    expect(roc.locator("table tbody tr")).to_have_count(21)
    bins = page.locator("#fig-bins-1")
    expect(bins.locator("h2")).to_contain_text("分箱与分值")
    expect(bins.locator("thead")).to_contain_text("得分")
    expect(page.locator("#excluded")).to_contain_text("founder_zodiac")
    page.fill("#p-note", "验证通过")
    page.locator("#propose-form button[type=submit]").click()
    expect(page.locator("#governance-history")).to_contain_text("提议")
    expect(page.locator("#decide-form")).to_have_count(0)  # the proposer is not offered the decision
    log_out(page)

    log_in(page, "cro")
    page.goto("/analytics/models")
    page.locator("#versions a", has_text="企业客户评分卡 v1").click()
    page.locator("#decide-form button[value=approve]").click()
    expect(page.locator("#model-status")).to_have_text("冠军模型")
    page.goto("/analytics/models")
    expect(page.locator("#in-use")).to_contain_text("企业客户评分卡 v1")
