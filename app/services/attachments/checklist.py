"""The items of the compliance checklist (合规审查清单, ``forms/compliance_checklist.json``) a document may be
evidence for.

The checklist is a task form of the compliance sign-off that a credit application calls: each item is a check
(a yes/no or a choice) with an evidence text beside it. A document attached to the case against an item
(``checklist_item``) is shown under that item on the case page, beside the evidence text compliance wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

PROCESSES = ("credit_application",)  # the kinds of case whose file compliance signs off with the checklist


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    title: str  # a lazy translation
    check_field: str  # the form's field holding the check
    evidence_field: str  # the form's field holding its evidence text


ITEMS: dict[str, ChecklistItem] = {
    i.code: i
    for i in (
        ChecklistItem("kyc", _l("KYC (customer due diligence)"), "kyc_complete", "kyc_evidence"),
        ChecklistItem(
            "sanctions", _l("Sanctions / AML screening"), "sanctions_screening", "sanctions_evidence"
        ),
        ChecklistItem("related_party", _l("Related-party check"), "related_party", "related_party_evidence"),
        ChecklistItem(
            "regulatory_limits", _l("Within regulatory limits"), "regulatory_limits", "limits_evidence"
        ),
        ChecklistItem("documents", _l("Documents complete"), "documents_present", "documents_evidence"),
    )
}


def has_checklist(process_id: str) -> bool:
    return process_id in PROCESSES


def title_of(code: str) -> str:
    return str(ITEMS[code].title) if code in ITEMS else code
