"""Every setting of the application, read once from the environment.

Each setting is an environment variable with the ``CREDIT_`` prefix (``DATABASE_URL`` and
``CELERY_BROKER_URL`` are also read without it, as platforms commonly set them). The table
below is the one place they are documented; README.md points here.

==============================  ==========================================================  =========================
variable                        meaning                                                     default
==============================  ==========================================================  =========================
CREDIT_ENV                      development | testing | production                          development
CREDIT_SECRET_KEY               Flask session and CSRF secret (required in production:      random per process
                                at least 32 characters, not a word or a repeated pattern)
CREDIT_MODEL_SIGNING_KEY        the key scoring models are signed with (set it where more   instance/model-signing.key
                                than one machine reads the models)                          (made on first use)
DATABASE_URL                    SQLAlchemy URL (postgresql+psycopg://…, sqlite:///…)         sqlite:///instance/credit.sqlite
CELERY_BROKER_URL               redis://…, amqp://…, or sqla+sqlite:///… (embedded)          sqla+sqlite:///instance/broker.sqlite
CREDIT_CELERY_RESULT_BACKEND    Celery result backend (required in production)              db+<database url> (sqlite)
CREDIT_CELERY_ALWAYS_EAGER      run Celery tasks in-process (tests without a worker)        false (true in testing)
CREDIT_TIMER_TICK_SECONDS       how often beat fires due BPMN timers                        30
CREDIT_TIMER_BUDGET_SECONDS     one tick fires timers this long, then queues the next       120
CREDIT_ENGINE_CACHE_SIZE        workflows kept in memory per process for the next step      256 (0 in testing)
CREDIT_DOCUMENTS_ON_DECISION    a Celery job keeps the PDFs of each decided case            true (false in testing)
CREDIT_WORKFLOWS_DIR            BPMN files deployed by ``flask workflows deploy``           ./workflows
CREDIT_RULES_DIR                DMN files                                                   ./rules
CREDIT_FORMS_DIR                JSON Schema forms                                           ./forms
CREDIT_DEFAULT_LOCALE           zh_CN or en                                                 zh_CN
CREDIT_SESSION_COOKIE_SECURE    send the session cookie over HTTPS only                     false (true in production)
CREDIT_FORCE_HTTPS              redirect plain HTTP to HTTPS (HSTS is sent over HTTPS        false
                                whatever this says)
CREDIT_HSTS_SECONDS             how long a browser keeps to HTTPS after one visit (HSTS)     31536000 (a year)
CREDIT_API_TOKEN_DAYS           lifetime of an API token                                    90
CREDIT_LOG_LEVEL                Python logging level                                        INFO
CREDIT_PUBLIC_URL               the address people open, for links in e-mails               http://127.0.0.1:5000
CREDIT_MAIL_SERVER              SMTP host; unset: e-mails stay in the outbox (admin page)   unset
CREDIT_MAIL_PORT                SMTP port                                                   25
CREDIT_MAIL_USE_TLS             STARTTLS before sending                                     false
CREDIT_MAIL_USERNAME            SMTP login (with CREDIT_MAIL_PASSWORD), when needed          unset
CREDIT_MAIL_SENDER              the From address                                            credit-workflow@localhost
CREDIT_MAIL_SEND_SECONDS        how often beat sends the outbox                             60
CREDIT_IMPORT_INLINE_BYTES      a monitoring file up to this size is imported at once;      65536
                                a larger one by a Celery job with a progress bar
CREDIT_AUDIT_LOCK_SECONDS       a write waits this long for the audit chain, then 503       5
CREDIT_MAX_UPLOAD_BYTES         the largest request body accepted (any upload)              52428800
CREDIT_DOCUMENT_MAX_BYTES       the largest attached document (资料); below the one above     20971520 (20 MB)
CREDIT_DOCUMENT_STORE           the folder that keeps attached documents' bytes, one file   instance/documents
                                per SHA-256 (LocalFolderStorage)
CREDIT_DOCUMENT_STORAGE         the class that stores them (module:Class, built with the    app.services.attachments.
                                app's config: e.g. an object store's adapter)               storage:LocalFolderStorage
CREDIT_IMPORT_MAX_ROWS          the most data rows a monitoring file may hold               1000000
CREDIT_IMPORT_MAX_COLUMNS       the most columns a row of a monitoring file may have        100
CREDIT_IMPORT_MAX_CELLS         the most cells a monitoring file may hold                   20000000
CREDIT_IMPORT_MAX_UNPACKED      an XLSX's size unpacked (its zip's declared sizes), at    536870912
                                most; all four are checked before the file is parsed
CREDIT_IMPORT_STALE_SECONDS     an import whose worker gave no sign of life this long is    300
                                resumed by the watchdog (its lease has lapsed)
CREDIT_IMPORT_WATCH_SECONDS     how often beat runs the imports' watchdog                   60
CREDIT_IMPORT_MAX_ATTEMPTS      runs of one import before it is failed (a file that kills   5
                                its worker every time)
CREDIT_OUTBOX_SWEEP_SECONDS     how often beat sends again the jobs the broker did not      60
                                take (and how old a job is before it is sent again)
CREDIT_PORTFOLIO_CHECK_SECONDS  how often beat runs the early-warning portfolio check       86400
CREDIT_MONITORING_REALTIME      real-time monitoring (实时监控): the warning rules run for    true (false in testing)
                                a customer as soon as an observation or a statement of its
                                is stored (a job per batch), not only at the daily check
CREDIT_REVIEW_CHECK_SECONDS     how often beat starts the periodic reviews that fell due    3600
CREDIT_INSPECTION_CHECK_SECONDS how often beat plans and opens the post-loan inspections    3600
                                (贷后检查) that fell due
CREDIT_FOLLOW_UP_CHECK_SECONDS  how often beat tells officers of contact-log follow-ups     3600
                                that fell due (each once)
CREDIT_TRAINING_CHECK_SECONDS   how often beat reminds staff of required training expiring  86400
                                within 30 days or lapsed (培训到期提醒, each once)
CREDIT_RENEWAL_LEAD_DAYS        how many days before a facility matures its renewal         90
                                (续授信) is proposed
CREDIT_RENEWAL_CHECK_SECONDS    how often beat proposes the renewals that fell due           3600
CREDIT_GUARANTEE_CIRCLE_SECONDS how often beat scans the whole guarantee network for circles 3600
                                (a guarantee registered or released is seen at once)
CREDIT_PORTFOLIO_SUMMARY_SECONDS how often beat precomputes the portfolio dashboard      3600
                                (风险管理驾驶舱) for its default period
CREDIT_KPI_SUMMARY_SECONDS      how often beat precomputes the KPI dashboards and pages       3600
                                (绩效考核) for their default period
CREDIT_COLLATERAL_CHECK_SECONDS how often beat starts the collateral revaluations that fell   3600
                                due (押品重估; one running case per item)
CREDIT_MODEL_DRIFT_SECONDS      how often beat checks the scoring models in use (模型监测):   3600
                                a month is checked once its grace is over, and again for a
                                champion approved since
CREDIT_MODEL_DRIFT_GRACE_DAYS   how long after a month's end its check waits, so that what  10
                                is recorded late (a class, a days-past-due figure) counts
CREDIT_AUDIT_CHECK_SECONDS      how often beat recomputes the audit chain (alerts on break) 86400
CREDIT_AUDIT_KEY                the secret that keys the audit chain's hashes (HMAC), kept   a fixed development key
                                outside the database (required and strong in production)    (refused in production)
CREDIT_AUDIT_ANCHOR             the file that keeps the audit chain's verified head, where   instance/audit-anchor
                                the database user cannot write ("off": none)                 (none in testing)
CREDIT_AUDIT_PREVIOUS_KEY       read by ``flask audit rekey`` alone: the key the chain was   unset (the plain SHA-256
                                written with, when rotating keys                            of a chain before keys)
CREDIT_STAFFING_CHECK_SECONDS   how often beat re-checks cases waiting for someone who may  3600
                                act (a qualification lapses by date)
CREDIT_SEARCH_INDEX_SECONDS     how often beat merges SQLite's search index (FTS5 segments) 86400
CREDIT_SESSION_IDLE_MINUTES     a browser session ends after this long without a request    30
CREDIT_SESSION_HOURS            a browser session ends this long after log-in, used or not  10 (a working day)
CREDIT_CONNECTOR_<SOURCE>_URL   an external data source's endpoint (外部数据; SOURCE: TAX, COURT);  unset (not pulled)
                                see README "External data"
CREDIT_CONNECTOR_<SOURCE>_SECRET the secret a source signs its pushes with (its webhook,      unset (takes no
                                POST /api/v1/connectors/<source>/events); 32+ characters     pushes)
CREDIT_CONNECTOR_POLL_SECONDS   how often beat pulls each source that has a URL              300
CREDIT_CONNECTOR_TIMEOUT_SECONDS one request to a source gives up after this long            10
CREDIT_CONNECTOR_RETRIES        attempts of one request (exponential backoff between)       3
CREDIT_CONNECTOR_BREAKER_FAILURES failed pulls in a row that open a source's circuit        5
                                breaker (no request until it resets)
CREDIT_CONNECTOR_BREAKER_RESET_SECONDS how long an open breaker waits before one trial       60
                                request
CREDIT_RATELIMIT_STORAGE_URI    where failed log-ins are counted: memory:// (one process)   memory:// (required
                                or redis://host:6379/N (shared by every web process)         in production)
CREDIT_LOGIN_LIMIT_ACCOUNT      failed log-ins allowed per user name                        5 per minute;20 per hour
CREDIT_LOGIN_LIMIT_ADDRESS      failed log-ins allowed per client address                   20 per minute;100 per hour
==============================  ==========================================================  =========================
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
PREFIX = "CREDIT_"


class ConfigError(RuntimeError):
    """A setting is missing or contradicts another one."""


def env(name: str, default: str | None = None, *, bare: bool = False) -> str | None:
    """Read ``CREDIT_<name>`` (or ``<name>`` itself when ``bare``) from the environment."""
    value = os.environ.get(PREFIX + name)
    if value is None and bare:
        value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{PREFIX}{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, not {value!r}") from exc


# Only for development and tests: production refuses it (``check_audit_key``).
DEVELOPMENT_AUDIT_KEY = "development audit key: never use it in production"


def _anchor_path(default: Path | None) -> Path | None:
    value = env("AUDIT_ANCHOR")
    if value is None:
        return default
    return None if value.lower() == "off" else Path(value)


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{INSTANCE_DIR / name}"


# The external data sources by their keys (app.services.connectors.sources: one class each).
CONNECTOR_SOURCES = ("tax", "court")


class BaseConfig:
    ENV_NAME = "development"
    SECRET_KEY = env("SECRET_KEY") or secrets.token_hex(32)
    MODEL_SIGNING_KEY = env("MODEL_SIGNING_KEY")
    MODEL_SIGNING_KEY_FILE = INSTANCE_DIR / "model-signing.key"
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL", bare=True) or _sqlite_url("credit.sqlite")
    # A network database connection can die while pooled: ping it at checkout. SQLite has no network.
    SQLALCHEMY_ENGINE_OPTIONS: dict = (
        {} if SQLALCHEMY_DATABASE_URI.startswith("sqlite") else {"pool_pre_ping": True}
    )
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", bare=True) or f"sqla+{_sqlite_url('broker.sqlite')}"
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or f"db+{_sqlite_url('celery-results.sqlite')}"
    CELERY_ALWAYS_EAGER = env_bool("CELERY_ALWAYS_EAGER", False)
    TIMER_TICK_SECONDS = env_int("TIMER_TICK_SECONDS", 30)
    TIMER_BUDGET_SECONDS = env_int("TIMER_BUDGET_SECONDS", 120)  # the tick's time_limit is 300
    ENGINE_CACHE_SIZE = env_int("ENGINE_CACHE_SIZE", 256)
    DOCUMENTS_ON_DECISION = env_bool("DOCUMENTS_ON_DECISION", True)
    WORKFLOWS_DIR = Path(env("WORKFLOWS_DIR") or BASE_DIR / "workflows")
    RULES_DIR = Path(env("RULES_DIR") or BASE_DIR / "rules")
    FORMS_DIR = Path(env("FORMS_DIR") or BASE_DIR / "forms")
    BABEL_DEFAULT_LOCALE = env("DEFAULT_LOCALE") or "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    FORCE_HTTPS = env_bool("FORCE_HTTPS", False)
    HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
    LOG_LEVEL = env("LOG_LEVEL") or "INFO"
    PUBLIC_URL = env("PUBLIC_URL") or "http://127.0.0.1:5000"
    MAIL_SERVER = env("MAIL_SERVER")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = env("MAIL_USERNAME")
    MAIL_PASSWORD = env("MAIL_PASSWORD")
    MAIL_SENDER = env("MAIL_SENDER") or "credit-workflow@localhost"
    MAIL_SEND_SECONDS = env_int("MAIL_SEND_SECONDS", 60)
    AUDIT_LOCK_SECONDS = env_int("AUDIT_LOCK_SECONDS", 5)
    IMPORT_INLINE_BYTES = env_int("IMPORT_INLINE_BYTES", 64 * 1024)
    PORTFOLIO_CHECK_SECONDS = env_int("PORTFOLIO_CHECK_SECONDS", 24 * 3600)
    MONITORING_REALTIME = env_bool("MONITORING_REALTIME", True)
    CONNECTOR_URLS = {source: env(f"CONNECTOR_{source.upper()}_URL") for source in CONNECTOR_SOURCES}
    # Each source's webhook secret: its pushes are signed with it (none: the source does not push).
    CONNECTOR_SECRETS = {source: env(f"CONNECTOR_{source.upper()}_SECRET") for source in CONNECTOR_SOURCES}
    CONNECTOR_POLL_SECONDS = env_int("CONNECTOR_POLL_SECONDS", 300)
    CONNECTOR_TIMEOUT_SECONDS = env_int("CONNECTOR_TIMEOUT_SECONDS", 10)
    CONNECTOR_RETRIES = env_int("CONNECTOR_RETRIES", 3)
    CONNECTOR_BREAKER_FAILURES = env_int("CONNECTOR_BREAKER_FAILURES", 5)
    CONNECTOR_BREAKER_RESET_SECONDS = env_int("CONNECTOR_BREAKER_RESET_SECONDS", 60)
    REVIEW_CHECK_SECONDS = env_int("REVIEW_CHECK_SECONDS", 3600)
    INSPECTION_CHECK_SECONDS = env_int("INSPECTION_CHECK_SECONDS", 3600)
    FOLLOW_UP_CHECK_SECONDS = env_int("FOLLOW_UP_CHECK_SECONDS", 3600)
    TRAINING_CHECK_SECONDS = env_int("TRAINING_CHECK_SECONDS", 24 * 3600)
    RENEWAL_LEAD_DAYS = env_int("RENEWAL_LEAD_DAYS", 90)
    RENEWAL_CHECK_SECONDS = env_int("RENEWAL_CHECK_SECONDS", 3600)
    GUARANTEE_CIRCLE_SECONDS = env_int("GUARANTEE_CIRCLE_SECONDS", 3600)
    PORTFOLIO_SUMMARY_SECONDS = env_int("PORTFOLIO_SUMMARY_SECONDS", 3600)
    KPI_SUMMARY_SECONDS = env_int("KPI_SUMMARY_SECONDS", 3600)
    COLLATERAL_CHECK_SECONDS = env_int("COLLATERAL_CHECK_SECONDS", 3600)
    MODEL_DRIFT_SECONDS = env_int("MODEL_DRIFT_SECONDS", 3600)
    MODEL_DRIFT_GRACE_DAYS = env_int("MODEL_DRIFT_GRACE_DAYS", 10)
    AUDIT_CHECK_SECONDS = env_int("AUDIT_CHECK_SECONDS", 24 * 3600)
    AUDIT_KEY = env("AUDIT_KEY") or DEVELOPMENT_AUDIT_KEY
    AUDIT_ANCHOR = _anchor_path(INSTANCE_DIR / "audit-anchor")
    STAFFING_CHECK_SECONDS = env_int("STAFFING_CHECK_SECONDS", 3600)
    SEARCH_INDEX_SECONDS = env_int("SEARCH_INDEX_SECONDS", 24 * 3600)
    MAX_CONTENT_LENGTH = env_int("MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
    DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
    DOCUMENT_STORE = Path(env("DOCUMENT_STORE") or INSTANCE_DIR / "documents")
    DOCUMENT_STORAGE = env("DOCUMENT_STORAGE") or "app.services.attachments.storage:LocalFolderStorage"
    IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_000_000)
    IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100)
    IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 20_000_000)
    IMPORT_MAX_UNPACKED = env_int("IMPORT_MAX_UNPACKED", 512 * 1024 * 1024)
    IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 300)
    IMPORT_WATCH_SECONDS = env_int("IMPORT_WATCH_SECONDS", 60)
    IMPORT_MAX_ATTEMPTS = env_int("IMPORT_MAX_ATTEMPTS", 5)
    OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)

    # A JSON body (an API call, a saved draft of at most 2 MB) is read whole and walked: bounded apart.
    MAX_JSON_BYTES = env_int("MAX_JSON_BYTES", 4 * 1024 * 1024)
    WTF_CSRF_TIME_LIMIT = None
    # Sessions: idle timeout and absolute lifetime (app/web/auth/sessions.py); the signed cookie itself is refused
    # past the lifetime too, so a copied cookie is worth a working day at most.
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_HOURS = env_int("SESSION_HOURS", 10)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_HOURS)
    SESSION_REFRESH_EACH_REQUEST = (
        False  # the cookie expires a lifetime after log-in, not after the last request
    )
    # Failed log-ins counted per user name and per address (Flask-Limiter; app/web/auth/login_limits.py).
    RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URI") or "memory://"
    # The 429 answer sets its own Retry-After (login_limits.py); Flask-Limiter's headers would stamp the window's
    # Retry-After on every log-in answer, a 200 or another 503's too.
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "moving-window"
    # Redis unreachable: count in this process's memory meanwhile rather than refuse every log-in.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_LIMIT_ACCOUNT = env("LOGIN_LIMIT_ACCOUNT") or "5 per minute;20 per hour"
    LOGIN_LIMIT_ADDRESS = env("LOGIN_LIMIT_ADDRESS") or "20 per minute;100 per hour"
    PASSWORD_HASH_METHOD = "scrypt"


class DevelopmentConfig(BaseConfig):
    pass


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # scrypt per test user would dominate the suite's time
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL", bare=True) or "sqlite:///:memory:"
    CELERY_ALWAYS_EAGER = env_bool("CELERY_ALWAYS_EAGER", env("CELERY_BROKER_URL", bare=True) is None)
    # Every step parses its state, so the suite exercises what a cold process does; the cache has its own tests.
    ENGINE_CACHE_SIZE = env_int("ENGINE_CACHE_SIZE", 0)
    # Rendering four PDFs per decided case would dominate the suite; the documents tests turn it on.
    DOCUMENTS_ON_DECISION = env_bool("DOCUMENTS_ON_DECISION", False)
    # Tests that record observations and then run a check count what that check raises; the real-time
    # tests turn it on (the ``realtime`` fixture).
    MONITORING_REALTIME = env_bool("MONITORING_REALTIME", False)
    MODEL_SIGNING_KEY = env("MODEL_SIGNING_KEY") or "testing-model-signing-key"  # no key file left by tests
    # The month just ended is the one checked, whatever the day: the grace has a test of its own.
    MODEL_DRIFT_GRACE_DAYS = 0
    # One anchor file would outlive each test's database: the anchor tests name their own.
    AUDIT_ANCHOR = _anchor_path(None)

    # Tests travel in time by days with a client signed in; tests/web/test_session_end.py sets the real limits.
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 10 * 365 * 24 * 60)
    SESSION_HOURS = env_int("SESSION_HOURS", 10 * 365 * 24)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_HOURS)
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or (
        "cache+memory://" if CELERY_ALWAYS_EAGER else f"db+{_sqlite_url('celery-results.sqlite')}"
    )


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)

    @classmethod
    def check(cls) -> None:
        """Refuse to start on a setting that would leave production open or losing work."""
        key = env("SECRET_KEY")
        if not key:
            raise ConfigError("CREDIT_SECRET_KEY must be set in production")
        if problem := secret_key_problem(key):
            raise ConfigError(
                f"CREDIT_SECRET_KEY is too weak for production: {problem}. "
                "Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if cls.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            raise ConfigError("production needs DATABASE_URL pointing at PostgreSQL, not SQLite")
        if cls.CELERY_BROKER_URL.startswith("sqla+"):
            raise ConfigError("production needs CELERY_BROKER_URL pointing at Redis or RabbitMQ")
        if cls.CELERY_RESULT_BACKEND.startswith(("db+sqlite", "cache+memory")):
            raise ConfigError(
                "production needs CREDIT_CELERY_RESULT_BACKEND set to Redis or the database "
                "(redis://…/1 or db+postgresql+psycopg://…), not a local SQLite file"
            )
        if cls.RATELIMIT_STORAGE_URI.startswith("memory://"):
            raise ConfigError(
                "production needs CREDIT_RATELIMIT_STORAGE_URI pointing at Redis "
                "(redis://…/2): in memory each web process would count failed log-ins alone"
            )
        check_audit_key(env("AUDIT_KEY"), env("SECRET_KEY"))
        if cls.AUDIT_ANCHOR is None:
            raise ConfigError(
                "production needs CREDIT_AUDIT_ANCHOR: the file that keeps the audit chain's head"
            )


# Keys people type when told to "set a secret": refused in production, whatever their length.
WEAK_KEY_WORDS = (
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "password",
    "default",
    "example",
    "qwerty",
    "letmein",
)


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions or key the audit chain in production (None: strong enough).

    At least 32 characters, at least 12 different ones (a hex token of 32 bytes has 16), and no word from
    ``WEAK_KEY_WORDS``: ``secrets.token_hex(32)`` passes, ``changeme`` or ``x`` * 40 does not."""
    if len(key) < 32:
        return f"{len(key)} characters, at least 32 are needed"
    if len(set(key)) < 12:
        return f"only {len(set(key))} different characters, at least 12 are needed"
    lowered = key.lower()
    word = next((w for w in WEAK_KEY_WORDS if w in lowered), None)
    if word:
        return f"it contains the guessable word {word!r}"
    return None


def check_audit_key(key: str | None, secret_key: str | None) -> None:
    """The audit chain's key in production: set, long and varied enough that it cannot be guessed, and not
    the session secret (whoever reads one must not hold the other)."""
    if not key:
        raise ConfigError(
            "CREDIT_AUDIT_KEY must be set in production: it keys the audit chain's hashes "
            "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    problem = "it is the development key" if key == DEVELOPMENT_AUDIT_KEY else secret_key_problem(key)
    if problem:
        raise ConfigError(
            f"CREDIT_AUDIT_KEY is too weak for production ({problem}): "
            "e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if key == secret_key:
        raise ConfigError("CREDIT_AUDIT_KEY must differ from CREDIT_SECRET_KEY")


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[BaseConfig]:
    """The config class for ``name`` (default: ``CREDIT_ENV``), checked for contradictions."""
    name = name or env("ENV") or "development"
    try:
        cls = CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"{PREFIX}ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from exc
    check = getattr(cls, "check", None)
    if check:
        check()
    check_document_limit(cls.DOCUMENT_MAX_BYTES, cls.MAX_CONTENT_LENGTH)
    check_drift_grace(cls.MODEL_DRIFT_GRACE_DAYS)
    check_connector_secrets(cls.CONNECTOR_SECRETS)
    return cls


def check_connector_secrets(secrets: dict[str, str | None]) -> None:
    """A webhook's secret long enough that its signatures cannot be guessed."""
    for source, secret in secrets.items():
        if secret and len(secret) < 32:  # unset or empty: the source takes no pushes
            raise ConfigError(f"CREDIT_CONNECTOR_{source.upper()}_SECRET must be 32 characters or more")


def check_drift_grace(days: int) -> None:
    """A month's check waits from 0 days to a year after its end: a negative grace would check the month still
    running, once and for good."""
    if not 0 <= days <= 366:
        raise ConfigError(f"CREDIT_MODEL_DRIFT_GRACE_DAYS must be from 0 to 366 days, not {days}")


def check_document_limit(document_bytes: int, request_bytes: int | None) -> None:
    """An attached document's limit must leave room in a request's: past the request's, the web server would
    refuse the upload before the application could say which limit it passed."""
    if document_bytes <= 0:
        raise ConfigError(
            f"CREDIT_DOCUMENT_MAX_BYTES must be a positive number of bytes, not {document_bytes}"
        )
    if request_bytes is not None and document_bytes >= request_bytes:
        raise ConfigError(
            f"CREDIT_DOCUMENT_MAX_BYTES ({document_bytes}) must be below CREDIT_MAX_UPLOAD_BYTES "
            f"({request_bytes}), which bounds the whole request the file comes in"
        )
