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

A zip must start at its first byte (no data before its first local header, which zip readers tolerate but
which makes a file two things at once), list each name once, and the local header at its start must name the
entry its central directory places there. Of its members only ``[Content_Types].xml`` is read (bounded: at most
``MAX_CONTENT_TYPES`` bytes unpacked, a larger one refused); nothing is extracted. One that holds VBA macros is
refused, whether the part is named ``vbaProject.bin`` or renamed but declared by its content type (a type naming
``vbaProject``, ``vbaData``, ``macroEnabled`` or ``macrosheet``). Text that begins with ``<`` or holds an HTML,
SVG or XML opening tag anywhere in its first ``MARKUP_WINDOW`` characters is refused as markup, and so is a PDF
with an HTML tag in its first ``PDF_HEAD`` bytes (a PDF/HTML polyglot): never kept, let alone served. SVG is not
accepted at all (it can carry script).
"""

from __future__ import annotations

import io
import lzma
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    code: str
    mimetype: str
    extensions: tuple[str, ...]
    label: str  # the format's own name, the same in every language
    preview: str | None = None  # "pdf" | "image": may be shown in the page; None: download only


TYPES: dict[str, FileType] = {
    t.code: t
    for t in (
        FileType("pdf", "application/pdf", (".pdf",), "PDF", "pdf"),
        FileType("png", "image/png", (".png",), "PNG", "image"),
        FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG", "image"),
        FileType("gif", "image/gif", (".gif",), "GIF", "image"),
        FileType("webp", "image/webp", (".webp",), "WebP", "image"),
        FileType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            "Word (DOCX)",
        ),
        FileType(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            "Excel (XLSX)",
        ),
        FileType("text", "text/plain", (".txt",), "TXT"),
        FileType("csv", "text/csv", (".csv",), "CSV"),
    )
}
BY_MIMETYPE = {t.mimetype: t for t in TYPES.values()}
IMAGES = frozenset(code for code, t in TYPES.items() if t.preview == "image")
MARKUP = "markup"  # what ``sniff`` calls text that is HTML, SVG or XML: refused
MACROS = "macros"  # an Office file that holds VBA macros: refused
_MARKUP_TAG = re.compile(
    r"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta|\?xml|style|a\s|img\s)", re.IGNORECASE
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MARKUP_WINDOW = 64 * 1024  # characters of text looked at for markup
PDF_HEAD = 1024  # bytes of a PDF looked at for HTML (a browser that sniffs reads fewer)
_PDF_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|\?xml)", re.IGNORECASE)
MAX_CONTENT_TYPES = 64 * 1024  # bytes of [Content_Types].xml read, unpacked; a larger one is refused
_MACRO_TYPES = re.compile(r"vbaProject|vbaData|macroEnabled|macrosheet", re.IGNORECASE)
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip entry's local file header, before its name


def sniff(data: bytes) -> str | None:
    """The kind the bytes are (a ``TYPES`` code but ``text`` for both text kinds), ``MARKUP``, ``MACROS``, or
    None when they are none of the accepted kinds."""
    if data.startswith(b"%PDF-"):
        return MARKUP if _PDF_MARKUP.search(data[:PDF_HEAD]) else "pdf"
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
            entries = archive.infolist()  # the central directory
            if not _starts_at_zero(data, entries):
                return None
            names = [info.filename for info in entries]
            if len(set(names)) != len(names) or "[Content_Types].xml" not in names:
                return None
            declared = _content_types(archive)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
        EOFError,
        struct.error,
        zlib.error,
        lzma.LZMAError,
    ):
        return None  # not a zip, encrypted, or packed in a way not read here
    if declared is None:
        return None
    if _MACRO_TYPES.search(declared) or any(name.lower().endswith("vbaproject.bin") for name in names):
        return MACROS
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _starts_at_zero(data: bytes, entries: list[zipfile.ZipInfo]) -> bool:
    """The first entry's local header is at byte 0 and names what the central directory says is there (zipfile
    itself accepts data before the archive and finds its entries by offsets)."""
    first = min(entries, key=lambda info: info.header_offset, default=None)
    if first is None or first.header_offset != 0:
        return False
    header = _LOCAL_HEADER.unpack_from(data)
    name_length = header[9]
    encoding = "utf-8" if first.flag_bits & 0x800 else "cp437"
    return data[_LOCAL_HEADER.size : _LOCAL_HEADER.size + name_length] == first.orig_filename.encode(encoding)


def _content_types(archive: zipfile.ZipFile) -> str | None:
    """``[Content_Types].xml`` as text, read at most ``MAX_CONTENT_TYPES`` bytes unpacked (None: larger)."""
    if archive.getinfo("[Content_Types].xml").file_size > MAX_CONTENT_TYPES:
        return None
    with archive.open("[Content_Types].xml") as member:
        raw = member.read(MAX_CONTENT_TYPES + 1)  # bounded even if the directory lies about the size
    if len(raw) > MAX_CONTENT_TYPES:
        return None
    encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    return raw.decode(encoding, errors="replace")


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
    if text.lstrip().startswith("<") or _MARKUP_TAG.search(text, 0, MARKUP_WINDOW):
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
# Names Windows gives to devices, whatever their case or extension ("nul.txt", "Com1.pdf" open the device): a
# file saved under one is kept with "_" before it.
_DEVICE_NAMES = re.compile(
    r"(con|conin\$|conout\$|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])\s*(\..*)?",
    re.IGNORECASE | re.DOTALL,
)
MAX_NAME = 200


def clean_name(name: str) -> str:
    """``name`` as it is kept and sent back: its last path component only (``../../etc/passwd`` → ``passwd``,
    ``C:\\fakepath\\a.pdf`` → ``a.pdf``), without the characters above, NFC-normalised, spaces collapsed, no
    leading dots, characters Windows refuses replaced by ``_``, a Windows device name (``CON.pdf``, ``nul.txt``,
    ``LPT1``) with ``_`` before it, at most ``MAX_NAME`` characters (the extension kept); "document" when nothing is
    left."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(c for c in name if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _WINDOWS_RESERVED.sub("_", " ".join(name.split())).strip(" .")
    if _DEVICE_NAMES.fullmatch(name):
        name = "_" + name
    if len(name) > MAX_NAME:
        extension = extension_of(name)[:16]
        name = name[: MAX_NAME - len(extension)].rstrip(" .") + extension
    return name or "document"
