"""The file of an attached document (资料): the type read from the bytes (a PNG named .pdf, HTML, macros and a file
over the limit refused, naming the file), the fields checked, safe names, the SHA-256 kept and the bytes in the store
under it, never sent once changed there."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import Attachment, AuditEvent
from app.services.admin.demo_documents import pdf
from app.services.attachments import attachments, sniff
from app.services.attachments.storage import LocalFolderStorage, storage
from tests import files
from tests.services.uploads import PDF_FIELDS, refused, upload

WORD_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/><Override '
    'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/>{}</Types>'
)
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n" + files.PDF[9:]


def zipped(parts: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def word(extra_types: str = "", **parts: bytes) -> bytes:
    """A DOCX whose [Content_Types].xml declares ``extra_types`` besides the document, with ``parts`` too."""
    return zipped(
        {
            "[Content_Types].xml": WORD_TYPES.format(extra_types),
            "word/document.xml": "<w:document/>",
            **{name.replace("__", "/").replace("_dot_", "."): data for name, data in parts.items()},
        }
    )


def renamed_local_name(data: bytes) -> bytes:
    """The zip with the name in its first local header changed (same length): its directory says otherwise."""
    length = int.from_bytes(data[26:28], "little")
    return data[:30] + b"X" + data[31 : 30 + length] + data[30 + length :]


def test_a_pdf_is_kept_in_the_store_by_its_sha256_with_the_type_read_from_its_bytes(app, people, customer):
    made = attachments.attach_to_customer(
        people.officer, customer.id, upload("审计报告.pdf", files.PDF, "application/pdf"), PDF_FIELDS
    )
    digest = hashlib.sha256(files.PDF).hexdigest()
    assert (made.sha256, made.size, made.content_type) == (digest, len(files.PDF), "application/pdf")
    assert (made.file_name, made.title, made.note, made.customer_id) == (
        "审计报告.pdf",
        "2025 年审计报告",
        PDF_FIELDS["note"],
        customer.id,
    )
    kept = app.config["DOCUMENT_STORE"] / digest[:2] / digest
    assert kept.read_bytes() == files.PDF
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "document.uploaded"))
    assert (event.customer_id, event.payload["sha256"], event.payload["document_id"]) == (
        customer.id,
        digest,
        made.id,
    )
    again = attachments.attach_to_customer(
        people.officer, customer.id, upload("copy.pdf", files.PDF), {"kind": "other"}
    )
    assert again.sha256 == digest and again.title == "copy.pdf"  # the same bytes, stored once
    assert attachments.content(people.compliance, made.id)[1] == files.PDF
    read = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "document.downloaded"))
    assert (read.actor_name, read.payload["document_id"]) == ("compliance", made.id)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("scan.png", files.png(), "png"),
        ("photo.JPG", files.JPEG, "jpeg"),
        ("a.gif", files.GIF, "gif"),
        ("合同.docx", files.DOCX, "docx"),
        ("报表.xlsx", files.XLSX, "xlsx"),
        ("清单.csv", files.CSV, "csv"),
        ("说明.txt", "营业执照已核验".encode("gb18030"), "text"),
    ],
)
def test_each_kind_accepted_is_detected(people, customer, name, data, kind):
    made = attachments.attach_to_customer(people.officer, customer.id, upload(name, data), {"kind": "other"})
    assert made.content_type == sniff.TYPES[kind].mimetype


@pytest.mark.parametrize(
    ("name", "data", "claimed", "words"),
    [
        ("报表.pdf", files.png(), "application/pdf", ["报表.pdf", "PNG", ".pdf"]),  # a PNG named .pdf
        ("page.html", files.HTML, "text/html", ["page.html", "HTML"]),
        ("notes.txt", files.HTML, "text/plain", ["notes.txt", "HTML"]),  # HTML named as text
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            None,
            ["logo.svg"],
        ),
        ("宏.docx", files.DOCM, None, ["宏.docx", "macros"]),
        ("run.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", None, ["run.exe", "none of the kinds"]),
        ("a.zip", files.office("a.txt"), None, ["a.zip"]),
        ("empty.pdf", b"", None, ["empty.pdf", "empty"]),
        (
            "real.pdf",
            files.PDF,
            "image/png",
            ["real.pdf", "PNG", "PDF"],
        ),  # the client says PNG: its bytes say PDF
        ("invoice\u202efdp.exe", files.PDF, None, ["invoicefdp.exe", ".exe"]),  # shown as "invoiceexe.pdf"
        ("x.pdf", POLYGLOT, "application/pdf", ["x.pdf", "HTML"]),  # a PDF that is an HTML page too
        (
            "报告.docx",
            word(
                '<Override PartName="/word/evil.bin" ContentType="application/vnd.ms-office.vbaProject"/>',
                word__evil_dot_bin=b"\xd0\xcf\x11\xe0",
            ),
            None,
            ["报告.docx", "macros"],
        ),
        ("notes.txt", b"a" * 5000 + b"<script>alert(1)</script>", None, ["notes.txt", "HTML"]),
    ],
)
def test_a_file_whose_bytes_are_not_what_it_says_is_refused_naming_it(
    people, customer, name, data, claimed, words
):
    errors = refused(
        lambda: attachments.attach_to_customer(
            people.officer, customer.id, upload(name, data, claimed), {"kind": "other"}
        )
    )
    assert set(errors) == {"file"}
    assert all(word in errors["file"] for word in words), errors
    assert db.session.scalar(select(Attachment.id)) is None


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (word(), "docx"),
        (files.XLSX, "xlsx"),
        # macros however the VBA part is named: declared by its content type, or a macro-enabled main part
        (
            word(
                '<Override PartName="/word/evil.bin" ContentType="application/vnd.ms-office.vbaProject"/>',
                word__evil_dot_bin=b"\xd0\xcf\x11\xe0",
            ),
            sniff.MACROS,
        ),
        (word('<Default Extension="dat" ContentType="APPLICATION/VND.MS-OFFICE.VBAPROJECT"/>'), sniff.MACROS),
        (
            zipped(
                {
                    "[Content_Types].xml": '<Types><Override PartName="/xl/workbook.xml" ContentType="application/'
                    'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
                    "xl/workbook.xml": "<x/>",
                }
            ),
            sniff.MACROS,
        ),
        (word(word__vbaProject_dot_bin=b"\xd0\xcf"), sniff.MACROS),
        # a [Content_Types].xml larger than is ever read: refused, never unpacked whole
        (word("<!--" + "x" * 65 * 1024 + "-->"), None),  # more than sniff.MAX_CONTENT_TYPES
        # data before the zip's first local header, a first header that is not the directory's, a name twice
        (b"PK\x03\x04" + b"junk" * 10 + files.DOCX, None),
        (b"PK\x03\x04\x14\x00" + files.DOCX, None),
        (renamed_local_name(files.DOCX), None),
        (files.DOCX + b"PK\x03\x04", "docx"),  # bytes after the directory are the zip's comment's business
        # markup anywhere in the first 64 KB of text, whatever it starts with
        (b"a" * 5000 + b"<script>alert(1)</script>", sniff.MARKUP),
        ("说明：".encode("gb18030") + b"x" * 60_000 + b"<IFRAME src=//x>", sniff.MARKUP),
        (b"x<svg onload=alert(1)>", sniff.MARKUP),
        (b"notes\n<?xml version='1.0'?>", sniff.MARKUP),
        (b"see <!DocType html>", sniff.MARKUP),
        (b"a < b and c > d, x<y", "text"),
        # a PDF that is an HTML page too; real PDFs are PDFs
        (POLYGLOT, sniff.MARKUP),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n<!DOCTYPE html>", sniff.MARKUP),
        (files.PDF, "pdf"),
        (pdf("2025 年度审计报告", [("审计意见", "标准无保留意见")], "全文见纸质档案。"), "pdf"),
    ],
)
def test_what_a_file_is_is_read_from_all_of_it_that_matters(data, kind):
    assert sniff.sniff(data) == kind


def test_a_zip_is_never_unpacked_but_for_its_content_types(monkeypatch):
    data, opened = word(word__media__a_dot_png=files.png()), []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, name, *a, **k: (
            opened.append(getattr(name, "filename", name)) or real_open(self, name, *a, **k)
        ),
    )
    assert sniff.sniff(data) == "docx"
    assert opened == ["[Content_Types].xml"]


def test_a_file_over_the_limit_is_refused_naming_the_limit(app, monkeypatch, people, customer):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 2048)
    errors = refused(
        lambda: attachments.attach_to_customer(
            people.officer, customer.id, upload("big.pdf", files.PDF + b"0" * 4096), {"kind": "other"}
        )
    )
    assert (
        "big.pdf" in errors["file"]
        and "2 KB" in errors["file"]
        and "CREDIT_DOCUMENT_MAX_BYTES" in errors["file"]
    )


def test_fields_are_checked_and_a_photo_must_be_an_image(people, customer):
    errors = refused(
        lambda: attachments.attach_to_customer(
            people.officer, customer.id, None, {"kind": "passport", "title": "x" * 201}
        )
    )
    assert set(errors) == {"file", "kind", "title"}
    errors = refused(
        lambda: attachments.attach_to_customer(
            people.officer, customer.id, upload("a.pdf", files.PDF), {"kind": "photo"}
        )
    )
    assert set(errors) == {"kind"}


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\fakepath\\审计报告.pdf", "审计报告.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("\u202ereport.pdf", "report.pdf"),
        ("re\u2066po\u2069rt\u200b.pdf", "report.pdf"),
        ("  ..hidden .pdf", "hidden .pdf"),
        ('what?<is>"this".pdf', "what__is__this_.pdf"),
        ("", "document"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("line\nbreak.pdf", "linebreak.pdf"),
        # Windows device names, any case, any extension: kept apart from the device
        ("CON.pdf", "_CON.pdf"),
        ("nul.txt", "_nul.txt"),
        ("Com1.tar.gz", "_Com1.tar.gz"),
        ("lpt9", "_lpt9"),
        ("AUX", "_AUX"),
        ("prn .pdf", "_prn .pdf"),
        ("..\\NUL.csv", "_NUL.csv"),
        ("COM\u00b9.pdf", "_COM\u00b9.pdf"),
        ("CONSOLE.pdf", "CONSOLE.pdf"),
        ("com10.pdf", "com10.pdf"),
        ("auxiliary.pdf", "auxiliary.pdf"),
        ("CON" + "x" * 300 + ".pdf", "CON" + "x" * 193 + ".pdf"),
    ],
)
def test_file_names_are_made_safe(given, kept):
    assert sniff.clean_name(given) == kept


def test_bytes_changed_in_the_store_are_never_sent(app, people, customer):
    made = attachments.attach_to_customer(people.officer, customer.id, upload("a.pdf", files.PDF), PDF_FIELDS)
    kept = app.config["DOCUMENT_STORE"] / made.sha256[:2] / made.sha256
    original = kept.read_bytes()
    try:
        kept.write_bytes(original + b"tampered")
        with pytest.raises(attachments.StoredFileDamaged):
            attachments.content(people.officer, made.id)
        kept.unlink()
        with pytest.raises(NotFound):
            attachments.content(people.officer, made.id)
    finally:
        storage().put(made.sha256, original)


def test_the_folder_store_writes_whole_files_under_checked_keys(tmp_path):
    store = LocalFolderStorage(tmp_path)
    key = hashlib.sha256(b"abc").hexdigest()
    store.put(key, b"abc")
    store.put(key, b"abc")  # the same bytes again: left as they are
    assert store.exists(key) and store.open(key).read() == b"abc"
    assert [p.name for p in (tmp_path / key[:2]).iterdir()] == [key]  # no temporary file left
    for bad in ("../../etc/passwd", key.upper(), key[:-1], ""):
        with pytest.raises(ValueError):
            store.put(bad, b"x")
