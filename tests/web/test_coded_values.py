"""No stored code reaches a reader: the case page, the credit memo (page and PDF) and the case history PDF
show a decided application and a warning escalation by labels (客户类别 = 中型企业客户, 五级分类 = 次级,
建议措施 = 冻结额度, 核查时限 = 1 天), never by the codes the engine keeps (``mid_corporate``, ``substandard``,
``freeze``, ``P1D``, ``True``), in Chinese and in English. Rule ids and table files stay, as references."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template_string
from flask_babel import force_locale
from pypdf import PdfReader

from app.services.audit import documents
from app.services.audit.readable import fields_of
from app.services.cases import case_history, tasks
from app.services.design.deployment.deployment import latest_definition
from app.services.monitoring import portfolio
from tests.factories import case_routed, compliance_sign_off, open_task
from tests.workflows.test_warning_escalation import approved_customer, escalation, observe, ready

# A code: snake_case (a rule id "Rule_x_01" and a table file "x.dmn" are references, kept), an ISO duration,
# a Python truth value; on a Chinese page, any of the one-word codes these cases store (English prose may
# use those words).
SNAKE = re.compile(r"(?<![\w.-])(?!Rule_)[a-z]+(?:_[a-z0-9]+)+(?![\w-]|\s?\.)")
ANY = re.compile(r"(?<![\w-])(?:P\d+[DWMY]|PT\d+[HM]|True|False)(?![\w-])")
ONE_WORD = re.compile(
    r"(?<![\w-])(?:substandard|freeze|confirmed|committee|sequential|medium|large|manufacturing|clean|"
    r"safe|grey|approve)(?![\w-])"
)


def squeezed(text: str) -> str:
    """Runs of white space as one space, none between Chinese characters (a line a PDF wrapped)."""
    return re.sub(
        r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])", "", re.sub(r"\s+", " ", text)
    )


def codes_in(text: str, language: str) -> list[str]:
    return SNAKE.findall(text) + ANY.findall(text) + (ONE_WORD.findall(text) if language == "zh_CN" else [])


def page_text(response) -> str:
    """What a reader sees of a page: its text, without scripts, styles, tags and attributes."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<code>.*?</code>", " ", body, flags=re.S)  # a rule id or variable name, shown as code
    return squeezed(html.unescape(re.sub(r"<[^>]+>", " ", body)))


# A long reference a narrow PDF column wrapped ("classification_grade_c ap.dmn", "Rule_classification_grade
# _cap_04"): still a reference, read as one.
WRAPPED_REFERENCE = re.compile(
    r"(?<![\w.-])[a-z][a-z0-9]*_[a-z0-9_]* ?[a-z0-9_]*\.dmn\b|\bRule_\w+(?: _\w+)?", re.ASCII
)


def pdf_text(pdf: bytes) -> str:
    text = squeezed(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    return WRAPPED_REFERENCE.sub(" ", text)


def reader(as_user, username: str, language: str):
    client = as_user(username)
    client.set_cookie("locale", language)
    return client


@pytest.fixture
def decided(deployed, people):
    case = case_routed("sequential", people.officer)
    for approver in (people.approver2, people.approver3):
        tasks.complete(
            approver, open_task(case.id, "approval_signoff").id, {"decision": "approve", "comment": "同意"}
        )
    compliance_sign_off(case, people.compliance)
    return case


@pytest.fixture
def warned(deployed, people):
    """An escalation of a customer 100 days past due: confirmed, frozen, classified substandard."""
    customer = approved_customer(people)
    observe(people, customer, on=date.today().isoformat(), days_past_due="100")
    portfolio.scan(people.risk)
    from app.extensions import db
    from app.models import EarlyWarning

    case = escalation(db.session.query(EarlyWarning).filter_by(code="past_due_30").one())
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "客户资金链紧张。"},
    )
    tasks.complete(
        people.risk,
        ready(case.id, "risk_review").id,
        {"action": "freeze", "expected_loss_pct": 30, "review_comment": "冻结额度。"},
    )
    approval = ready(case.id, "approve_control")
    tasks.complete(
        people.approver3, approval.id, {"control_decision": "approve", "control_comment": "同意冻结"}
    )
    db.session.refresh(case)
    assert case.summary.get("five_category") == "substandard"
    return case


LABELS = {
    "zh_CN": {
        "decided": ["客户类别 = 大型企业", "Z 值区间 = ", "审批路径 = "],
        "warned": ["预警信号 = 逾期超过 30 天", "核查时限 = 1 天", "措施 = 冻结额度", "五级分类 = 次级"],
    },
    "en": {
        "decided": ["Segment = Large corporate", "Z-score zone = ", "Approval route = "],
        "warned": [
            "Warning = Past due over 30 days",
            "Time to investigate = 1 day",
            "Action = Freeze the limit",
            "Classification = Substandard",
        ],
    },
}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_decided_case_reads_in_labels_on_its_page_memo_and_pdfs(decided, people, as_user, app, language):
    client = reader(as_user, "compliance", language)
    memo_page = page_text(client.get(f"/cases/{decided.id}/memo"))
    case_page = page_text(client.get(f"/cases/{decided.id}"))
    with app.test_request_context():
        memo_pdf = pdf_text(
            documents.render_pdf(documents.case_view(people.risk, decided.id), "credit_memo", language)
        )
        history_pdf = pdf_text(case_history.history_pdf(people.compliance, decided.id, language))
    for name, text in {
        "memo page": memo_page,
        "case page": case_page,
        "memo PDF": memo_pdf,
        "history PDF": history_pdf,
    }.items():
        assert codes_in(text, language) == [], name
    for label in LABELS[language]["decided"]:
        assert label in memo_page, (label, memo_page[memo_page.find("决策") :][:1500])
        assert label in memo_pdf and label in history_pdf, label


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_warning_escalation_reads_in_labels_on_its_page_and_history(warned, people, as_user, app, language):
    client = reader(as_user, "compliance", language)
    case_page = page_text(client.get(f"/cases/{warned.id}"))
    with app.test_request_context():
        history_pdf = pdf_text(case_history.history_pdf(people.compliance, warned.id, language))
    for name, text in {"case page": case_page, "history PDF": history_pdf}.items():
        assert codes_in(text, language) == [], name
    for label in LABELS[language]["warned"]:
        assert label in history_pdf, label


@pytest.mark.parametrize(
    "language, expected",
    [("zh_CN", "次级 | 高 | 3 天 | 冻结额度"), ("en", "Substandard | High | 3 days | Freeze the limit")],
)
def test_a_value_no_form_names_still_reads_as_its_label(deployed, app, language, expected):
    """A case kind's facts show a value through its form when one names it, else through ``term``: never raw."""
    page = (
        '{% import "cases/kinds/_common.html" as common with context %}'
        "{{ common.shown(bare, 'five_category', 'substandard') }} | {{ common.shown(bare, 'severity', 'high') }} | "
        "{{ common.shown(bare, 'investigate_within', 'P3D') }} | {{ common.shown(forms, 'action', 'freeze') }}"
    )
    forms = SimpleNamespace(fields=fields_of(latest_definition("warning_escalation").forms or {}))
    with app.test_request_context(), force_locale(language):
        assert (
            render_template_string(
                page, bare=SimpleNamespace(fields={}), forms=forms, current_locale=language
            )
            == expected
        )
