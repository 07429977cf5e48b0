"""XLSX archive scan: parts, sizes, rows and long texts checked before any XML is parsed."""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from khooshe.io.tables._limits import LimitError, Limits, TableFormatError, too_big
from khooshe.text.messages import Message

#: What a worksheet can hold (Excel's own bounds): a sheet beyond them was not written by a
#: spreadsheet program.
SHEET_ROWS = 1_048_576
#: Bytes read at a time when scanning an archive's parts.
_CHUNK = 1 << 20
#: References (of a row or a cell) with a row number of seven digits or more, and cells in a
#: column of two or three letters: the patterns start with a literal, which the regular
#: expression engine finds fast, and match rarely in an ordinary sheet.
_BIG_ROW = re.compile(rb'r="[A-Z]{0,3}(\d{7,})"')
_WIDE_CELL = re.compile(rb'r="([A-Z]{2,3})\d')
_NOT_TAG = re.compile(rb"[^<]+")


@dataclass
class _Scan:
    """What a scan of an XLSX archive found: the largest column of two or three letters (27 or
    beyond) a cell names, per worksheet part."""

    max_column: dict[str, int] = field(default_factory=dict)


def _damaged_part(path: Path, info: zipfile.ZipInfo, exc: BaseException) -> TableFormatError:
    return TableFormatError(Message("io.read.damaged", {
        "path": str(path), "format": "xlsx",
        "reason": f"{info.filename}: its contents do not match its declared size and checksum, "
                  f"or cannot be decompressed: {type(exc).__name__}: {exc}"}))


def _read_part(path: Path, info: zipfile.ZipInfo, part) -> bytes:
    """The next chunk of a part; a damaged or forged part refused by name."""
    try:
        return part.read(_CHUNK)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise _damaged_part(path, info, exc) from exc


def _column_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n


def _check_zip(path: Path, limits: Limits) -> _Scan:
    """Scan every part of an XLSX archive before any is parsed, and refuse it if it is beyond
    what a spreadsheet holds or the limits allow — from what the archive declares first, then
    from its decompressed bytes, read a chunk at a time (never more than the limit):

    * more parts than ``limits.parts``, or declared sizes adding up beyond ``unzipped_mb``;
    * a part whose contents do not match its declared size or checksum (forged sizes), or
      that cannot be decompressed (a damaged archive);
    * a worksheet of more rows than a worksheet can hold (:data:`SHEET_ROWS`), or of more than
      ``limits.rows``, or naming a row beyond :data:`SHEET_ROWS`;
    * a text without markup longer than ``cell_chars`` allows (a cell or shared string of
      hundreds of megabytes), checked in bytes (at most four per character).
    """
    scan = _Scan()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > limits.parts:
            raise too_big(path, "number of parts in the archive", len(infos), limits.parts,
                          "parts")
        total = 0
        for info in infos:
            total += info.file_size
            if total > limits.unzipped_mb * 2**20:
                raise too_big(path, "decompressed size in MB", total / 2**20,
                              limits.unzipped_mb, "unzipped_mb")
        longest_text = limits.cell_chars * 4 + 1024  # bytes: UTF-8 and entities (&amp;)
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            rows = 0
            run = 0  # bytes since the last "<": the text of a cell runs without markup
            tail = b""
            size = 0
            try:
                part = archive.open(info)  # zipfile checks the CRC and the declared size
            except NotImplementedError as exc:  # a compression method zipfile does not know
                raise _damaged_part(path, info, exc) from exc
            with part:
                while chunk := _read_part(path, info, part):
                    if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
                        raise _entities_refused(path, f"in {info.filename}")
                    size += len(chunk)
                    if size > info.file_size:
                        raise TableFormatError(Message("io.read.damaged", {
                            "path": str(path), "format": "xlsx",
                            "reason": f"{info.filename} is larger than it declares"}))
                    last = chunk.rfind(b"<")
                    if last < 0:
                        run += len(chunk)
                    else:
                        first = chunk.find(b"<")
                        longest = 0  # a text inside one chunk is shorter than the limit …
                        if longest_text < _CHUNK:  # … unless the limit was set very low
                            longest = max((len(m) for m in _NOT_TAG.findall(chunk, first,
                                                                            last)), default=0)
                        run = max(run + first, longest)
                        if run > longest_text:
                            break
                        run = len(chunk) - last
                    if run > longest_text:
                        break
                    if sheet:
                        text = tail + chunk
                        rows += chunk.count(b"<row") + chunk.count(b":row ")
                        if rows > SHEET_ROWS:
                            raise LimitError(Message("io.limit.sheet_rows", {
                                "path": str(path), "part": info.filename, "limit": SHEET_ROWS}))
                        if rows > limits.rows + 1:
                            raise too_big(path, "number of rows", rows - 1, limits.rows,
                                          "rows")
                        for number in _BIG_ROW.findall(text):
                            if int(number) > SHEET_ROWS:
                                raise LimitError(Message("io.limit.row_beyond", {
                                    "path": str(path), "part": info.filename,
                                    "row": int(number), "limit": SHEET_ROWS}))
                        widest = max((_column_number(letters)
                                      for letters in set(_WIDE_CELL.findall(text))), default=0)
                        if widest > scan.max_column.get(info.filename, 0):
                            scan.max_column[info.filename] = widest
                        tail = chunk[-512:]
            if run > longest_text:
                raise LimitError(Message("io.limit.long_text", {
                    "path": str(path), "part": info.filename, "limit": limits.cell_chars}))
    return scan


def _entities_refused(path: Path, what: str) -> TableFormatError:
    return TableFormatError(f"{path}: refused: the spreadsheet declares XML entities or a DTD "
                            f"({what}), which a spreadsheet never needs and an attack does")
