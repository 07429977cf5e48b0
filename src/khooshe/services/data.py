"""Import, export and templates: moving tables between files and a workspace.

Imports are all-or-nothing: the whole file is validated first (every problem is reported at
once, see :mod:`khooshe.domain.validate`), then written in a single transaction as an upsert by
the entity's key (:func:`khooshe.store.repository.upsert`), so re-importing the same file
changes nothing, a failure changes nothing, and a column the file does not have keeps its
stored values. Every import is in the audit trail under the actor the interface passes in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from khooshe.domain.schema import entity
from khooshe.domain.validate import validate
from khooshe.io.divisions import divisions_to_regions, is_division_listing
from khooshe.io.tables import (
    Limits,
    TableParts,
    atomic_path,
    read_table,
    table_format,
    write_table,
    xlsx_frame,
)
from khooshe.store import repository
from khooshe.store.repository import UpsertReport
from khooshe.store.workspace import Workspace
from khooshe.text.messages import t


def blanked_columns(kind: str, df: pd.DataFrame) -> list[str]:
    """The columns of ``kind`` a replacing import of ``df`` would empty (those it lacks)."""
    return [c for c in entity(kind).names if c not in df.columns]


def blanked_by_file(kind: str, path: str | Path) -> list[str]:
    """The columns of ``kind`` a replacing import of the file at ``path`` would empty (a
    trade file in a source's own layout gives every column, and is not read again)."""
    if kind == "trade_flows" and _published_trade_layout(path) is not None:
        return []
    return blanked_columns(kind, read_import(kind, path))


#: Imports of at least this many rows refresh the database's statistics afterwards.
ANALYZE_ROWS = 10_000


def import_frame(ws: Workspace, kind: str, df: pd.DataFrame, *, actor: str,
                 source: str | None = None, replace: bool = False) -> UpsertReport:
    """Validate ``df`` as ``kind`` and upsert it into ``ws`` in one transaction.

    By default only the columns ``df`` has are written: the others keep their stored values.
    With ``replace`` every column is written, so a column ``df`` lacks is emptied for each
    record it holds (:func:`blanked_columns` names them, for the caller to say so).

    Raises
    ------
    ValidationError
        When any cell is invalid; the workspace is left unchanged.
    """
    ent = entity(kind)
    refs = [c.references for c in ent.columns if c.references]
    with ws.engine.begin() as conn:
        typed = validate(df, ent, known=repository.known_values(conn, refs), source=source,
                         links=repository.stored_links(conn, kind))
        columns = ent.names if replace else None
        report = repository.upsert(conn, kind, typed, actor=actor, source=source,
                                   action="replace" if replace else "import", columns=columns)
    if len(typed) >= ANALYZE_ROWS:
        ws.analyze()
    return report


def read_import(kind: str, path: str | Path, *,
                countries: str | Path | None = None) -> pd.DataFrame:
    """The table of an import file as text (the official county listing becomes regions).

    Trade flows may also come as the sources publish them: a BACI file (CEPII's ``t, i, j,
    k, v, q``) or a Comtrade CSV, or a glob pattern of several (``BACI_HS17_Y20*.csv``).
    Those are read and normalised by :func:`khooshe.io.trade.read_trade` (numeric country
    codes to ISO3 — with BACI's ``country_codes`` file when ``countries`` names it —, HS codes
    to six digits, thousands of USD to USD; a bad row is refused with its line) before the
    usual validation.
    """
    if kind == "trade_flows":
        layout = _published_trade_layout(path)
        if layout is not None:
            from khooshe.io.countries import read_baci_countries
            from khooshe.io.trade import read_trade

            table = None if countries is None else read_baci_countries(countries)
            return read_trade(path, format=layout, countries=table,  # type: ignore[arg-type]
                              max_rows=Limits.from_env().rows)
    elif countries is not None:
        raise ValueError("a country-codes file is only used when importing trade_flows")
    path = Path(path)
    if kind == "boundaries":
        raise ValueError("use import_boundaries() for GeoJSON boundaries")
    df = read_table(path, as_text=True)
    if kind == "regions" and is_division_listing(df):
        # The Statistical Centre's county listing: provinces and counties with their codes.
        df = divisions_to_regions(df)
    return df


def _published_trade_layout(path: str | Path) -> str | None:
    """``baci`` or ``comtrade`` when ``path`` is a trade file in a source's own layout (or a
    glob pattern, always read as trade), None for a table in the workspace's layout, which
    the import reads and validates like any other kind."""
    from khooshe.io.trade import is_pattern, trade_layout

    if is_pattern(path):
        return trade_layout(path) or "auto"  # read_trade names what is wrong
    layout = trade_layout(path)
    return layout if layout in ("baci", "comtrade") else None


def import_file(ws: Workspace, kind: str, path: str | Path, *, actor: str,
                replace: bool = False, countries: str | Path | None = None) -> UpsertReport:
    """Import a CSV, XLSX or Parquet file (all-or-nothing, idempotent); see
    :func:`import_frame` for ``replace`` and :func:`read_import` for trade files in BACI's
    or Comtrade's layout (``countries``: BACI's country-codes file)."""
    name = Path(path).name
    if kind == "trade_flows" and _published_trade_layout(path) is not None:
        return import_trade(ws, path, actor=actor, countries=countries)
    frame = read_import(kind, path, countries=countries)
    return import_frame(ws, kind, frame, actor=actor, source=name, replace=replace)


#: A trade import of at least this many flows drops the table's secondary index for the load
#: and builds it again after (ten million flows: 48 s instead of 86 s on PostgreSQL).
REBUILD_INDEX_ROWS = 1_000_000
#: Flows per batch written by a trade import (memory follows it, not the file).
TRADE_BATCH_ROWS = 250_000


def import_trade(ws: Workspace, path: str | Path, *, actor: str,
                 countries: str | Path | None = None) -> UpsertReport:
    """Import trade flows as BACI or Comtrade publish them, at any size (a BACI year is about
    ten million flows), all-or-nothing.

    The file is validated whole by the trade reader (:func:`khooshe.io.trade.stream_trade`:
    the same rules as the ``trade_flows`` kind, every bad row named by its line) before
    anything is written; then the flows go to the workspace in sorted batches inside one
    transaction (:func:`khooshe.store.repository.upsert_batches`), so memory follows the
    batch, not the file, and a failure leaves the workspace as it was.
    """
    from khooshe.io.countries import read_baci_countries
    from khooshe.io.trade import stream_trade

    layout = _published_trade_layout(path)
    table = None if countries is None else read_baci_countries(countries)
    with stream_trade(path, format=layout or "auto", countries=table,  # type: ignore[arg-type]
                      max_rows=Limits.from_env().trade_rows) as stream:
        with ws.engine.begin() as conn:
            report = repository.upsert_batches(
                conn, "trade_flows", stream.batches(TRADE_BATCH_ROWS), actor=actor,
                source=Path(path).name, rebuild_indexes=stream.rows >= REBUILD_INDEX_ROWS)
    if report.rows >= ANALYZE_ROWS:
        ws.analyze()
    return report


def export_kind(ws: Workspace, kind: str, path: str | Path) -> int:
    """Write every record of ``kind`` to ``path`` (CSV, XLSX, Parquet; GeoJSON for boundaries).

    Returns the number of records written.
    """
    path = Path(path)
    if kind == "boundaries":
        return export_boundaries(ws, path)
    table_format(path)  # fail on an unknown extension before reading anything
    # a batch of records at a time: a BACI year in the workspace is ten million flows
    with TableParts(path, sheet_name=kind) as out:
        for part in repository.read_kind_chunks(ws, kind):
            out.write(part)
    return out.rows


def export_boundaries(ws: Workspace, path: Path) -> int:
    """Regions that have a boundary, as a GeoJSON FeatureCollection."""
    if path.suffix.lower() not in (".geojson", ".json"):
        raise ValueError(f"{path}: boundaries are exported as .geojson")
    df = repository.read_kind(ws, "regions")
    df = df[df["boundary"].notna()]
    features = [
        {
            "type": "Feature",
            "properties": {k: (None if pd.isna(v) else v) for k, v in row.items()
                           if k in ("code", "level", "parent_code", "name_fa", "name_en")},
            "geometry": json.loads(row["boundary"]),
        }
        for row in df.to_dict("records")
    ]
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                  ensure_ascii=False), encoding="utf-8")
    return len(features)


def column_descriptions(kind: str, lang: str = "en") -> pd.DataFrame:
    """One row per column of ``kind``: the column as the template heads it (its identifier,
    or in Persian its description), type, whether required or part of the key, the allowed
    values in words, what it must refer to, and the descriptions; headers and words in
    ``lang``."""
    ent = entity(kind)

    def word(key: str) -> str:
        return t(f"schema.template.{key}", lang)

    rows = []
    for c in ent.columns:
        row = {word("column"): c.description("fa") if lang == "fa" else c.name}
        if lang == "fa":
            row[word("identifier")] = c.name
        row.update({
            word("type"): c.type,
            word("required"): word("yes" if c.required else "no"),
            word("key"): word("yes" if c.name in ent.key else "no"),
            word("allowed"): c.allowed(lang),
            word("references"): c.references or "",
        })
        if lang != "fa":
            row.update(description_en=c.description_en, description_fa=c.description_fa)
        rows.append(row)
    return pd.DataFrame(rows)


def template_docs_path(path: str | Path) -> Path:
    """Where :func:`write_template` describes the columns of a CSV or Parquet template:
    ``<stem>.columns.csv`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.columns.csv")


def write_template(kind: str, path: str | Path, lang: str = "en") -> list[Path]:
    """Write an empty file with ``kind``'s headers and a description of every column.

    In Persian the headers are the columns' Persian descriptions (imports accept them as
    well as the identifiers) and the sheets read right to left. XLSX gets the descriptions
    on a second sheet; CSV and Parquet get a sibling ``<name>.columns.csv``. Returns the
    files written.
    """
    path = Path(path)
    fmt = table_format(path)
    ent = entity(kind)
    headers = [c.description(lang) if lang == "fa" else c.name for c in ent.columns]
    empty = pd.DataFrame({h: pd.Series(dtype=object) for h in headers})
    docs = column_descriptions(kind, lang)
    if fmt == "xlsx":
        with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            sheet = (ent.label(lang) if lang == "fa" else kind)[:31]
            # through the exports' writer: a description never becomes a live formula
            xlsx_frame(empty).to_excel(xw, sheet_name=sheet, index=False)
            xlsx_frame(docs).to_excel(xw, sheet_name=t("schema.template.sheet", lang),
                                      index=False)
            for ws in xw.book.worksheets:
                ws.sheet_view.rightToLeft = lang == "fa"
                for cell in ws[1]:
                    ws.column_dimensions[cell.column_letter].width = min(
                        max(12, len(str(cell.value or "")) + 4), 60)
        return [path]
    write_table(empty, path)
    doc_path = template_docs_path(path)
    write_table(docs, doc_path)
    return [path, doc_path]


__all__ = [
    "blanked_by_file",
    "blanked_columns",
    "column_descriptions",
    "export_boundaries",
    "export_kind",
    "import_file",
    "import_frame",
    "import_trade",
    "read_import",
    "template_docs_path",
    "write_template",
]
