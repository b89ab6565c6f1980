"""Attaching documents (资料) to customers, cases, warnings and compliance checklist items; listing, reading
and (softly) deleting them.

An upload is refused, naming the file and why, when it is larger than ``CREDIT_DOCUMENT_MAX_BYTES``, empty,
none of the accepted kinds by its bytes (``sniff``), HTML/SVG/XML or an Office file with macros, or when its
bytes are not what its name's extension (or the type the client sent) says: a PNG named ``.pdf`` is refused.
What is kept: the name made safe (``sniff.clean_name``), the type detected from the bytes (never the client's),
the size and the SHA-256; the bytes go to the document store under that hash (``storage``), never into the
database. Every upload, deletion and read of a file's bytes is in the audit log (``document.uploaded``,
``document.deleted``, ``document.downloaded``), each with the case (``instance_id``) and the customer as its
columns. A document attached to a case before the case knows its customer (at intake) is given the customer when
the case is linked (``link_to_customer``, a step reaction).

Who may do what is ``rights``; each public function here checks it first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import selectinload

from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.models import Attachment, EarlyWarning, ProcessInstance, User
from app.models.base import utcnow
from app.services.attachments import checklist, rights, sniff
from app.services.attachments.storage import storage
from app.services.audit import audit
from app.services.customers.contacts import fields
from app.services.shared.unit_of_work import unit_of_work

KINDS = {
    "kyc": _l("KYC papers"),
    "audited_statements": _l("Audited statements"),
    "appraisal": _l("Appraisal report"),
    "contract": _l("Contract"),
    "photo": _l("Photo"),
    "other": _l("Other"),
}
MAX_TITLE = 200
MAX_NOTE = 2000
MAX_REASON = 2000


class StoredFileDamaged(DomainError):
    """The bytes in the store no longer hash to what was kept: never sent."""

    status = 500


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name and type the client gave, and its bytes to read."""

    file_name: str
    claimed_type: str | None
    stream: IO[bytes]


@dataclass(frozen=True)
class _Checked:
    values: dict[str, Any]
    data: bytes
    file_type: sniff.FileType


def kind_title(code: str) -> str:
    """The document type's name in the reader's language (the code itself for one no longer offered)."""
    return str(KINDS[code]) if code in KINDS else code


def max_bytes() -> int:
    return int(current_app.config["DOCUMENT_MAX_BYTES"])


def size_text(count: int) -> str:
    """A size as people read it: 20 MB, 350 KB, 812 bytes."""
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f}".removesuffix(".0") + " MB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):.0f} KB"
    return _("%(count)s bytes", count=count)


def _read(upload: Upload | None, errors: fields.Errors) -> tuple[str, bytes] | None:
    if upload is None or not upload.file_name:
        errors["file"] = _("choose a file")
        return None
    name = sniff.clean_name(upload.file_name)
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        errors["file"] = _(
            "%(name)s is larger than %(limit)s, the largest document accepted (CREDIT_DOCUMENT_MAX_BYTES)",
            name=name,
            limit=size_text(limit),
        )
        return None
    if not data:
        errors["file"] = _("%(name)s is empty", name=name)
        return None
    return name, data


def _file_type(name: str, data: bytes, claimed: str | None, errors: fields.Errors) -> sniff.FileType | None:
    sniffed = sniff.sniff(data)
    extension = sniff.extension_of(name)
    if sniffed == sniff.MARKUP:
        errors["file"] = _("%(name)s is HTML, SVG or XML, which is never accepted", name=name)
        return None
    if sniffed == sniff.MACROS:
        errors["file"] = _("%(name)s holds macros, which are never accepted", name=name)
        return None
    if sniffed is None:
        errors["file"] = _(
            "%(name)s is none of the kinds accepted (%(kinds)s)", name=name, kinds=sniff.accepted_labels()
        )
        return None
    found = sniff.file_type(sniffed, extension)
    if found is None:
        errors["file"] = _(
            "the content of %(name)s is %(kind)s, which its name (%(extension)s) does not say",
            name=name,
            kind=sniff.TYPES["text" if sniffed == "text" else sniffed].label,
            extension=extension or _("no extension"),
        )
        return None
    claimed_type = sniff.BY_MIMETYPE.get((claimed or "").split(";")[0].strip().lower())
    if (
        claimed_type is not None
        and claimed_type.code != found.code
        and {claimed_type.code, found.code} != {"text", "csv"}
    ):
        errors["file"] = _(
            "%(name)s was sent as %(claimed)s, but its content is %(kind)s",
            name=name,
            claimed=claimed_type.label,
            kind=found.label,
        )
        return None
    return found


def check(upload: Upload | None, data: Mapping[str, Any]) -> _Checked:
    """The document's fields and bytes, or ``InvalidInput`` naming every bad field (the file's named too)."""
    errors: fields.Errors = {}
    values: dict[str, Any] = {
        "kind": fields.choice(data, "kind", errors, KINDS, required=True),
        "title": fields.text(data, "title", errors, limit=MAX_TITLE),
        "note": fields.text(data, "note", errors, limit=MAX_NOTE, multi_line=True),
    }
    read = _read(upload, errors)
    found = _file_type(read[0], read[1], upload.claimed_type if upload else None, errors) if read else None
    if found is not None and values["kind"] == "photo" and found.code not in sniff.IMAGES:
        errors["kind"] = _("a photo must be an image (PNG, JPEG, GIF or WebP)")
    if errors or read is None or found is None:
        raise InvalidInput(_("The document was not attached."), errors)
    name, content = read
    values.update(
        file_name=name,
        title=values["title"] or name,
        content_type=found.mimetype,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    return _Checked(values, content, found)


def _store(user: User, checked: _Checked, **about: Any) -> Attachment:
    storage().put(checked.values["sha256"], checked.data)  # first: a row never names bytes the store lacks
    with unit_of_work():
        attachment = Attachment(uploaded_by_id=user.id, **checked.values, **about)
        db.session.add(attachment)
        db.session.flush()
        audit.record(
            "document.uploaded",
            user,
            instance_id=about.get("instance_id"),
            customer_id=about.get("customer_id"),
            document_id=attachment.id,
            warning_id=about.get("warning_id"),
            checklist_item=about.get("checklist_item"),
            **{
                k: checked.values[k] for k in ("kind", "title", "file_name", "content_type", "size", "sha256")
            },
        )
    return attachment


def attach_to_customer(
    user: User, customer_id: int, upload: Upload | None, data: Mapping[str, Any]
) -> Attachment:
    """Attach a document to the customer itself (its KYC papers, its audited statements…)."""
    customer = rights.customer_to_attach(user, customer_id)
    return _store(user, check(upload, data), customer_id=customer.id)


def attach_to_case(user: User, case_id: int, upload: Upload | None, data: Mapping[str, Any]) -> Attachment:
    """Attach a document to a case; ``warning_id`` names one of the case's warnings, ``checklist_item`` an item
    of its compliance checklist (``checklist.ITEMS``) the document is evidence for."""
    instance = rights.case_to_attach(user, case_id)
    errors: fields.Errors = {}
    warning_id = fields.whole_number(data, "warning_id", errors)
    if (
        warning_id is not None
        and db.session.scalar(
            select(EarlyWarning.id).where(
                EarlyWarning.id == warning_id, EarlyWarning.instance_id == instance.id
            )
        )
        is None
    ):
        errors["warning_id"] = _("a warning of this case")
    item = fields.text(data, "checklist_item", errors, limit=40)
    if item is not None and (item not in checklist.ITEMS or not checklist.has_checklist(instance.process_id)):
        errors["checklist_item"] = (
            _("an item of this case's compliance checklist")
            if checklist.has_checklist(instance.process_id)
            else _("this case has no compliance checklist")
        )
    if warning_id is not None and item is not None:
        errors["checklist_item"] = _("a document is about a warning or a checklist item, not both")
    checked = None
    try:
        checked = check(upload, data)
    except InvalidInput as exc:
        errors = {**exc.errors, **errors}
    if errors or checked is None:
        raise InvalidInput(_("The document was not attached."), errors)
    return _store(
        user,
        checked,
        customer_id=instance.customer_id,
        instance_id=instance.id,
        warning_id=warning_id,
        checklist_item=item,
    )


def attach_via_customer(
    user: User, customer_id: int, upload: Upload | None, data: Mapping[str, Any]
) -> Attachment:
    """The API's one door: to the customer, or with ``case_id`` to one of its cases (and then ``warning_id`` or
    ``checklist_item`` as ``attach_to_case`` reads them)."""
    rights.readable_customer(user, customer_id)
    errors: fields.Errors = {}
    case_id = fields.whole_number(data, "case_id", errors)
    if case_id is None and not errors:
        return attach_to_customer(user, customer_id, upload, data)
    if (
        case_id is not None
        and db.session.scalar(select(ProcessInstance.customer_id).where(ProcessInstance.id == case_id))
        != customer_id
    ):
        errors["case_id"] = _("a case of this customer")
    if errors:
        raise InvalidInput(_("The document was not attached."), errors)
    return attach_to_case(user, case_id, upload, data)  # type: ignore[arg-type]


def _listed(user: User, where: Any) -> list[Attachment]:
    query = (
        select(Attachment)
        .where(where)
        .options(
            selectinload(Attachment.uploaded_by),
            selectinload(Attachment.deleted_by),
            selectinload(Attachment.instance),
            selectinload(Attachment.warning),
        )
    )
    if not rights.may_see_deleted(user):
        query = query.where(Attachment.deleted_at.is_(None))
    return list(db.session.scalars(query.order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())))


def of_customer(user: User, customer_id: int) -> list[Attachment]:
    """Every document of the customer, its cases' and warnings' too, newest first (deleted ones, marked, for
    compliance and risk managers)."""
    rights.readable_customer(user, customer_id)
    # Its cases' too by the case, should a document of one not carry the customer (attached before the case was
    # linked, and kept so by a version before ``link_to_customer``).
    return _listed(
        user,
        or_(
            Attachment.customer_id == customer_id,
            Attachment.instance_id.in_(
                select(ProcessInstance.id).where(ProcessInstance.customer_id == customer_id)
            ),
        ),
    )


_LINK = (
    update(Attachment.__table__)
    .where(
        Attachment.__table__.c.instance_id == bindparam("case"), Attachment.__table__.c.customer_id.is_(None)
    )
    .values(customer_id=bindparam("customer"))
)


def link_to_customer(instance: ProcessInstance) -> None:
    """A step's reaction (``app/step_reactions.py``, right after the customer is synchronised): once the case is
    linked to its customer, the documents attached to it before (at intake, while the customer was not yet
    known) carry the customer too, so its page and the API list them. One UPDATE in the step's transaction; none
    for a case without a customer."""
    if instance.customer_id is not None:
        db.session.connection().execute(_LINK, {"case": instance.id, "customer": instance.customer_id})


def of_case(user: User, case_id: int) -> list[Attachment]:
    """The case's documents (its warnings' and checklist items' too), newest first."""
    rights.readable_case(user, case_id)
    return _listed(user, Attachment.instance_id == case_id)


def get(user: User, attachment_id: int) -> Attachment:
    return rights.readable(user, attachment_id)


def previewable(attachment: Attachment) -> bool:
    """A PDF or an image: shown in the page; anything else is only downloaded."""
    found = sniff.BY_MIMETYPE.get(attachment.content_type)
    return found is not None and found.preview is not None


def content(user: User, attachment_id: int, *, inline: bool = False) -> tuple[Attachment, bytes]:
    """The document and its bytes, checked against its SHA-256; the read is audited. ``inline`` (a preview) only
    for a PDF or an image (404 for any other kind)."""
    attachment = rights.readable(user, attachment_id)
    if inline and not previewable(attachment):
        raise NotFound(_("This kind of file has no preview: download it."))
    try:
        with storage().open(attachment.sha256) as stored:
            data = stored.read()
    except FileNotFoundError as exc:
        raise NotFound(
            _("The file of document %(id)s is missing from the document store.", id=attachment.id)
        ) from exc
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        current_app.logger.error(
            "document %s: stored bytes do not match SHA-256 %s", attachment.id, attachment.sha256
        )
        raise StoredFileDamaged(
            _(
                "The stored file of document %(id)s does not match its SHA-256: it was not "
                "sent. Tell the administrator.",
                id=attachment.id,
            )
        )
    with unit_of_work():
        audit.record(
            "document.downloaded",
            user,
            instance_id=attachment.instance_id,
            customer_id=attachment.customer_id,
            document_id=attachment.id,
            inline=inline,
            deleted=attachment.deleted_at is not None,
        )
    return attachment, data


def delete(user: User, attachment_id: int, data: Mapping[str, Any]) -> Attachment:
    """Delete a document, softly: it disappears for officers and approvers, compliance and risk managers still
    see it with who deleted it, when and why; the bytes stay in the store."""
    attachment = rights.deletable(user, attachment_id)
    errors: fields.Errors = {}
    reason = fields.text(data, "reason", errors, limit=MAX_REASON, required=True, multi_line=True)
    if errors:
        raise InvalidInput(_("The document was not deleted."), errors)
    with unit_of_work():
        attachment.deleted_at, attachment.deleted_by_id, attachment.delete_reason = utcnow(), user.id, reason
        audit.record(
            "document.deleted",
            user,
            instance_id=attachment.instance_id,
            customer_id=attachment.customer_id,
            document_id=attachment.id,
            title=attachment.title,
            sha256=attachment.sha256,
            reason=reason,
        )
    return attachment
