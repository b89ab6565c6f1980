"""What a file is, read from its bytes (magic numbers), and a file name made safe to keep and to send back.

Pure functions: no Flask, no database. The kinds accepted, each with the extensions a file of that kind may
carry:

=========  ===================================  ======================  ==========================================
kind       bytes                                extensions              served as
=========  ===================================  ======================  ==========================================
pdf        ``%PDF-`` at the start               .pdf                    application/pdf (previewed in a frame)
png        ``89 50 4E 47 0D 0A 1A 0A``          .png                    image/png (previewed as an image)
jpeg       ``FF D8 FF``                         .jpg .jpeg              image/jpeg (previewed)
gif        ``GIF87a`` or ``GIF89a``             .gif                    image/gif (previewed)
webp       ``RIFF`` .... ``WEBP``               .webp                   image/webp (previewed)
docx       a zip whose directory names          .docx                   Word's type, always downloaded
           ``[Content_Types].xml`` and
           ``word/document.xml``
xlsx       a zip naming ``[Content_Types].xml``  .xlsx                   Excel's type, always downloaded
           and ``xl/workbook.xml``
text, csv  UTF-8 or GB18030 text without NUL    .txt / .csv             text/plain, text/csv, always downloaded
           or control characters, not markup
=========  ===================================  ======================  ==========================================

A zip is read only as far as its central directory (the names it lists; nothing is unpacked), and one that
names VBA macros (``vbaProject.bin``) is refused. Text that begins with ``<`` or holds an HTML, SVG or XML
opening tag near its start is refused as markup: it is never kept, let alone served. SVG is not accepted at all
(it can carry script).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    code: str
    mimetype: str
    extensions: tuple[str, ...]
    label: str  # the format's own name, the same in every language
    preview: str | None = None  # "pdf" | "image": may be shown in the page; None: download only


TYPES: dict[str, FileType] = {t.code: t for t in (
    FileType("pdf", "application/pdf", (".pdf",), "PDF", "pdf"),
    FileType("png", "image/png", (".png",), "PNG", "image"),
    FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG", "image"),
    FileType("gif", "image/gif", (".gif",), "GIF", "image"),
    FileType("webp", "image/webp", (".webp",), "WebP", "image"),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
             "Word (DOCX)"),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel (XLSX)"),
    FileType("text", "text/plain", (".txt",), "TXT"),
    FileType("csv", "text/csv", (".csv",), "CSV"),
)}
BY_MIMETYPE = {t.mimetype: t for t in TYPES.values()}
IMAGES = frozenset(code for code, t in TYPES.items() if t.preview == "image")
MARKUP = "markup"  # what ``sniff`` calls text that is HTML, SVG or XML: refused
MACROS = "macros"  # an Office file that holds VBA macros: refused
_MARKUP_TAG = re.compile(r"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta|\?xml|style|a\s|img\s)",
                         re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HEAD = 4096  # characters of text looked at for markup


def sniff(data: bytes) -> str | None:
    """The kind the bytes are (a ``TYPES`` code but ``text`` for both text kinds), ``MARKUP``, ``MACROS``, or
    None when they are none of the accepted kinds."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    return _text(data)


def _office(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {info.filename for info in archive.infolist()}  # the central directory; nothing unpacked
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return MACROS
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _text(data: bytes) -> str | None:
    if not data or b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    if _CONTROL.search(text):
        return None
    head = text[:_HEAD]
    if head.lstrip().startswith("<") or _MARKUP_TAG.search(head):
        return MARKUP
    return "text"


def extension_of(name: str) -> str:
    """The file name's extension, lower case with its dot ("" when it has none)."""
    stem, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and stem else ""


def file_type(sniffed: str, extension: str) -> FileType | None:
    """The kind a file is, when the kind its bytes are (``sniff``) is one its extension may carry."""
    if sniffed == "text":
        sniffed = "csv" if extension == ".csv" else "text"
    found = TYPES.get(sniffed)
    return found if found is not None and extension in found.extensions else None


def label_of(mimetype: str) -> str:
    """The kind of file a stored type is, by its format's name (PDF, Word (DOCX)…)."""
    found = BY_MIMETYPE.get(mimetype)
    return found.label if found is not None else mimetype


def accepted_labels() -> str:
    return ", ".join(t.label for t in TYPES.values())


# Characters a kept file name never holds: controls (NUL, line breaks, tabs…), format characters (the bidi
# overrides and isolates such as U+202E, which show "invoice‮fdp.exe" as "invoiceexe.pdf"; zero-width ones),
# surrogates, private-use and unassigned code points, line and paragraph separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
MAX_NAME = 200


def clean_name(name: str) -> str:
    """``name`` as it is kept and sent back: its last path component only (``../../etc/passwd`` → ``passwd``,
    ``C:\\fakepath\\a.pdf`` → ``a.pdf``), without the characters above, NFC-normalised, spaces collapsed, no
    leading dots, characters Windows refuses replaced by ``_``, at most ``MAX_NAME`` characters (the extension
    kept); "document" when nothing is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(c for c in name if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _WINDOWS_RESERVED.sub("_", " ".join(name.split())).strip(" .")
    if len(name) > MAX_NAME:
        extension = extension_of(name)[:16]
        name = name[:MAX_NAME - len(extension)].rstrip(" .") + extension
    return name or "document"
