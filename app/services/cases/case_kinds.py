"""The kinds of case: one per process a person or the system starts, each with its name, the data its
instance row keeps as a summary, and the documents it has.

A credit application, a periodic review, a warning escalation and a sampling review are different
things with different facts; the summary each keeps is declared with its kind (lists, inboxes and the
case page read it without loading the workflow). The compliance sign-off runs inside the credit
application (a call activity), so its data is the application's. A process a designer adds later
keeps the union of the known kinds' keys until it is given a kind of its own.

Who may start each kind is declared here too (``started_by``: the roles that open one by hand; none: only
the system starts it, on the message its diagram waits for). ``cases.start_case`` checks it for the browser and
the API alike, and the start menus offer only what the user may start. A process a designer adds later may be
opened by officers and administrators when its diagram has a plain start event; one whose start events all
wait for a message is the system's whatever its kind says.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.services.cases.case_kind import (
    APPROVAL_KEYS,
    CUSTOMER_KEYS,
    PEOPLE_WHO_START,
    RATING_KEYS,
    RENEWAL_KEYS,
    CaseKind,
)

CREDIT_APPLICATION = CaseKind(
    "credit_application",
    _l("Credit application"),
    (
        *CUSTOMER_KEYS,
        "group_name",
        "single_client_share",
        "group_share",
        "guaranteed_share",
        "in_guarantee_circle",
        "concentration_breach",
        "industry",
        "size",
        "credit_record",
        "listed",
        "requested_amount",
        "requested_term_months",
        "loan_class",
        *RATING_KEYS,
        "pd_model",
        "model_grade",
        "rating_override",
        "pricing_margin_pct",
        "max_term_months",
        "risk_controls",
        "proposed_limit",
        "proposed_term_months",
        "proposed_margin_pct",
        "proposed_controls",
        "officer_opinion",
        *APPROVAL_KEYS,
        "committee_result",
        "committee",
        "decision",
        "comment",
        "approver_comment",
        "returned_fields",
        "compliance_result",
        "compliance_findings",
        "outcome",
        *RENEWAL_KEYS,
    ),
    prefix="CA",
    documents=("credit_memo", "approval_certificate"),
    template="cases/kinds/_credit_application.html",
    started_by=PEOPLE_WHO_START,
    start_label=_l("New credit application"),
    decided_on=(
        *CUSTOMER_KEYS,
        "industry",
        "size",
        "segment",
        "requested_amount",
        "requested_term_months",
        "pd",
        "score_points",
        "z_score",
        "z_zone",
        "grade",
        "limit_cap",
        "proposed_limit",
        "proposed_term_months",
        "proposed_margin_pct",
        "proposed_controls",
        "approval_level",
        "approval_level_name",
        "officer_opinion",
    ),
    decided_on_lanes=("approver", "committee", "compliance"),
    signed_fields=("decision", "comment", "compliance_decision", "compliance_findings"),
    signed_anchor="signoffs",
)

PERIODIC_REVIEW = CaseKind(
    "periodic_review",
    _l("Periodic review"),
    (
        *CUSTOMER_KEYS,
        "industry",
        "size",
        "due_on",
        "previous_grade",
        "loan_class",
        *RATING_KEYS,
        "limit_amount",
        "proposed_limit",
        "new_limit",
        "review_notes",
        "change_comment",
        *APPROVAL_KEYS,
        "review_decision",
        "review_comment",
        "review_escalated",
        "next_review_on",
        "outcome",
    ),
    prefix="PR",
    template="cases/kinds/_periodic_review.html",
    started_by=(),  # the review schedule starts it
    decided_on=(
        *CUSTOMER_KEYS,
        "due_on",
        "previous_grade",
        "grade",
        "pd",
        "z_score",
        "loan_class",
        "limit_amount",
        "limit_cap",
        "new_limit",
        "change_comment",
        "review_notes",
    ),
    decided_on_lanes=("approver", "committee"),
    signed_fields=("review_decision", "review_comment"),
    signed_anchor="review-approval",
)

WARNING_ESCALATION = CaseKind(
    "warning_escalation",
    _l("Warning escalation"),
    (
        *CUSTOMER_KEYS,
        "warning_code",
        "warning_name",
        "severity",
        "observed_on",
        "to_risk_manager",
        "assessment",
        "findings",
        "escalated",
        "proposed_action",
        "action",
        "reduce_share",
        "margin_add_pct",
        "term_months",
        "expected_loss_pct",
        "follow_up_date",
        "review_comment",
        "approval_level",
        "control_decision",
        "control_comment",
        "five_category",
        "resolved",
        "follow_up_findings",
        "outcome",
    ),
    prefix="EW",
    template="cases/kinds/_warning_escalation.html",
    started_by=(),  # the portfolio check raises it
    decided_on=(
        *CUSTOMER_KEYS,
        "warning_code",
        "warning_name",
        "severity",
        "observed_on",
        "assessment",
        "findings",
        "proposed_action",
        "action",
        "reduce_share",
        "margin_add_pct",
        "term_months",
        "expected_loss_pct",
        "review_comment",
    ),
    decided_on_lanes=("approver", "committee"),
    signed_fields=("control_decision", "control_comment"),
    signed_anchor="control-approval",
)

AUDIT_SAMPLING = CaseKind(
    "audit_sampling",
    _l("Sampling review"),
    (
        "period_from",
        "period_to",
        "seed",
        "sample",
        "reviews",
        "to_fix",
        "fixes",
        "closure",
        "closure_comment",
        "findings",
        "outcome",
    ),
    prefix="AS",
    template="cases/kinds/_audit_sampling.html",
    started_by=(),
)  # compliance draws a sample

COLLATERAL_REVALUATION = CaseKind(
    "collateral_revaluation",
    _l("Collateral revaluation"),
    (
        *CUSTOMER_KEYS,
        "collateral_id",
        "collateral_kind",
        "collateral_description",
        "certificate_no",
        "owner_name",
        "previous_value",
        "previous_valued_on",
        "previous_appraiser",
        "due_on",
        "revaluation_months",
        "revaluation_within",
        "new_value",
        "valued_on",
        "appraiser",
        "report_document_id",
        "valuation_note",
        "revaluation_escalated",
        "valuation_decision",
        "valuation_comment",
        "haircut",
        "next_revaluation_on",
        "outcome",
    ),
    prefix="CV",
    template="cases/kinds/_collateral_revaluation.html",
    started_by=(),  # the revaluation schedule starts it (or the item's page, through its service)
    decided_on=(
        *CUSTOMER_KEYS,
        "collateral_description",
        "owner_name",
        "certificate_no",
        "previous_value",
        "previous_valued_on",
        "due_on",
        "new_value",
        "valued_on",
        "appraiser",
        "valuation_note",
        "valuation_comment",
    ),
    # whoever records the valuation and whoever confirms it see the item above their form
    decided_on_lanes=("officer", "risk_manager"),
)

# 贷后检查: the record is the officer's; the manager signs it off reading it above the form.
INSPECTION_RECORD = (
    "visited_on",
    "visit_mode",
    "people_met",
    "operations",
    "premises",
    "use_of_funds",
    "funds_match_purpose",
    "collateral_seen",
    "collateral_state",
    "guarantors_condition",
    "findings",
    "conclusion",
)
POST_LOAN_INSPECTION = CaseKind(
    "post_loan_inspection",
    _l("Post-loan inspection"),
    (
        *CUSTOMER_KEYS,
        "inspection_kind",
        "due_on",
        "earliest_visit_on",
        "facility_reference",
        "purpose",
        "warning_name",
        "inspection_reason",
        *INSPECTION_RECORD,
        "signoff_decision",
        "signoff_comment",
        "return_comment",
        "returned_fields",
        "next_inspection_on",
        "outcome",
    ),
    prefix="PI",
    template="cases/kinds/_post_loan_inspection.html",
    started_by=(),  # the inspection schedule opens it, or a person through the inspections' own service
    decided_on=(
        *CUSTOMER_KEYS,
        "inspection_kind",
        "due_on",
        "facility_reference",
        "purpose",
        "warning_name",
        "inspection_reason",
        *INSPECTION_RECORD,
    ),
    decided_on_lanes=("approver",),
    signed_fields=("signoff_decision", "signoff_comment"),
    signed_anchor="inspection-signoff",
    documents_on_task=True,
)

# 案例分析: a risk manager analyses a default, a control or a success; compliance approves it into the library.
CASE_ANALYSIS_RECORD = (
    "title",
    "root_causes",
    "missed_signals",
    "lessons",
    "recommendation",
    "draft_name",
    "tags",
    "case_outcome",
)
CASE_ANALYSIS = CaseKind(
    "case_analysis",
    _l("Case analysis"),
    (
        *CUSTOMER_KEYS,
        "industry",
        "trigger_kind",
        "trigger_label",
        "default_on",
        *CASE_ANALYSIS_RECORD,
        "review_decision",
        "review_comment",
        "return_comment",
        "outcome",
    ),
    prefix="CL",
    template="cases/kinds/_case_analysis.html",
    started_by=(),  # an event starts it, or a risk manager through the case library's own service
    decided_on=(*CUSTOMER_KEYS, "trigger_label", "default_on", *CASE_ANALYSIS_RECORD),
    decided_on_lanes=("compliance",),
    signed_fields=("review_decision", "review_comment"),
)

KINDS = {
    kind.process_id: kind
    for kind in (
        CREDIT_APPLICATION,
        PERIODIC_REVIEW,
        WARNING_ESCALATION,
        AUDIT_SAMPLING,
        COLLATERAL_REVALUATION,
        POST_LOAN_INSPECTION,
        CASE_ANALYSIS,
    )
}
OTHER_KEYS = tuple(dict.fromkeys(key for kind in KINDS.values() for key in kind.summary_keys))


def kind_of(process_id: str) -> CaseKind:
    """The kind of a case of ``process_id``; a process without a kind of its own is named by its id."""
    return KINDS.get(process_id) or CaseKind(process_id, process_id, OTHER_KEYS, known=False)
