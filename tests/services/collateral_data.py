"""What the collateral tests share: a borrower with a live facility, an item's fields, an appraisal report
attached, and the refusal's reasons."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta

import pytest
from flask_babel import force_locale

from app.errors import InvalidInput
from app.localtime import local_today
from app.models import Attachment, Customer, Facility, User
from app.services.attachments import attachments
from app.services.customers.collateral import register
from tests import files
from tests.factories import book_customer, facility


def borrower(officer: User, index: int = 1, limit: int = 10_000_000) -> tuple[Customer, Facility]:
    """A customer of ``officer``'s book with one active facility of ``limit``."""
    customer = book_customer(officer, index)
    return customer, facility(customer, limit)


NUMBERS = itertools.count(12345)  # each item its own title certificate (one active item per certificate)


def fields(live: Facility | None = None, share: str = "100", **overrides) -> dict:
    """A real-estate item appraised at CNY 20m a month ago, securing ``live`` for ``share`` percent."""
    return {
        "owner_name": "华东精密机械有限公司",
        "kind": "real_estate",
        "description": "浦东新区张江路 88 号厂房及土地使用权",
        "certificate_no": f"沪(2024)浦字不动产权第{next(NUMBERS):07d}号",
        "appraised_value": "20,000,000.00",
        "appraised_on": (local_today() - timedelta(days=30)).isoformat(),
        "appraiser": "上海东洲资产评估有限公司",
        **({f"share_{live.id}": share} if live is not None else {}),
        **overrides,
    }


def record(user: User, customer: Customer, live: Facility | None = None, share: str = "100", **overrides):
    return register.record(user, customer.id, fields(live, share, **overrides))


def report(user: User, case_id: int | None = None, customer_id: int | None = None) -> Attachment:
    """An appraisal report (a small PDF) attached to a case or to a customer."""
    upload = attachments.Upload("评估报告.pdf", "application/pdf", io.BytesIO(files.PDF))
    about = {"kind": "appraisal", "title": "押品重估报告"}
    if case_id is not None:
        return attachments.attach_to_case(user, case_id, upload, about)
    assert customer_id is not None
    return attachments.attach_to_customer(user, customer_id, upload, about)


def refused(call) -> dict[str, str]:
    """The reasons of a refusal, read in English."""
    with force_locale("en"), pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.errors
