"""Trade-flow files: BACI, UN Comtrade CSV and khooshe's own layout, read through DuckDB.

Every reader normalises to the workspace's ``trade_flows`` layout::

    year, exporter, importer, hs6, value_usd, quantity_t

with ISO3 country codes, HS codes as 6-character text (BACI stores ``k`` as an integer:
``10121`` → ``"010121"``), values in USD and quantities in tonnes (empty when unknown).

Layouts recognised (by their columns, case and punctuation ignored)
-------------------------------------------------------------------
- **BACI** (CEPII): ``t, i, j, k, v, q`` — year, exporter and importer as numeric country codes
  (mapped with BACI's ``country_codes`` file when given, otherwise with khooshe's country table
  plus :data:`khooshe.io.countries.TRADE_NUMERIC_ALIASES`), HS6 product, value in **thousands**
  of USD, quantity in tonnes (``NA`` or empty when unknown, about 2 % of rows). A numeric code
  that cannot be mapped is an error that lists the codes (pass the country-codes file).
- **Comtrade** (UN Comtrade API/portal CSV): ``refYear`` (or ``Year``/``period``),
  ``reporterISO``/``partnerISO`` (or the numeric ``reporterCode``/``partnerCode``),
  ``flowCode`` (``X``/``M``; legacy ``Trade Flow Code`` 2/1), ``cmdCode``, ``primaryValue``
  (or ``Trade Value (US$)``) and ``netWgt`` (kg → tonnes). Reported exports are used by
  default (``flow="X"``: reporter → partner); ``flow="M"`` uses reported imports mirrored
  (partner → reporter). Rows that are not country-to-country HS6 totals are dropped and
  counted in the notes: other flows (re-exports/re-imports), aggregate products (``TOTAL``,
  HS2/HS4), aggregate partners (``W00`` World, areas n.e.s.) and breakdown rows
  (``partner2Code``, ``customsCode``, ``motCode`` other than their totals 0/C00/0).
- **flows**: the workspace layout itself (``year, exporter, importer, hs6, value_usd`` and
  optionally ``quantity_t``).

Files are CSV (also ``.csv.gz``), Parquet or XLSX; a glob pattern (``BACI_HS17_Y20*.csv``) reads
several files as one. Large files never pass through pandas: DuckDB parses the file once into
a typed temporary table (spilling to disk beyond ``memory_limit``), validates it with one
aggregate query and :func:`summarise_trade_file` returns only the aggregates the market
analysis needs (:class:`khooshe.domain.trade.TradeSummary`).

Malformed input raises :class:`TradeFileError` (a ``ValueError``) naming the file, the column,
the number of bad rows and where the first ones are with their text (``line 7 ('seven')`` in a
CSV, counting the header as line 1; ``row N`` of an XLSX sheet or a Parquet file): missing
columns, rows with too few or too many fields, text where numbers are expected, empty required
cells, negative values, HS codes that are not 6 digits, unmapped country codes, or no rows in
the year window. Locating the rows takes a second pass over the file, on the error path only.
"""

from __future__ import annotations

from khooshe.io.trade._formats import FORMATS, TradeFileError, TradeFormat
from khooshe.io.trade._readers import (
    TradeStream,
    read_baci,
    read_comtrade,
    read_trade,
    stream_trade,
    summarise_trade_file,
    trade_layout,
)
from khooshe.io.trade._side_tables import read_concordance, read_distances, read_tariffs
from khooshe.io.trade._source import detect_format, is_pattern

__all__ = [
    "FORMATS",
    "TradeFileError",
    "TradeFormat",
    "TradeStream",
    "detect_format",
    "is_pattern",
    "read_baci",
    "read_comtrade",
    "read_concordance",
    "read_distances",
    "read_tariffs",
    "read_trade",
    "stream_trade",
    "summarise_trade_file",
    "trade_layout",
]
