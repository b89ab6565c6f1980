"""Limits the configuration must keep: the attached documents' size below a request's, and a scoring model check's grace
within a year. The application refuses to start otherwise."""

from __future__ import annotations

import pytest

from config import BaseConfig, ConfigError, check_document_limit, check_drift_grace, config_for


def test_the_defaults_fit():
    assert BaseConfig.DOCUMENT_MAX_BYTES == 20 * 1024 * 1024 < BaseConfig.MAX_CONTENT_LENGTH
    check_document_limit(BaseConfig.DOCUMENT_MAX_BYTES, BaseConfig.MAX_CONTENT_LENGTH)


@pytest.mark.parametrize(
    ("document", "request_bytes", "named"),
    [
        (60 * 1024 * 1024, 50 * 1024 * 1024, "CREDIT_MAX_UPLOAD_BYTES"),
        (0, 1024, "positive"),
    ],
)
def test_a_limit_past_the_request_or_not_positive_is_refused(document, request_bytes, named):
    with pytest.raises(ConfigError, match=named):
        check_document_limit(document, request_bytes)


def test_config_for_checks_it(monkeypatch):
    monkeypatch.setattr(BaseConfig, "DOCUMENT_MAX_BYTES", BaseConfig.MAX_CONTENT_LENGTH)
    with pytest.raises(ConfigError, match="CREDIT_DOCUMENT_MAX_BYTES"):
        config_for("development")


@pytest.mark.parametrize("days", [-5, 367, 10**9])
def test_a_drift_grace_that_would_check_a_running_month_or_none_is_refused(days):
    with pytest.raises(ConfigError, match="CREDIT_MODEL_DRIFT_GRACE_DAYS"):
        check_drift_grace(days)
    check_drift_grace(0)
    check_drift_grace(BaseConfig.MODEL_DRIFT_GRACE_DAYS)
