"""Small files of each kind a document may be, made in memory for the attachments tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
CSV = "客户名称,金额\n华东精密,1000\n".encode()


def png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def office(*names: str) -> bytes:
    """A zip holding ``names`` (empty parts): a DOCX with ``[Content_Types].xml`` and ``word/document.xml``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, b"<x/>")
    return out.getvalue()


DOCX = office("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = office("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")
DOCM = office("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")
