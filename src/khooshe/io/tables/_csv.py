"""CSV reading: pyarrow's parser, UTF-8 and ragged rows refused with their line numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from khooshe.io.tables._columns import (
    _arrow_text,
    _categorical_column,
    _header,
    _object_column,
    _plain_numbers,
)
from khooshe.io.tables._limits import LIMITS_ENV, LimitError, Limits, TableFormatError, too_big
from khooshe.text.messages import Message, joined


def _read_csv(path: Path, limits: Limits, numbers: frozenset[str] = frozenset(),
              codes: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every field as text; rows checked against the header's width, with line numbers.

    pyarrow parses the file (multi-threaded, every column typed as text so that nothing is
    guessed) and every check and clean-up runs on its columns in C: a million rows never pass
    through a Python loop. Only the final text columns become Python strings, one per
    distinct value (:func:`_object_column`).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    _check_utf8(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline(limits.cell_chars * 2 + 1)
    if not first.strip():
        raise TableFormatError(Message("io.read.empty", {"path": str(path)}))
    names = _header(path, next(csv.reader([first])))
    if len(names) > limits.columns:
        raise too_big(path, "number of columns", len(names), limits.columns, "columns")
    bad: list[tuple[int | None, int, int]] = []

    def invalid(row) -> str:  # pyarrow: a row with too few or too many fields
        bad.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    # pyarrow needs distinct names (a header may leave several blank): position stands in
    fields = [f"c{i}" for i in range(len(names))]

    def parse(block_size: int) -> pa.Table:
        bad.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=fields, skip_rows=1, encoding="utf8",
                                           block_size=block_size),
            parse_options=pacsv.ParseOptions(invalid_row_handler=invalid,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={f: pa.string() for f in fields},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False),
        )

    try:
        try:  # blocks of 1 MiB are parsed in parallel (a 30 MB file on two cores: twice as fast)
            table = parse(1 << 20)
        except pa.ArrowInvalid:  # a row longer than a block (a boundary in a cell?): 16 MiB
            table = parse(1 << 24)
    except pa.ArrowInvalid:  # e.g. an unterminated quote: find and name the line
        _refuse_ragged_rows(path, len(names))
        raise
    if bad or _odd_quotes(path):  # pyarrow accepts a quote left open at the end of the file
        _refuse_ragged_rows(path, len(names))
    if table.num_rows > limits.rows:
        raise too_big(path, "number of rows", table.num_rows, limits.rows, "rows")
    for name, column in zip(names, table.columns, strict=True):
        _check_arrow_cells(path, name, column, limits)
    data: dict[int, np.ndarray | pd.Categorical] = {}
    for i, (name, column) in enumerate(zip(names, table.columns, strict=True)):
        text = _arrow_text(column)
        as_numbers = _plain_numbers(text) if name in numbers else None
        if as_numbers is not None:
            data[i] = as_numbers
        elif name in codes:
            data[i] = _categorical_column(text)
        else:
            data[i] = _object_column(text)
    df = pd.DataFrame(data, index=pd.RangeIndex(table.num_rows), copy=False)
    df.columns = pd.Index(names, dtype=object)
    del table, data
    # pyarrow's allocator keeps what the parse freed (100 MB for a 30 MB file) for its next
    # use, which may never come: hand it back, so that the analysis does not stack on it
    pa.default_memory_pool().release_unused()
    return df


def _check_arrow_cells(path: Path, name: str, column, limits: Limits) -> None:
    """:func:`_check_cells` for one pyarrow text column (lengths in characters)."""
    import pyarrow.compute as pc

    if len(column) == 0:
        return
    if (pc.max(pc.binary_length(column)).as_py() or 0) <= limits.cell_chars:
        return  # no more bytes than the limit, so no more characters (the usual case: free)
    lengths = pc.utf8_length(column)
    longest = pc.max(lengths).as_py()
    if longest is not None and longest > limits.cell_chars:
        row = pc.index(lengths, longest).as_py() + 2
        raise LimitError(f"{path}: row {row}, column {name!r}: a cell of {longest:,} "
                         f"characters is over the limit of {limits.cell_chars:,}; if the "
                         f"file is genuine, raise it with {LIMITS_ENV}=\"cell_chars=…\"")


def _check_utf8(path: Path) -> None:
    """Refuse a file that is not UTF-8 before parsing it (one pass in C, a few milliseconds
    per ten megabytes), naming the first line that is not."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 24):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _refuse_non_utf8(path)
        raise


def _refuse_non_utf8(path: Path) -> None:
    """Name the first line of ``path`` that is not UTF-8 (files are read as UTF-8 only: a
    guessed encoding would store garbled names)."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TableFormatError(Message("io.read.not_utf8", {
                    "path": str(path), "line": str(number), "byte": f"0x{line[exc.start]:02x}",
                    "position": str(exc.start + 1)})) from None


def _odd_quotes(path: Path) -> bool:
    """Whether the file has an odd number of ``"``: a quoted value left open (quotes inside
    values are doubled, so a well-formed file has an even number)."""
    count = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b'"')
    return count % 2 == 1


def _refuse_ragged_rows(path: Path, width: int) -> None:
    """Name the lines of the rows without one field per column (a second pass over the file,
    on the error path only: pyarrow does not know line numbers when values span lines)."""
    problems: list[Message] = []
    count = 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        start = 1  # the header's own line, should it be the damaged one
        try:
            next(reader)
            start = reader.line_num + 1
            for row in reader:
                if len(row) != width:
                    count += 1
                    if len(problems) < 5:
                        problems.append(Message("io.read.line_fields", {
                            "line": start, "got": len(row), "width": width}))
                start = reader.line_num + 1
        except csv.Error as exc:
            count += 1
            problems.append(Message("io.read.line_error", {"line": start, "error": str(exc)}))
    more = count - len(problems)
    raise TableFormatError(Message("io.read.fields_more" if more > 0 else "io.read.fields", {
        "path": str(path), "count": count, "more": more,
        "problems": joined(problems, en="; ", fa="؛ ")}))
