"""Browser test of attached documents (资料): the officer attaches a site photo to a customer from its page (a
file whose bytes are not what its name says is refused first, naming it), sees it listed, opens it and sees the
picture previewed; a PDF is previewed in a frame of the document's page, with no policy violation reported: under
its preview's ``sandbox`` policy Chromium's built-in viewer still opens and shows the document."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.services.admin.demo_documents import pdf
from tests import factories, files
from tests.browser.pages import log_in
from tests.services.test_contacts import customer_of


def test_an_officer_attaches_a_photo_and_a_pdf_to_a_customer_and_previews_them(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        customer_id = customer_of(people.officer).id
    refused_by_policy: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused_by_policy.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )

    log_in(page, "officer")
    page.goto(f"/customers/{customer_id}")
    page.locator("#attach-document").click()
    page.set_input_files(
        "#d-file", {"name": "厂区照片.pdf", "mimeType": "application/pdf", "buffer": files.png()}
    )
    page.select_option("#d-kind", "photo")
    page.locator("#document-form button[type=submit]").click()
    expect(page.locator("#d-file-error")).to_contain_text("厂区照片.pdf")  # a PNG named .pdf
    page.set_input_files(
        "#d-file", {"name": "厂区照片.png", "mimeType": "image/png", "buffer": files.png(64, 48)}
    )
    page.select_option("#d-kind", "photo")
    page.fill("#d-title", "贷后走访厂区照片")
    page.fill("#d-note", "走访时拍摄\n厂房运转正常")
    page.locator("#document-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/customers/{customer_id}#documents$"))
    listed = page.locator("#documents table.attachments tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("贷后走访厂区照片")
    expect(listed).to_contain_text("照片")
    expect(listed).to_contain_text("PNG")

    listed.locator("a").first.click()
    page.wait_for_url(re.compile(r"/documents/\d+$"))
    image = page.locator("#preview img")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('#preview img').naturalWidth === 64")
    expect(page.locator("#document-facts")).to_contain_text("厂房运转正常")

    page.goto(f"/customers/{customer_id}/documents/new")
    audited = pdf("2025 年度审计报告（摘要）", [("审计意见", "标准无保留意见")], "全文见纸质档案。")
    page.set_input_files(
        "#d-file", {"name": "审计报告.pdf", "mimeType": "application/pdf", "buffer": audited}
    )
    page.select_option("#d-kind", "audited_statements")
    page.locator("#document-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/customers/{customer_id}#documents$"))
    page.locator("#documents a", has_text="审计报告.pdf").first.click()
    page.wait_for_url(re.compile(r"/documents/\d+$"))
    frame = page.locator("#preview iframe")
    expect(frame).to_have_count(1)
    preview = page.request.get(frame.get_attribute("src"), timeout=30_000)  # CI shares two cores
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-disposition"].startswith("inline")
    assert "sandbox" in [p.strip() for p in preview.headers["content-security-policy"].split(";")]
    # The built-in viewer opens in a frame of its own inside the preview's; the title it shows is empty until it
    # has loaded the document, and stays empty for one it could not load. (Polled from here: the viewer's own
    # policy refuses the eval behind wait_for_function.)
    title = ""
    for _ in range(300):  # up to 30 s: on a loaded machine the viewer takes its time
        viewer = next((f for f in page.frames if f.url.startswith("chrome-extension://")), None)
        title = viewer.evaluate("() => document.title") if viewer is not None else ""
        if title:
            break
        page.wait_for_timeout(100)
    assert title, "Chromium's PDF viewer did not show the sandboxed preview"
    page.wait_for_timeout(500)  # let the frame load: a refused frame is reported on the console
    assert refused_by_policy == []
