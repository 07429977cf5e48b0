"""Hostile files of issue 17: small on disk, huge or malicious when read.

Each generator writes one file and returns its path; :data:`HOSTILE` lists them by name.
``python tests/_hostile.py`` writes every file, imports each with the real ``khooshe import``
in a child process and prints a table: file, size on disk, seconds, the child's peak memory
(MB), exit code and the first line of the refusal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CT = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
       b'-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
       b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
       b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
         b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
         b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         b'Target="xl/workbook.xml"/></Relationships>')
_WB = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
       b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
       b'officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" r:id="rId1"/>'
       b'</sheets></workbook>')
_WB_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet1.xml"/></Relationships>')
_SST_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
             b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
             b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
             b'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
             b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
             b'Target="sharedStrings.xml"/></Relationships>')
#: The header row of a regions file: code, level, name_fa.
HEADER = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" '
          b't="inlineStr"><is><t>level</t></is></c><c r="C1" t="inlineStr"><is><t>name_fa</t>'
          b'</is></c></row>')
ROW2 = (b'<row r="2"><c r="A2" t="inlineStr"><is><t>06</t></is></c><c r="B2" t="inlineStr">'
        b'<is><t>province</t></is></c><c r="C2" t="inlineStr"><is><t>x</t></is></c></row>')
MIB = 2**20


def _sheet(rows: bytes, prolog: bytes = b"") -> bytes:
    return (b'<?xml version="1.0"?>' + prolog + b"<worksheet " + NS + b"><sheetData>" + rows
            + b"</sheetData></worksheet>")


def _workbook(path: Path, sheet: bytes | None = None, *, shared: bytes | None = None,
              stream: Callable[[zipfile.ZipFile], None] | None = None, level: int = 9) -> Path:
    """A minimal XLSX archive; ``stream`` adds large parts without holding them in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _SST_RELS if shared is not None else _WB_RELS)
        if sheet is not None:
            z.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        if stream is not None:
            stream(z)
    return path


def _big_part(name: str, head: bytes, block: bytes, count: int, tail: bytes):
    """A part of ``head + block * count + tail``, written a block at a time."""
    def write(z: zipfile.ZipFile) -> None:
        with z.open(name, "w", force_zip64=True) as f:
            f.write(head)
            for _ in range(count):
                f.write(block)
            f.write(tail)
    return write


# --- The files ---------------------------------------------------------------------------------
def far_cell(path: Path) -> Path:
    """A 2 KB sheet whose only extra cell is XFD1048576 (no <dimension> to warn)."""
    return _workbook(path, _sheet(HEADER + ROW2 + b'<row r="1048576"><c r="XFD1048576"><v>1</v>'
                                  b"</c></row>"))


def million_down(path: Path) -> Path:
    """A value a million rows below the table (999,997 empty rows in between)."""
    return _workbook(path, _sheet(HEADER + ROW2 + b'<row r="1000000"><c r="A1000000" '
                                  b't="inlineStr"><is><t>07</t></is></c></row>'))


def gib_cell(path: Path) -> Path:
    """One cell of 1 GiB of one letter in about a megabyte."""
    cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    return _workbook(path, stream=_big_part(
        "xl/worksheets/sheet1.xml", b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>"
        + HEADER + cell, b"a" * MIB, 1024, b"</t></is></c></row></sheetData></worksheet>"))


def shared_strings_bomb(path: Path) -> Path:
    """A shared string of 1 GiB, used by one cell."""
    sheet = _sheet(HEADER + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>')

    def both(z: zipfile.ZipFile) -> None:
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        _big_part("xl/sharedStrings.xml", b'<?xml version="1.0"?><sst ' + NS + b"><si><t>",
                  b"a" * MIB, 1024, b"</t></si></sst>")(z)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _SST_RELS)
        both(z)
    return path


def three_million_rows(path: Path) -> Path:
    """A sheet of 3,000,000 rows (more than a worksheet can hold)."""
    def rows(z: zipfile.ZipFile) -> None:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>" + HEADER)
            for start in range(2, 3_000_002, 100_000):
                f.write(b"".join(b'<row r="%d"><c r="A%d"><v>6</v></c></row>' % (i, i)
                                 for i in range(start, start + 100_000)))
            f.write(b"</sheetData></worksheet>")
    return _workbook(path, stream=rows, level=6)


def xxe(path: Path) -> Path:
    """An external entity reading a local file into a cell."""
    prolog = b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return _workbook(path, _sheet(HEADER + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&x;</t>'
                                  b"</is></c></row>", prolog))


_LAUGHS = (b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
           + b"".join(b'<!ENTITY %s "%s">' % (bytes([c]), (b"&" + bytes([c - 1]) + b";") * 10)
                      for c in range(ord("b"), ord("k")))
           + b"]>")


def laughs_sheet(path: Path) -> Path:
    """Billion laughs in the sheet: ten levels of entities, 10 GB expanded."""
    return _workbook(path, _sheet(HEADER + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&j;</t>'
                                  b"</is></c></row>", _LAUGHS))


def laughs_shared(path: Path) -> Path:
    """Billion laughs in the shared strings."""
    sst = b'<?xml version="1.0"?>' + _LAUGHS + b"<sst " + NS + b"><si><t>&j;</t></si></sst>"
    return _workbook(path, _sheet(HEADER + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
                     shared=sst)


def spaces_bomb(path: Path) -> Path:
    """A zip bomb: a sheet padded with 1 GiB of spaces."""
    return _workbook(path, stream=_big_part(
        "xl/worksheets/sheet1.xml", b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>"
        + HEADER, b" " * MIB, 1024, b"</sheetData></worksheet>"))


def forged_sizes(path: Path) -> Path:
    """A zip bomb whose sheet declares 1 KB but holds 1 GiB (the sizes forged in both the
    local header and the central directory)."""
    spaces_bomb(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    small = (1024).to_bytes(8, "little")
    for marker in (b"PK\x01\x02", b"PK\x03\x04"):  # zip64 extra fields hold the sizes
        at = data.find(marker)
        while at >= 0:
            if marker == b"PK\x01\x02":
                name_len = int.from_bytes(data[at + 28:at + 30], "little")
                extra_len = int.from_bytes(data[at + 30:at + 32], "little")
                name_at, extra_at = at + 46, at + 46 + name_len
            else:
                name_len = int.from_bytes(data[at + 26:at + 28], "little")
                extra_len = int.from_bytes(data[at + 28:at + 30], "little")
                name_at, extra_at = at + 30, at + 30 + name_len
            if bytes(data[name_at:name_at + name_len]) == info.filename.encode():
                plain = at + (24 if marker == b"PK\x01\x02" else 22)  # uncompressed size
                if data[plain:plain + 4] != b"\xff\xff\xff\xff":
                    data[plain:plain + 4] = small[:4]
                extra = extra_at
                while extra < extra_at + extra_len:
                    tag = int.from_bytes(data[extra:extra + 2], "little")
                    size = int.from_bytes(data[extra + 2:extra + 4], "little")
                    if tag == 1:  # zip64: uncompressed size first
                        data[extra + 4:extra + 12] = small
                    extra += 4 + size
            at = data.find(marker, at + 4)
    path.write_bytes(bytes(data))
    return path


def many_parts(path: Path) -> Path:
    """A workbook of 60,000 parts."""
    def parts(z: zipfile.ZipFile) -> None:
        for i in range(60_000):
            z.writestr(f"xl/media/p{i}.xml", b"")
    return _workbook(path, _sheet(HEADER + ROW2), stream=parts, level=1)


def long_text(path: Path) -> Path:
    """One text node of 400 MiB (under the decompressed-size limit)."""
    return _workbook(path, stream=_big_part(
        "xl/worksheets/sheet1.xml", b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>"
        + HEADER + b'<row r="2"><c r="A2" t="inlineStr"><is><t>', b"a" * MIB, 400,
        b"</t></is></c></row></sheetData></worksheet>"))


def parquet_rows(path: Path) -> Path:
    """50,000,000 identical rows in a few hundred kilobytes of Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    block = pa.table({"code": pa.array(["06"] * 1_000_000), "level": pa.array(
        ["province"] * 1_000_000), "name_fa": pa.array(["x"] * 1_000_000)})
    with pq.ParquetWriter(path, block.schema) as w:
        for _ in range(50):
            w.write_table(block)
    return path


def parquet_dictionary(path: Path) -> Path:
    """A dictionary bomb: 4,000,000 rows of one 2,000-character name (8 GB decoded) in a
    small file whose metadata states a few megabytes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 4_000_000
    indices = pa.array(np.zeros(n, dtype=np.int32))

    def column(text: str):
        return pa.DictionaryArray.from_arrays(indices, pa.array([text]))
    table = pa.table({"code": column("06"), "level": column("province"),
                      "name_fa": column("x" * 2000)})
    pq.write_table(table, path, use_dictionary=True)
    return path


#: Every hostile file: name → (generator, file name).
HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "only extra cell at XFD1048576": (far_cell, "far.xlsx"),
    "a value a million rows down": (million_down, "down.xlsx"),
    "1 GiB cell in 1 MB": (gib_cell, "cell.xlsx"),
    "1 GiB shared-strings bomb": (shared_strings_bomb, "shared.xlsx"),
    "sheet of 3 M rows": (three_million_rows, "rows.xlsx"),
    "Parquet of 50 M identical rows": (parquet_rows, "rows.parquet"),
    "XXE": (xxe, "xxe.xlsx"),
    "billion laughs (sheet)": (laughs_sheet, "laughs.xlsx"),
    "billion laughs (shared strings)": (laughs_shared, "laughs-sst.xlsx"),
    "zip bomb, 1 GiB of spaces": (spaces_bomb, "spaces.xlsx"),
    "zip bomb, forged sizes": (forged_sizes, "forged.xlsx"),
    "zip of 60,000 parts": (many_parts, "parts.xlsx"),
    "400 MiB text node": (long_text, "text.xlsx"),
    "Parquet dictionary bomb (8 GB decoded)": (parquet_dictionary, "dictionary.parquet"),
}

#: Runs ``khooshe`` with the arguments given and prints, last on stderr, the process's own
#: peak memory (VmHWM: this process since its exec, not the parent's it was forked from).
LAUNCHER = """
import sys
from khooshe.cli import main

code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nPEAK_KB={peak}\\n")
sys.exit(code)
"""


def run_import(workspace: Path, path: Path, kind: str = "regions",
               env: dict[str, str] | None = None) -> tuple[int, str, float, float]:
    """``khooshe import WORKSPACE KIND PATH`` in a child process: its exit code, its output
    (stdout and stderr, without the peak line), seconds and peak memory in MB."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, "--lang", "en", "import",
                           str(workspace), kind, str(path)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "1000", **(env or {})}, timeout=300)
    seconds = time.perf_counter() - start
    err, _, peak = done.stderr.rpartition("PEAK_KB=")
    return done.returncode, (done.stdout + err).strip(), seconds, int(peak or 0) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = root / "ws"
        subprocess.run([sys.executable, "-m", "khooshe.cli", "init", str(ws)], check=True,
                       capture_output=True)
        print(f"{'file':42} {'size':>10} {'seconds':>8} {'peak MB':>8} {'exit':>4}  refusal")
        for name, (make, filename) in HOSTILE.items():
            path = make(root / filename)
            code, out, seconds, peak = run_import(ws, path)
            first = out.splitlines()[0] if out else ""
            size = path.stat().st_size
            shown = f"{size / 2**20:.1f} MB" if size > 2**20 else f"{size / 1024:.0f} KB"
            print(f"{name:42} {shown:>10} {seconds:8.1f} {peak:8.0f} {code:>4}  {first[:110]}",
                  flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
