"""Codes that templates translate at run time with ``_(value)``.

Roles, lanes, task and instance states, outcomes, customer attributes, Z-score zones and audit
event types are stored as codes and shown through ``_(code)``. Extraction cannot see such
dynamic values, so each code is declared here once behind the ``N_`` marker
(``pybabel extract -k N_``). The English msgid is the code itself; the ``en`` catalog gives
readable English and the ``zh_CN`` catalog the bank's Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _

from app.language import N_, collation_key
from app.services.cases.case_kinds import KINDS
from app.services.scoring.wording import (
    CODES as SCORING_CODES,
)  # 模型管理: algorithms, states, governance steps
from app.web.vocabulary_events import EVENT_FAMILIES, EVENT_TYPES

ROLES: tuple[str, ...] = (
    N_("officer"),
    N_("approver"),
    N_("risk_manager"),
    N_("compliance"),
    N_("designer"),
    N_("admin"),
)

# Groups beyond the roles' own (lanes and the committee's veto holders).
GROUPS: tuple[str, ...] = (N_("committee"), N_("cro"))

TASK_STATES: tuple[str, ...] = (N_("ready"), N_("completed"), N_("cancelled"))

INSTANCE_STATUSES: tuple[str, ...] = (N_("running"), N_("completed"), N_("error"), N_("withdrawn"))

OUTCOMES: tuple[str, ...] = (N_("approved"), N_("rejected"))  # and "withdrawn", a status too

# Sign-off and committee decisions, approval routes and committee results.
DECISIONS: tuple[str, ...] = (
    N_("approve"),
    N_("return"),
    N_("reject"),
    N_("abstain"),
    N_("veto"),
    N_("sign_off"),
    N_("recused"),
)
APPROVAL_ROUTES: tuple[str, ...] = (N_("single"), N_("sequential"), N_("committee"))
COMMITTEE_RESULTS: tuple[str, ...] = (N_("no_quorum"), N_("vetoed"))
DOCUMENT_KINDS: tuple[str, ...] = (N_("credit_memo"), N_("approval_certificate"))
INBOX_SORTS: tuple[str, ...] = (
    N_("sort_oldest"),
    N_("sort_newest"),
    N_("sort_amount_desc"),
    N_("sort_amount_asc"),
    N_("sort_due"),
)

FACILITY_STATUSES: tuple[str, ...] = (N_("active"), N_("rejected"), N_("renewed"))
# Facilities that end: a renewal's state, the list's renewal filter and its maturity bands.
RENEWAL_STATES: tuple[str, ...] = (
    N_("renewal_none"),
    N_("renewal_proposed"),
    N_("renewal_in_progress"),
    N_("renewal_approved"),
    N_("renewal_rejected"),
    N_("renewal_withdrawn"),
)
RENEWAL_FILTERS: tuple[str, ...] = (
    N_("renewal_filter_none"),
    N_("renewal_filter_proposed"),
    N_("renewal_filter_in_progress"),
    N_("renewal_filter_decided"),
)
MATURITY_BANDS: tuple[str, ...] = (
    N_("band_matured"),
    N_("band_within_30"),
    N_("band_within_60"),
    N_("band_within_90"),
)

# A task's time limit (SLA), notification kinds, e-mail states and branches.
SLA_STATES: tuple[str, ...] = (N_("sla_overdue"), N_("sla_near"), N_("sla_on_time"))
NOTICE_KINDS: tuple[str, ...] = (
    N_("notice_new"),
    N_("notice_returned"),
    N_("notice_delegated"),
    N_("notice_escalated"),
    N_("notice_overdue"),
    N_("notice_chain_broken"),
    N_("notice_withdrawn"),
    N_("notice_unstaffed"),
    N_("notice_follow_up"),
    N_("notice_renewal"),
    N_("notice_transfer_in"),
    N_("notice_transfer_out"),
    N_("notice_training_expiring"),
    N_("notice_training_lapsed"),
    N_("notice_inspection_overdue"),
    N_("notice_inspection_escalated"),
    N_("notice_model_drift"),
)
MAIL_STATUSES: tuple[str, ...] = (N_("mail_pending"), N_("mail_sent"), N_("mail_failed"))
BRANCHES: tuple[str, ...] = (N_("head_office"), N_("shanghai"), N_("beijing"), N_("shenzhen"))
# "My customers": its sorts, and the class of a customer not classified yet.
BOOK_WORDS: tuple[str, ...] = (
    N_("book_sort_name"),
    N_("book_sort_limit"),
    N_("book_sort_grade"),
    N_("class_unclassified"),
)

# Monitoring: import states and where an observation came from.
IMPORT_STATES: tuple[str, ...] = (
    N_("import_queued"),
    N_("import_running"),
    N_("import_done"),
    N_("import_failed"),
)
CHECK_STATES: tuple[str, ...] = (
    N_("check_queued"),
    N_("check_running"),
    N_("check_done"),
    N_("check_failed"),
)
# The bank's own channels, then each external source (app.services.connectors.sources) by its key.
OBSERVATION_SOURCES: tuple[str, ...] = (
    N_("source_import"),
    N_("source_screen"),
    N_("source_api"),
    N_("source_tax"),
    N_("source_court"),
)
EXCEPTION_SECTIONS: tuple[str, ...] = (
    N_("exception_overrides"),
    N_("exception_escalations"),
    N_("exception_returned"),
    N_("exception_delegations"),
    N_("exception_signed_twice"),
    N_("exception_near_misses"),
)
REQUEST_STATES: tuple[str, ...] = (N_("request_pending"), N_("request_deployed"), N_("request_rejected"))
# a stress test run (压力测试): queued, running, done or failed
STRESS_STATES: tuple[str, ...] = (
    N_("stress_status_queued"),
    N_("stress_status_running"),
    N_("stress_status_done"),
    N_("stress_status_failed"),
)
SEVERITIES: tuple[str, ...] = (N_("severity_low"), N_("severity_medium"), N_("severity_high"))
# What recorded a change of a customer's grade or class.
RATING_REASONS: tuple[str, ...] = (
    N_("rating_by_application"),
    N_("rating_by_review"),
    N_("rating_by_escalation"),
)
# 五级分类
LOAN_CLASSES: tuple[str, ...] = (
    N_("class_normal"),
    N_("class_special_mention"),
    N_("class_substandard"),
    N_("class_doubtful"),
    N_("class_loss"),
)
WARNING_OUTCOMES: tuple[str, ...] = (
    N_("open"),
    N_("false_alarm"),
    N_("closed"),
    N_("frozen"),
    N_("exited"),
    N_("reviewed"),
    N_("regraded"),
    N_("no_findings"),
    N_("revalued"),  # a collateral revaluation confirmed
    N_("filed"),  # a case analysis approved into the case library (案例库)
)

INDUSTRIES: tuple[str, ...] = (
    N_("manufacturing"),
    N_("wholesale_retail"),
    N_("construction"),
    N_("real_estate"),
    N_("technology"),
    N_("services"),
    N_("agriculture"),
    N_("transport"),
)

SIZES: tuple[str, ...] = (N_("large"), N_("medium"), N_("small"), N_("micro"))

SEGMENTS: tuple[str, ...] = (
    N_("restricted"),
    N_("large_corporate"),
    N_("mid_corporate"),
    N_("sme"),
    N_("micro"),
)

CREDIT_RECORDS: tuple[str, ...] = (
    N_("clean"),
    N_("minor_delinquency"),
    N_("serious_delinquency"),
    N_("no_history"),
)

Z_ZONES: tuple[str, ...] = (N_("safe"), N_("grey"), N_("distress"))
# The Z-score models (customer_segment.dmn's z_model), by ``term``'s prefix.
Z_MODELS: tuple[str, ...] = (
    N_("z_model_z"),
    N_("z_model_z_prime"),
    N_("z_model_z_double_prime"),
    N_("z_model_em"),
)

WARNING_STATES: tuple[str, ...] = (N_("open"),)


@dataclass(frozen=True)
class Choice:
    """A filter's option: the value sent and its name in the reader's language."""

    value: str
    label: str


def _sorted(choices: Iterable[Choice]) -> list[Choice]:
    locale = get_locale()
    return sorted(choices, key=lambda c: collation_key(c.label, locale))


def event_families() -> list[tuple[Choice, list[Choice]]]:
    """The event filter's groups: each family ("task.", named) with its event types, families and types
    each sorted by their names in the reader's language."""
    families = []
    for code in EVENT_FAMILIES:
        family = code.removeprefix("event_family_")
        types = _sorted(Choice(t, _(t)) for t in EVENT_TYPES if t.startswith(f"{family}."))
        families.append((Choice(f"{family}.", _(code)), types))
    return sorted(families, key=lambda f: collation_key(f[0].label, get_locale()))


def process_choices() -> list[Choice]:
    """The kinds of case, by name, for a filter on the process."""
    return _sorted(Choice(process_id, str(kind.title)) for process_id, kind in KINDS.items())


def outcome_choices() -> list[Choice]:
    """Every outcome a case can end with, by name."""
    codes = dict.fromkeys((*OUTCOMES, "withdrawn", *WARNING_OUTCOMES))
    codes.pop("open", None)
    return _sorted(Choice(code, _(code)) for code in codes)


# Lanes (candidate groups) use the role codes.
LANES: tuple[str, ...] = ROLES

VOCABULARY: tuple[str, ...] = tuple(
    dict.fromkeys(
        ROLES
        + GROUPS
        + DECISIONS
        + APPROVAL_ROUTES
        + COMMITTEE_RESULTS
        + DOCUMENT_KINDS
        + INBOX_SORTS
        + SLA_STATES
        + NOTICE_KINDS
        + MAIL_STATUSES
        + BRANCHES
        + BOOK_WORDS
        + IMPORT_STATES
        + CHECK_STATES
        + STRESS_STATES
        + SCORING_CODES
        + OBSERVATION_SOURCES
        + SEVERITIES
        + RATING_REASONS
        + REQUEST_STATES
        + EXCEPTION_SECTIONS
        + LOAN_CLASSES
        + WARNING_OUTCOMES
        + TASK_STATES
        + INSTANCE_STATUSES
        + OUTCOMES
        + FACILITY_STATUSES
        + RENEWAL_STATES
        + RENEWAL_FILTERS
        + MATURITY_BANDS
        + INDUSTRIES
        + SIZES
        + SEGMENTS
        + CREDIT_RECORDS
        + Z_ZONES
        + Z_MODELS
        + EVENT_TYPES
        + EVENT_FAMILIES
        + WARNING_STATES
    )
)
