"""Production refuses to start on a weak secret key or on the embedded stand-ins (SQLite result backend, a
rate-limit count per process), each with a message saying what to set."""

from __future__ import annotations

import secrets

import pytest

from config import ConfigError, ProductionConfig, config_for, secret_key_problem

STRONG = secrets.token_hex(32)


@pytest.fixture
def production(monkeypatch):
    """A production configuration that passes every check; each test spoils one setting."""
    monkeypatch.setenv("CREDIT_SECRET_KEY", STRONG)
    monkeypatch.setenv("CREDIT_AUDIT_KEY", secrets.token_hex(32))
    monkeypatch.setattr(ProductionConfig, "AUDIT_ANCHOR", "/var/lib/credit/audit-anchor")
    for name, value in (
        ("SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://credit@db/credit"),
        ("CELERY_BROKER_URL", "redis://redis:6379/0"),
        ("CELERY_RESULT_BACKEND", "redis://redis:6379/1"),
        ("RATELIMIT_STORAGE_URI", "redis://redis:6379/2"),
    ):
        monkeypatch.setattr(ProductionConfig, name, value)
    return monkeypatch


def refusal() -> str:
    with pytest.raises(ConfigError) as caught:
        config_for("production")
    return str(caught.value)


def test_a_complete_production_configuration_starts(production):
    assert config_for("production") is ProductionConfig


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("x", "1 characters, at least 32"),
        ("changeme", "at least 32"),
        ("changeme" * 5, "different characters"),
        ("x" * 64, "only 1 different characters"),
        ("my-Secret-key-for-the-credit-app-2026", "guessable word 'secret'"),
        ("Password-0123456789-abcdefghijklmnop", "guessable word 'password'"),
    ],
)
def test_a_weak_secret_key_is_refused(production, key, said):
    production.setenv("CREDIT_SECRET_KEY", key)
    message = refusal()
    assert "CREDIT_SECRET_KEY is too weak" in message and said in message and "token_hex" in message


def test_an_unset_secret_key_is_refused(production):
    production.delenv("CREDIT_SECRET_KEY")
    assert "CREDIT_SECRET_KEY must be set" in refusal()


@pytest.mark.parametrize("backend", ["db+sqlite:///instance/celery-results.sqlite", "cache+memory://"])
def test_the_result_backend_may_not_fall_back_to_a_local_file(production, backend):
    production.setattr(ProductionConfig, "CELERY_RESULT_BACKEND", backend)
    assert "CREDIT_CELERY_RESULT_BACKEND" in refusal()


def test_an_unset_broker_is_refused(production):
    production.setattr(ProductionConfig, "CELERY_BROKER_URL", "sqla+sqlite:///instance/broker.sqlite")
    assert "CELERY_BROKER_URL" in refusal()


def test_login_limits_counted_per_process_are_refused(production):
    production.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    assert "CREDIT_RATELIMIT_STORAGE_URI" in refusal()


@pytest.mark.parametrize("_", range(20))
def test_generated_keys_always_pass(_):
    assert secret_key_problem(secrets.token_hex(32)) is None
    assert secret_key_problem(secrets.token_urlsafe(32)) is None
