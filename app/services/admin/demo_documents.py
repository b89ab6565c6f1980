"""Demo documents (资料): KYC papers and audited statements as small PDFs (WeasyPrint) for some demo customers, a
site photo (a PNG drawn here), compliance's evidence under a signed-off case's checklist, a photo about an early
warning, and one document deleted with its reason (which compliance still sees).

Everything goes through ``attachments`` as the user who would attach it, so the checks, the store and the audit
trail are the real ones; the bytes land in the configured document store (``CREDIT_DOCUMENT_STORE``).
"""

from __future__ import annotations

import html
import io
import struct
import zlib
from collections.abc import Iterator

from sqlalchemy import select
from weasyprint import HTML

from app.extensions import db
from app.models import Customer, EarlyWarning, HumanTask, ProcessInstance, User
from app.services.attachments import attachments
from app.services.attachments.attachments import Upload

STYLE = (
    "@page { size: A5 landscape; margin: 12mm; } body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', "
    "sans-serif; font-size: 10pt; } h1 { font-size: 15pt; } td { padding: 1mm 3mm; border-bottom: 1px solid #ccc; }"
)
WITH_PAPERS = 4  # customers given their own KYC papers and audited statements


def pdf(title: str, rows: list[tuple[str, str]], note: str) -> bytes:
    """A one-page PDF: a title, a table of label and value, a note."""
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return HTML(
        string=f"<html><head><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<table>{cells}</table><p>{html.escape(note)}</p></body></html>"
    ).write_pdf()


def png(width: int = 240, height: int = 160) -> bytes:
    """A picture of a plant under a sky (sky, two buildings, a road), drawn pixel by pixel."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            if y > height * 0.8:
                pixel = (90, 90, 90)  # the road
            elif (30 < x < 110 and y > 60) or (130 < x < 210 and y > 40):
                pixel = (180, 70, 50) if (x // 12 + y // 14) % 3 else (240, 220, 120)  # walls and windows
            else:
                pixel = (120 + y // 2, 170 + y // 4, 235)  # the sky
            row += bytes(pixel)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _officer_of(customer: Customer) -> User:
    officer = db.session.get(User, customer.officer_id)
    assert officer is not None, customer.id  # the demo's customers all have one
    return officer


def _attach_to_customer(user: User, customer: Customer, name: str, data: bytes, **fields: str):
    return attachments.attach_to_customer(user, customer.id, Upload(name, None, io.BytesIO(data)), fields)


def _papers(customer: Customer, officer: User) -> None:
    kyc = pdf(
        "营业执照（副本）核验记录",
        [
            ("企业名称", customer.name),
            ("统一社会信用代码", customer.uscc),
            ("核验方式", "国家企业信用信息公示系统比对"),
            ("核验结果", "一致"),
        ],
        "经办客户经理已核对原件，复印件加盖公章。",
    )
    _attach_to_customer(
        officer, customer, "营业执照核验记录.pdf", kyc, kind="kyc", title="营业执照（副本）及核验记录"
    )
    audited = pdf(
        "2025 年度审计报告（摘要）",
        [
            ("被审计单位", customer.name),
            ("审计意见", "标准无保留意见"),
            ("会计师事务所", "示例会计师事务所（特殊普通合伙）"),
        ],
        "摘要由客户经理根据审计报告整理，全文见纸质档案。",
    )
    _attach_to_customer(
        officer,
        customer,
        "2025年度审计报告.pdf",
        audited,
        kind="audited_statements",
        title="2025 年度审计报告",
        note="标准无保留意见\n全文纸质归档",
    )


def _evidence(compliance: User) -> int:
    """Compliance's screening result under the sanctions item of each signed-off application's checklist."""
    signed = list(
        db.session.scalars(
            select(ProcessInstance)
            .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
            .where(HumanTask.task_spec == "compliance_checklist", HumanTask.state == "completed")
            .order_by(ProcessInstance.id)
            .limit(3)
        )
    )
    for instance in signed:
        result = pdf(
            "制裁名单及反洗钱筛查结果",
            [
                ("客户", (instance.summary or {}).get("customer_name", "")),
                ("业务编号", instance.reference),
                ("筛查结果", "未命中"),
            ],
            "筛查系统导出，合规部留档。",
        )
        attachments.attach_to_case(
            compliance,
            instance.id,
            Upload("反洗钱筛查结果.pdf", None, io.BytesIO(result)),
            {"kind": "other", "title": "制裁名单及反洗钱筛查结果", "checklist_item": "sanctions"},
        )
    return len(signed)


def load() -> Iterator[str]:
    """Papers for the first customers, a site photo for more, evidence, a warning's photo and one deleted."""
    customers = list(
        db.session.scalars(select(Customer).where(Customer.officer_id.is_not(None)).order_by(Customer.id))
    )
    photo = png()
    count = 0
    for index, customer in enumerate(customers):
        officer = _officer_of(customer)
        if index < WITH_PAPERS:
            _papers(customer, officer)
            count += 2
        if index % 2 == 0:  # the same picture each time: the store keeps it once
            _attach_to_customer(
                officer, customer, "厂区照片.png", photo, kind="photo", title="贷后走访厂区照片"
            )
            count += 1
    compliance = db.session.scalar(select(User).where(User.username == "compliance"))
    evidence = _evidence(compliance) if compliance is not None else 0
    warning = db.session.scalar(
        select(EarlyWarning).where(EarlyWarning.instance_id.is_not(None)).order_by(EarlyWarning.id)
    )
    if warning is not None:
        assert warning.instance_id is not None  # selected for having a case
        attachments.attach_to_case(
            _officer_of(warning.customer),
            warning.instance_id,
            Upload("现场核查照片.png", None, io.BytesIO(photo)),
            {"kind": "photo", "title": "现场核查照片", "warning_id": str(warning.id)},
        )
        count += 1
    if customers:
        officer = _officer_of(customers[0])
        wrong = _attach_to_customer(
            officer, customers[0], "厂区照片(1).png", photo, kind="photo", title="重复的照片"
        )
        attachments.delete(officer, wrong.id, {"reason": "重复上传"})
    yield f"{count + evidence + 1} documents attached ({evidence} as compliance evidence, 1 deleted)"
