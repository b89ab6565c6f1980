"""What a kind of case declares (``CaseKind``) and the summary keys the kinds share; the kinds themselves are
``case_kinds``."""

from __future__ import annotations

from dataclasses import dataclass

# What every kind about one customer keeps, so lists and notifications can name the customer.
CUSTOMER_KEYS = ("customer_name", "uscc")
# The figures a rating produces, in an application and in a review alike.
RATING_KEYS = (
    "segment",
    "z_model",
    "analysis",
    "pd",
    "score_points",
    "z_score",
    "z_zone",
    "grade",
    "capped_from",
    "limit_cap",
)
# Who opens a case by hand, unless its kind says otherwise.
PEOPLE_WHO_START = ("officer", "admin")
APPROVAL_KEYS = ("approval_level", "approval_level_name", "approval_route", "final_level")
# A renewal (续授信): the facility it replaces, named by its case's reference, and when that one matures.
RENEWAL_KEYS = ("renews_facility_id", "renews_reference", "renews_matures_on")


@dataclass(frozen=True)
class CaseKind:
    process_id: str
    title: str  # a lazy translation: "Credit application" / 授信申请
    summary_keys: tuple[str, ...]
    prefix: str = "CS"  # of its references: CA-2026-000123
    documents: tuple[str, ...] = ()  # the document kinds (``services.documents.KINDS``) this kind has
    template: str = "cases/kinds/_other.html"  # the partial with its own facts
    # What its approvers decide on, shown above their form (the partial's ``on_task``) to the lanes named:
    # the form's read-only copies of these fields are not shown a second time.
    decided_on: tuple[str, ...] = ()
    decided_on_lanes: tuple[str, ...] = ()
    # The fields of an approval the case page shows in its sign-off record (the section ``signed_anchor``):
    # the timeline names that record instead of repeating them.
    signed_fields: tuple[str, ...] = ()
    signed_anchor: str = ""
    # The roles that may open a case of this kind by hand; () = only the system starts it (a schedule, a check,
    # a sample drawn), never a person, in the browser or over the API.
    started_by: tuple[str, ...] = PEOPLE_WHO_START
    start_label: str = ""  # a lazy translation: the start menu's button ("New credit application")
    # Its task pages list the case's attached documents with a link to attach one (an inspection's photos).
    documents_on_task: bool = False
    known: bool = True  # one of the bank's own kinds (False: a process a designer added, named by its id)

    @property
    def system_only(self) -> bool:
        return not self.started_by

    def shown_above(self, lane: str | None) -> frozenset[str]:
        """The fields the task page of ``lane`` shows above the form."""
        return frozenset(self.decided_on) if lane in self.decided_on_lanes else frozenset()
