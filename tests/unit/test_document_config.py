"""The attached documents' size limit must leave room in a request's: the application refuses to start otherwise."""

from __future__ import annotations

import pytest

from config import BaseConfig, ConfigError, check_document_limit, config_for


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
