"""The ``khooshe`` command line. Every command is thin: it parses options, calls a service or an
analysis function, writes the result and reports. Errors become a clear message and a non-zero
exit code (2 for bad input, 1 for other failures)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(
    name="khooshe",
    help="khooshe (خوشه): industrial-cluster development programmes for Iran's provinces.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def abort(message: str, code: int = 2) -> None:
    """Print ``message`` on stderr and leave with ``code`` (2: bad input)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def output_path(path: Path) -> Path:
    """Check that an output file's extension is one khooshe can write, before any work."""
    from khooshe.io.tables import TableFormatError, table_format

    try:
        table_format(path)
    except TableFormatError as exc:
        abort(str(exc))
    return path


# --- Language -------------------------------------------------------------------------------
_state = {"lang": None}


@app.callback()
def _root(
    lang: str = typer.Option(
        None, "--lang", help="Language of messages: fa or en (default: KHOOSHE_LANG or locale)."
    ),
) -> None:
    """khooshe (خوشه): industrial-cluster development programmes for Iran's provinces."""
    if lang is not None and lang not in ("fa", "en"):
        abort(f"--lang must be fa or en, not {lang!r}")
    _state["lang"] = lang


def lang() -> str:
    """The language chosen for messages."""
    from khooshe.text.messages import default_lang

    return _state["lang"] or default_lang()


def say(key: str, **kwargs: object) -> None:
    """Print the message ``key`` in the chosen language."""
    from khooshe.text.messages import t

    console.print(t(f"cli.{key}", lang(), **kwargs), highlight=False)


def current_actor() -> str:
    """Who makes a change from the command line, for the audit trail: ``cli:<os user>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli:unknown"


def open_workspace(path: Path):
    """Open a workspace or abort with a clear message."""
    from khooshe.store.workspace import Workspace, WorkspaceError

    try:
        return Workspace.open(path)
    except WorkspaceError as exc:
        abort(str(exc))


# --- Workspace and data ---------------------------------------------------------------------
KIND_HELP = (
    "Entity: regions, parks, establishments, countries, products, trade_flows, resources, "
    "io_sectors, io_flows, clusters, cluster_members, cluster_activities, cluster_indicators, "
    "funds, fund_allocations, or boundaries (GeoJSON)."
)


@app.command("init")
def init_cmd(
    workspace: Path = typer.Argument(..., help="Directory to create."),
    db: str = typer.Option(None, "--db", help="Database URL (default: SQLite in the workspace)."),
) -> None:
    """Create an empty workspace."""
    from khooshe.store.workspace import Workspace, WorkspaceError

    try:
        Workspace.create(workspace, db=db).close()
    except WorkspaceError as exc:
        abort(str(exc))
    say("created", path=workspace)


@app.command("info")
def info_cmd(workspace: Path = typer.Argument(..., help="Workspace directory.")) -> None:
    """Print the number of records of every kind."""
    from rich.table import Table
    from sqlalchemy.engine import make_url

    from khooshe.domain.schema import ENTITIES
    from khooshe.text.messages import t
    from khooshe.text.numbers import format_number

    ws = open_workspace(workspace)
    counts = ws.counts()
    language = lang()
    if ws.synthetic:
        console.print(f"[bold yellow]{t('common.synthetic', language)}[/]")
    url = make_url(ws.url).render_as_string(hide_password=True)
    console.print(f"{t('cli.database', language)}: {url}", highlight=False)
    table = Table(title=t("cli.counts_title", language, name=ws.name))
    table.add_column(t("cli.kind", language))
    table.add_column(t("cli.records", language), justify="right")
    table.add_column("")
    for kind, n in counts.items():
        label = ENTITIES[kind].label_fa if language == "fa" else ENTITIES[kind].label_en
        table.add_row(kind, format_number(n, language), label)
    console.print(table)
    ws.close()


def _report_invalid(exc, errors: Path | None) -> None:
    from khooshe.text.messages import t

    frame = exc.to_frame()
    err_console.print(
        t("cli.invalid", lang(), source=exc.source or exc.kind, n=len(exc.issues),
          rows=len(exc.rows)),
        style="bold red", highlight=False,
    )
    limit = 200
    for issue in exc.issues[:limit]:
        err_console.print(f"  {issue}", highlight=False, markup=False)
    if len(exc.issues) > limit:
        err_console.print(f"  … and {len(exc.issues) - limit} more (use --errors FILE)")
    if errors is not None:
        from khooshe.io.tables import write_table

        write_table(frame, errors)
        err_console.print(f"  all problems written to {errors}")


@app.command("import")
def import_cmd(
    workspace: Path = typer.Argument(..., help="Workspace directory."),
    kind: str = typer.Argument(..., help=KIND_HELP),
    file: Path = typer.Argument(..., help="CSV, XLSX or Parquet file (GeoJSON for boundaries)."),
    province: str = typer.Option(
        None, "--province", help="boundaries: match features to the counties of this province."
    ),
    level: str = typer.Option("county", "--level", help="boundaries: level of the regions."),
    errors: Path = typer.Option(None, "--errors", help="Write every problem found to this file."),
    report: Path = typer.Option(
        None, "--report", help="boundaries: write the match report (CSV/XLSX) here."
    ),
) -> None:
    """Import a file into the workspace: all-or-nothing, idempotent (upsert by key)."""
    from khooshe.domain.schema import ENTITIES
    from khooshe.domain.validate import ValidationError
    from khooshe.io.tables import TableFormatError
    from khooshe.services import data

    if kind != "boundaries" and kind not in ENTITIES:
        abort(f"unknown kind {kind!r}. {KIND_HELP}")
    if not file.exists():
        abort(f"{file}: file not found")
    ws = open_workspace(workspace)
    try:
        if kind == "boundaries":
            from khooshe.services.geography import import_boundaries

            result = import_boundaries(ws, file, province=province, level=level,
                                      actor=current_actor())
            _print_match(result, report)
            return
        rep = data.import_file(ws, kind, file, actor=current_actor())
    except ValidationError as exc:
        _report_invalid(exc, errors)
        raise typer.Exit(2) from None
    except (TableFormatError, ValueError) as exc:
        abort(str(exc))
    finally:
        ws.close()
    say("imported", rows=rep.rows, kind=kind, source=file.name, inserted=rep.inserted,
        updated=rep.updated)


def _print_match(result, report: Path | None) -> None:
    console.print(
        f"Boundaries attached to {len(result.matched)} of {result.n_regions} regions "
        f"({result.share_matched:.1%}); {len(result.unused_features)} feature(s) unused.",
        highlight=False,
    )
    for row in result.report().query("status != 'matched'").to_dict("records"):
        name = row["name"] or row["feature_name"] or ""
        console.print(f"  {row['status']}: {row['code'] or ''} {name} — {row['reason'] or ''}",
                      highlight=False, markup=False)
    if report is not None:
        from khooshe.io.tables import write_table

        write_table(result.report(), report)
        console.print(f"  match report written to {report}")


@app.command("export")
def export_cmd(
    workspace: Path = typer.Argument(..., help="Workspace directory."),
    kind: str = typer.Argument(..., help=KIND_HELP),
    file: Path = typer.Argument(..., help="CSV, XLSX or Parquet file (GeoJSON for boundaries)."),
) -> None:
    """Export every record of a kind to a file."""
    from khooshe.domain.schema import ENTITIES
    from khooshe.io.tables import TableFormatError
    from khooshe.services import data

    if kind != "boundaries" and kind not in ENTITIES:
        abort(f"unknown kind {kind!r}. {KIND_HELP}")
    ws = open_workspace(workspace)
    try:
        n = data.export_kind(ws, kind, file)
    except (TableFormatError, ValueError) as exc:
        abort(str(exc))
    finally:
        ws.close()
    say("exported", rows=n, kind=kind, path=file)


@app.command("template")
def template_cmd(
    kind: str = typer.Argument(..., help=KIND_HELP),
    file: Path = typer.Argument(..., help="CSV, XLSX or Parquet file to write."),
) -> None:
    """Write an empty file with the headers of KIND and a description of each column."""
    from khooshe.domain.schema import ENTITIES
    from khooshe.io.tables import TableFormatError
    from khooshe.services import data

    if kind not in ENTITIES:
        abort(f"unknown kind {kind!r}. {KIND_HELP}")
    try:
        paths = data.write_template(kind, file)
    except TableFormatError as exc:
        abort(str(exc))
    say("template", paths=", ".join(str(p) for p in paths))


@app.command("demo")
def demo_cmd(
    workspace: Path = typer.Argument(..., help="Directory for the demo workspace."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same data."),
    scale: str = typer.Option("small", "--scale", help="small or national."),
    db: str = typer.Option(None, "--db", help="Database URL (default: SQLite in the workspace)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing workspace's data."),
) -> None:
    """Build a SYNTHETIC Iran-like demo workspace (clearly labelled as such)."""
    import time

    from khooshe.services.demo import build_demo
    from khooshe.store.workspace import WorkspaceError

    if scale not in ("small", "national"):
        abort(f"--scale must be small or national, not {scale!r}")
    start = time.perf_counter()
    try:
        ws = build_demo(workspace, seed=seed, scale=scale, db=db, force=force, progress=True)
    except WorkspaceError as exc:
        abort(str(exc))
    say("demo_built", path=workspace, seed=seed, scale=scale,
        seconds=time.perf_counter() - start)
    ws.close()


# --- Economic complexity (khooshe.analysis.complexity) ---------------------------------------
_PRESENCE_HELP = "Presence test: rca, rpop, both (RCA or RPOP) or manual (VALUE is 0/1)."


def _complexity_read(
    file: Path, population: Path | None, time: str | None, location: str, presence: str
):
    """Read the long table (and the population table) for complexity/proximity, or abort.

    Table files only: ``khooshe complexity`` sends a directory (a workspace) to
    :func:`_complexity_workspace` before calling this, and ``khooshe proximity`` has no
    workspace mode."""
    from khooshe.io.tables import TableFormatError, read_table

    if file.is_dir():
        abort(f"{file} is a directory; give a CSV, XLSX or Parquet file")
    if presence not in ("rca", "rpop", "both", "manual"):
        abort(f"--presence must be rca, rpop, both or manual, not {presence!r}")
    if presence in ("rpop", "both") and population is None:
        abort(f"--presence {presence} needs --population FILE")
    try:
        data = read_table(file, as_text=True)
        pop = None if population is None else read_table(population, as_text=True)
    except (TableFormatError, FileNotFoundError) as exc:
        abort(str(exc))
    pop_col = "population"
    if pop is not None:
        if location not in pop.columns:
            abort(f"{population}: no {location!r} column (it has {', '.join(pop.columns)})")
        others = [c for c in pop.columns if c not in (location, time)]
        if "population" in others:
            pop_col = "population"
        elif "pop" in others:
            pop_col = "pop"
        elif len(others) == 1:
            pop_col = others[0]
        else:
            abort(f"{population}: cannot tell the population column; name it 'population' "
                  f"(columns: {', '.join(pop.columns)})")
    return data, pop, pop_col


def _complexity_run(func, **kwargs):
    """Call ``func``, printing its warnings on stderr and turning bad input into abort()."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func(**kwargs)
        except (ValueError, TypeError) as exc:
            for w in caught:
                err_console.print(f"[yellow]warning:[/] {w.message}", highlight=False)
            abort(str(exc))
    for w in caught:
        err_console.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    return result


@app.command("complexity")
def complexity_cmd(
    file: Path = typer.Argument(
        ..., help="Long table (CSV, XLSX or Parquet), or a workspace directory (region × ISIC "
        "employment)."
    ),
    time: str = typer.Option(None, "--time", help="Period column (omit for one period)."),
    location: str = typer.Option(None, "--location", help="Location column (file mode)."),
    product: str = typer.Option(None, "--product", help="Product column (file mode)."),
    value: str = typer.Option(None, "--value", help="Value column, e.g. exports (file mode)."),
    level: str = typer.Option(
        None, "--level", help="Workspace mode: regions compared, province or county (default)."
    ),
    province: str = typer.Option(
        None, "--province", help="Workspace mode: keep this province's regions (computed on "
        "the whole country)."
    ),
    measure: str = typer.Option(
        None, "--measure", help="Workspace mode: employment (default) or establishments."
    ),
    presence: str = typer.Option("rca", "--presence", help=_PRESENCE_HELP),
    rca_threshold: float = typer.Option(1.0, "--rca-threshold", help="Present if RCA > X."),
    rpop_threshold: float = typer.Option(1.0, "--rpop-threshold", help="Present if RPOP > X."),
    population: Path = typer.Option(
        None, "--population",
        help="Table with the location column, a 'population' column and optionally the "
        "time column (needed for rpop and both).",
    ),
    continuous: bool = typer.Option(False, "--continuous", help="Continuous proximity."),
    asymmetric: bool = typer.Option(False, "--asymmetric", help="Asymmetric proximity."),
    knn: int = typer.Option(None, "--knn", help="Density over the K nearest neighbours."),
    output: Path = typer.Option(..., "-o", "--output", help="CSV, XLSX or Parquet to write."),
) -> None:
    """RCA, presence, diversity, ubiquity, ECI, PCI, density, COI and COG per (time, location,
    product), equal to the Growth Lab's Stata ecomplexity."""
    from khooshe.analysis.complexity import complexity
    from khooshe.io.tables import write_table

    output_path(output)
    if file.is_dir():
        table_only = [f"--{n.replace('_', '-')}" for n, v in (
            ("time", time), ("location", location), ("product", product), ("value", value),
            ("population", population), ("rpop_threshold", rpop_threshold != 1.0)) if v]
        _complexity_workspace(file, level or "county", province, measure or "employment",
                              output, table_only, presence=presence,
                              rca_threshold=rca_threshold, continuous=continuous,
                              asymmetric=asymmetric, knn=knn)
        return
    workspace_only = [f"--{n}" for n, v in (("level", level), ("province", province),
                                            ("measure", measure)) if v is not None]
    if workspace_only:
        abort(f"{', '.join(workspace_only)}: only for a workspace directory, and {file} is a "
              "file")
    missing = [f"--{n}" for n, v in (("location", location), ("product", product),
                                     ("value", value)) if v is None]
    if missing:
        abort(f"{', '.join(missing)} required when FILE is a table (or give a workspace "
              "directory)")
    data, pop, pop_col = _complexity_read(file, population, time, location, presence)
    out = _complexity_run(
        complexity, data=data, time=time, location=location, product=product, value=value,
        presence=presence, rca_threshold=rca_threshold, rpop_threshold=rpop_threshold,
        population=pop, population_column=pop_col, continuous=continuous,
        asymmetric=asymmetric, knn=knn,
    )
    write_table(out, output)
    periods = out[time].nunique() if time else 1
    console.print(
        f"{len(out):,} rows ({periods} period(s), {out[location].nunique():,} locations, "
        f"{out[product].nunique():,} products) written to {output}", highlight=False,
    )


def _complexity_workspace(root: Path, level: str, province: str | None, measure: str,
                          output: Path, table_only: list[str], **options) -> None:
    """``khooshe complexity WORKSPACE``: subnational complexity on region × ISIC.

    ``table_only`` names the table-mode options that were given: an error once ``root`` is
    known to be a workspace (a directory that is not one gets that message first)."""
    from khooshe.io.tables import write_table
    from khooshe.services.complexity import workspace_complexity

    ws = open_workspace(root)
    problem = None
    if table_only:
        problem = (f"{', '.join(table_only)}: only for a table FILE; on a workspace the "
                   "locations are regions and the products ISIC classes")
    elif options["presence"] != "rca":
        problem = (f"--presence {options['presence']}: workspace mode uses RCA only (a region "
                   "has an ISIC class when its RCA > --rca-threshold)")
    if problem:
        ws.close()
        abort(problem)
    try:
        out = _complexity_run(workspace_complexity, ws=ws, level=level, province=province,
                              measure=measure, **options)
    finally:
        ws.close()
    write_table(out, output)
    console.print(f"{len(out):,} rows ({out['region'].nunique():,} {level} regions × "
                  f"{out['isic'].nunique():,} ISIC classes) written to {output}",
                  highlight=False)


@app.command("proximity")
def proximity_cmd(
    file: Path = typer.Argument(..., help="Long table (CSV, XLSX or Parquet)."),
    time: str = typer.Option(None, "--time", help="Period column (omit for one period)."),
    location: str = typer.Option(..., "--location", help="Location column."),
    product: str = typer.Option(..., "--product", help="Product column."),
    value: str = typer.Option(..., "--value", help="Value column (e.g. exports)."),
    presence: str = typer.Option("rca", "--presence", help=_PRESENCE_HELP),
    rca_threshold: float = typer.Option(1.0, "--rca-threshold", help="Present if RCA > X."),
    rpop_threshold: float = typer.Option(1.0, "--rpop-threshold", help="Present if RPOP > X."),
    population: Path = typer.Option(None, "--population", help="Population table (rpop, both)."),
    continuous: bool = typer.Option(False, "--continuous", help="Continuous proximity."),
    asymmetric: bool = typer.Option(
        False, "--asymmetric", help="Asymmetric: proximity = P(product_1 | product_2)."
    ),
    min_proximity: float = typer.Option(
        None, "--min-proximity", help="Keep only pairs with proximity >= X."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="CSV, XLSX or Parquet to write."),
) -> None:
    """The product-pair proximity table (PRODUCT_1, PRODUCT_2, proximity) of each period."""
    from khooshe.analysis.complexity import proximity_table
    from khooshe.io.tables import write_table

    output_path(output)
    data, pop, pop_col = _complexity_read(file, population, time, location, presence)
    out = _complexity_run(
        proximity_table, data=data, time=time, location=location, product=product,
        value=value, presence=presence, rca_threshold=rca_threshold,
        rpop_threshold=rpop_threshold, population=pop, population_column=pop_col,
        continuous=continuous, asymmetric=asymmetric, min_proximity=min_proximity,
    )
    write_table(out, output)
    console.print(f"{len(out):,} product pairs written to {output}", highlight=False)


# --- Specialisation and cluster strength (khooshe.analysis.specialization) ------------------
@app.command("specialize")
def specialize_cmd(
    source: Path = typer.Argument(
        ..., help="Long table (CSV, XLSX or Parquet): one row per establishment or per "
        "(region, activity)."
    ),
    region: str = typer.Option(None, "--region", help="Region code column."),
    activity: str = typer.Option(None, "--activity", help="Activity (ISIC) column."),
    value: str = typer.Option(
        None, "--value", help="Amount column, e.g. employees (omit: count the rows)."
    ),
    count: str = typer.Option(
        None, "--count", help="Column with the number of establishments a row stands for "
        "(omit: each row is one establishment)."
    ),
    table: str = typer.Option(
        "strength", "--table",
        help="strength (one row per region × activity: LQ, shares, ranks, traded, strong, "
        "small_base), regions (per-region indices) or activities (per-activity indices).",
    ),
    lq_threshold: float = typer.Option(1.25, "--lq-threshold", help="Strong if LQ >= X."),
    top_share: float = typer.Option(
        None, "--top-share", help="Also require the top X share of regions by LQ (CMP: 0.25)."
    ),
    min_establishments: int = typer.Option(
        3, "--min-establishments", help="small_base below this many establishments."
    ),
    min_value: float = typer.Option(
        None, "--min-value", help="small_base below this value (default 10 with --value, else 0)."
    ),
    traded_gini: float = typer.Option(
        0.25, "--traded-gini", help="Traded if locational Gini >= X (0 to 0.5)."
    ),
    na_zero: bool = typer.Option(False, "--na-zero", help="Count missing values as 0."),
    level: str = typer.Option(
        "county", "--level", help="Workspace: province, county or village."
    ),
    measure: str = typer.Option(
        "employment", "--measure", help="Workspace: employment or establishments."
    ),
    province: str = typer.Option(
        None, "--province", help="Workspace: keep the regions of this province."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="CSV, XLSX or Parquet to write."),
) -> None:
    """Location quotients, specialisation indices and cluster strength, from a table or from a
    workspace's operating establishments (SOURCE a workspace directory)."""
    from khooshe.analysis import specialization as spec
    from khooshe.io.tables import TableFormatError, read_table, write_table

    output_path(output)
    if source.is_dir():
        if table != "strength":
            abort("on a workspace only --table strength is available")
        if level not in ("province", "county", "village"):
            abort(f"--level must be province, county or village, not {level!r}")
        from khooshe.services import specialization as spec_service

        ws = open_workspace(source)
        try:
            out = spec_service.strength(
                ws, level=level, measure=measure, province=province,
                lq_threshold=lq_threshold, top_share=top_share,
                min_establishments=min_establishments,
                min_value=spec.DEFAULT_MIN_VALUE if min_value is None and measure == "employment"
                else (min_value or 0.0),
            )
        except ValueError as exc:
            abort(str(exc))
        finally:
            ws.close()
        write_table(out, output)
        _report_strength(out, output, out["region"].nunique(), out["isic"].nunique())
        return
    if region is None or activity is None:
        abort("give the table's columns with --region and --activity")
    if table not in ("strength", "regions", "activities"):
        abort(f"--table must be strength, regions or activities, not {table!r}")
    try:
        data = read_table(source, as_text=True)
    except (TableFormatError, FileNotFoundError) as exc:
        abort(str(exc))
    try:
        m = spec.region_activity_matrix(data, region, activity, value, count=count,
                                        na="zero" if na_zero else "error")
        if table == "strength":
            if min_value is None:
                min_value = spec.DEFAULT_MIN_VALUE if value is not None else 0.0
            out = spec.cluster_strength(
                m, lq_threshold=lq_threshold, top_share=top_share,
                min_establishments=min_establishments, min_value=min_value,
                traded_gini=traded_gini,
            )
        elif table == "regions":
            out = spec.region_indices(m)
        else:
            out = spec.activity_indices(m).merge(
                spec.classify_traded(m, gini_threshold=traded_gini)[[m.activity_name, "traded"]],
                on=m.activity_name,
            )
    except ValueError as exc:
        abort(str(exc))
    write_table(out, output)
    _report_strength(out if table == "strength" else None, output, m.shape[0], m.shape[1],
                     rows=len(out))


def _report_strength(out, output: Path, regions: int, activities: int, rows: int | None = None):
    """Say how much was written and, for a strength table, how many candidate clusters."""
    n = rows if rows is not None else len(out)
    if lang() == "fa":
        from khooshe.text.digits import to_persian_digits

        text = f"{n:,} ردیف ({regions:,} منطقه، {activities:,} فعالیت) در {output} نوشته شد"
        if out is not None:
            cand = int((out.strong & out.traded & ~out.small_base).sum())
            text += f"؛ {int(out.strong.sum()):,} خانهٔ تخصصی، {cand:,} خوشهٔ بالقوه"
        console.print(to_persian_digits(text), highlight=False)
    else:
        text = f"{n:,} rows ({regions:,} regions, {activities:,} activities) written to {output}"
        if out is not None:
            cand = int((out.strong & out.traded & ~out.small_base).sum())
            text += (f"; {int(out.strong.sum()):,} strong cells, {cand:,} candidate clusters "
                     "(strong, traded, not small base)")
        console.print(text, highlight=False)


@app.command("hotspots")
def hotspots_cmd(
    workspace: Path = typer.Argument(..., help="Workspace directory."),
    activity: str = typer.Option(..., "--activity", help="ISIC Rev.4 class (4 digits)."),
    level: str = typer.Option("county", "--level", help="Regions compared: county or village."),
    measure: str = typer.Option("employment", "--measure", help="employment or establishments."),
    province: str = typer.Option(None, "--province", help="Only the regions of this province."),
    permutations: int = typer.Option(999, "--permutations", help="Permutations for p-values."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level."),
    output: Path = typer.Option(..., "-o", "--output", help="CSV, XLSX or Parquet to write."),
) -> None:
    """Getis-Ord Gi* hot and cold spots of one activity across counties (or villages)."""
    from khooshe.io.tables import write_table
    from khooshe.services import specialization as spec_service

    output_path(output)
    ws = open_workspace(workspace)
    try:
        out = spec_service.hotspots(ws, activity, level=level, measure=measure,
                                    province=province, permutations=permutations, alpha=alpha)
    except ValueError as exc:
        abort(str(exc))
    finally:
        ws.close()
    write_table(out, output)
    hot = out.loc[out["spot"] == "hot", "region"].tolist()
    console.print(f"{len(out):,} regions written to {output}; {len(hot)} hot spot(s)"
                  + (f": {', '.join(hot[:20])}" if hot else ""), highlight=False)


@app.command("candidates")
def candidates_cmd(
    workspace: Path = typer.Argument(..., help="Workspace directory."),
    province: str = typer.Option(..., "--province", help="Province code, e.g. 01."),
    min_cluster_size: int = typer.Option(5, "--min-cluster-size", help="Smallest group."),
    max_median_km: float = typer.Option(
        25.0, "--max-median-km", help="Drop groups whose median distance to centre exceeds this."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="CSV, XLSX or Parquet to write."),
) -> None:
    """Candidate clusters: dense groups of establishments of one activity on the map."""
    from khooshe.io.tables import write_table
    from khooshe.services import specialization as spec_service

    output_path(output)
    ws = open_workspace(workspace)
    try:
        out = spec_service.candidates(ws, province, min_cluster_size=min_cluster_size,
                                      max_median_km=max_median_km)
    except ValueError as exc:
        abort(str(exc))
    finally:
        ws.close()
    write_table(out, output)
    console.print(f"{len(out):,} candidate clusters written to {output}", highlight=False)


@app.command("villages")
def villages_cmd(
    workspace: Path = typer.Argument(..., help="Workspace directory."),
    province: str = typer.Option(..., "--province", help="Province code, e.g. 01."),
    per_county: int = typer.Option(10, "--per-county", help="Villages per county (N)."),
    max_per_activity: int = typer.Option(
        3, "--max-per-activity", help="At most K villages of a county per activity."
    ),
    min_spacing_km: float = typer.Option(
        3.0, "--min-spacing-km", help="Minimum distance between chosen villages of a county."
    ),
    min_population: float = typer.Option(
        100, "--min-population", help="Smallest eligible village population."
    ),
    weights: Path = typer.Option(
        None, "--weights", help="TOML file overriding the default weights "
        "(khooshe/data/potential_weights.toml)."
    ),
    activities: str = typer.Option(
        None, "--activities", help="Candidate ISIC classes, comma-separated (2-digit divisions "
        "expand); default: manufacturing (10–33) present in the workspace."
    ),
    output: Path = typer.Option(
        ..., "-o", "--output", help="CSV or XLSX to write; the map goes to <stem>.html and the "
        "per-county summary to <stem>_counties.<ext> beside it."
    ),
) -> None:
    """Village potential and the "10 villages per county" shortlist, with an HTML map."""
    from khooshe.services import villages as service

    output_path(output)
    if output.suffix.lower() not in (".csv", ".xlsx"):
        abort(f"{output}: the shortlist is written as .csv or .xlsx")
    try:
        w = service.read_weights(weights)
        acts = service.parse_activities(activities)
    except ValueError as exc:
        abort(str(exc))
    ws = open_workspace(workspace)
    try:
        result = service.village_shortlist(
            ws, province=province, per_county=per_county, max_per_activity=max_per_activity,
            min_spacing_km=min_spacing_km, min_population=min_population, activities=acts,
            weights=w,
        )
    except ValueError as exc:
        abort(str(exc))
    finally:
        ws.close()
    paths = service.write_result(result, output)
    sl = result.shortlist
    short = service.shortfall(result)
    fa = lang() == "fa"
    if result.synthetic:
        from khooshe.text.messages import t

        console.print(f"[bold yellow]{t('common.synthetic', lang())}[/]")
    if fa:
        from khooshe.text.digits import to_persian_digits

        console.print(to_persian_digits(
            f"{len(sl.villages):,} روستا در {len(sl.counties):,} شهرستان؛ "
            f"{sl.villages['activity'].nunique():,} فعالیت"), highlight=False)
    else:
        console.print(f"{len(sl.villages):,} villages in {len(sl.counties):,} counties; "
                      f"{sl.villages['activity'].nunique():,} activities", highlight=False)
    for row in short.itertuples(index=False):
        line = f"  {row.county_code}: {row.shortlisted}/{per_county} — "
        if fa:
            from khooshe.text.digits import to_persian_digits

            line = to_persian_digits(line) + row.reason_fa
        else:
            line += row.reason_en
        console.print(line, highlight=False)
    for note in sl.notes:
        console.print(f"  note: {note}", highlight=False)
    console.print("written: " + ", ".join(str(p) for p in paths), highlight=False)


# --- Half-finished units portfolio (khooshe.analysis.portfolio) ------------------------------
def _portfolio_pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``CODE=AMOUNT`` options → {code: amount text}; abort on a malformed or repeated one."""
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, amount = item.partition("=")
        key, amount = key.strip(), amount.strip()
        if not sep or not key or not amount:
            abort(f"{option} {item!r}: write CODE=AMOUNT, e.g. {option} 06=500_000_000_000")
        if key in out:
            abort(f"{option}: {key!r} is given twice")
        out[key] = amount
    return out


def _portfolio_json(path: Path, data: dict) -> None:
    """Write ``data`` as JSON atomically (temporary file, then rename)."""
    import json
    import math

    def clean(v):
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        if hasattr(v, "item"):  # numpy scalars
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v

    from khooshe.io.tables import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(clean(data), ensure_ascii=False, indent=2), encoding="utf-8")


@app.command("portfolio")
def portfolio_cmd(
    source: Path = typer.Argument(
        ..., help="Units table (CSV, XLSX or Parquet): id, province, county, isic, "
        "progress_pct, remaining_cost_rials, expected_jobs [, expected_output, expected_exports]."
    ),
    budget: str = typer.Option(
        None, "--budget", help="Budget in rials (2500000000000, 2_500_000_000_000, 2.5e12); "
        "required with a file; on a workspace the default is half the cost of every unit."
    ),
    province: str = typer.Option(
        None, "--province", help="Workspace mode: the province whose half-finished units "
        "are chosen."
    ),
    objective: str = typer.Option("jobs", "--objective", help="jobs or weighted."),
    weight: list[str] = typer.Option(
        None, "--weight", help="weighted: NAME=W for jobs, output, exports (repeat; default "
        "equal weights)."
    ),
    cap_province: list[str] = typer.Option(
        None, "--cap-province", help="CODE=AMOUNT: most money (rials) for a province (repeat)."
    ),
    cap_sector: list[str] = typer.Option(
        None, "--cap-sector", help="ISIC=AMOUNT: most money for an ISIC class or prefix (repeat)."
    ),
    min_progress: float = typer.Option(
        None, "--min-progress", help="Only units with at least this physical progress (%)."
    ),
    include: list[str] = typer.Option(
        None, "--include", help="Unit id(s) that must be completed (repeat or comma-separate)."
    ),
    exclude: list[str] = typer.Option(
        None, "--exclude", help="Unit id(s) that must not be chosen (repeat or comma-separate)."
    ),
    target_jobs: int = typer.Option(
        None, "--target-jobs", help="Also find the cheapest set reaching N jobs (column "
        "selected_target)."
    ),
    frontier_points: int = typer.Option(
        0, "--frontier", help="Also compute the budget → jobs frontier at K budgets."
    ),
    frontier_out: Path = typer.Option(
        None, "--frontier-out", help="Write the frontier table (CSV, XLSX or Parquet) here."
    ),
    time_limit: float = typer.Option(
        60.0, "--time-limit", help="Seconds per optimisation; past it the best portfolio found "
        "is kept and its gap reported."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="CSV, XLSX or Parquet to write."),
    summary_json: Path = typer.Option(None, "--summary-json", help="Write a JSON summary here."),
    errors: Path = typer.Option(None, "--errors", help="Write every bad cell found to this file."),
) -> None:
    """Choose the half-finished units to complete: the most jobs (or weighted jobs, output and
    exports) within a budget, proven optimal with HiGHS, compared with naive rules."""
    from khooshe.analysis import portfolio as pf
    from khooshe.domain.errors import InputError
    from khooshe.domain.validate import ValidationError
    from khooshe.io.tables import TableFormatError, read_table, write_table
    from khooshe.text.numbers import format_money_toman

    output_path(output)
    if frontier_out is not None:
        output_path(frontier_out)
    if summary_json is not None and summary_json.suffix.lower() != ".json":
        abort(f"{summary_json}: the summary must be a .json file")
    if source.is_dir() and province is None:
        abort("--province is required when SOURCE is a workspace")
    if not source.is_dir() and budget is None:
        abort("--budget is required when SOURCE is a units file")
    if objective not in ("jobs", "weighted"):
        abort(f"--objective must be jobs or weighted, not {objective!r}")
    if frontier_points < 0:
        abort(f"--frontier must be ≥ 0, not {frontier_points}")
    if frontier_out is not None and frontier_points == 0:
        abort("--frontier-out needs --frontier K")
    if time_limit is not None and time_limit <= 0:
        abort(f"--time-limit must be positive, not {time_limit:g}")
    if target_jobs is not None and target_jobs < 0:
        abort(f"--target-jobs must be ≥ 0, not {target_jobs}")
    weights = None
    if weight:
        weights = {}
        for k, v in _portfolio_pairs(weight, "--weight").items():
            try:
                weights[k] = float(v)
            except ValueError:
                abort(f"--weight {k}={v}: the weight must be a number")
    caps_p = _portfolio_pairs(cap_province, "--cap-province")
    caps_s = _portfolio_pairs(cap_sector, "--cap-sector")
    if source.is_dir():
        from khooshe.services.portfolio import DEFAULT_BUDGET_SHARE, workspace_units

        ws = open_workspace(source)
        try:
            units = workspace_units(ws, province)
        except ValidationError as exc:  # before InputError, its base
            _report_invalid(exc, errors)
            raise typer.Exit(2) from None
        except InputError as exc:
            abort(str(exc))
        finally:
            ws.close()
        if budget is None:
            budget = int(DEFAULT_BUDGET_SHARE * units["remaining_cost_rials"].sum())
            console.print(f"No --budget: using {DEFAULT_BUDGET_SHARE:.0%} of the cost of "
                          "finishing every unit.", highlight=False)
    else:
        try:
            raw = read_table(source, as_text=True)
        except (TableFormatError, FileNotFoundError) as exc:
            abort(str(exc))
        try:
            units = pf.validate_units(raw, source=source.name)
        except ValidationError as exc:
            _report_invalid(exc, errors)
            raise typer.Exit(2) from None
    common = dict(cap_province=caps_p, cap_sector=caps_s, min_progress=min_progress,
                  include=include, exclude=exclude, validated=True)
    target = front = None
    try:
        result = pf.optimize_portfolio(units, budget, objective=objective, weights=weights,
                                       time_limit=time_limit, **common)
        if target_jobs is not None:
            target = pf.cheapest_for_jobs(units, target_jobs, time_limit=time_limit, **common)
        if frontier_points:
            front = pf.frontier(units, points=frontier_points, objective=objective,
                                weights=weights, time_limit=time_limit, **common)
    except InputError as exc:
        abort(str(exc))

    table = result.units
    if target is not None:
        table = table.assign(selected_target=target.units["selected"].to_numpy())
    summary = {"source": str(source), **result.summary()}
    if target is not None:
        summary["target"] = target.summary()
    if front is not None:
        summary["frontier"] = front.to_dict("records")
    write_table(table, output)
    if front is not None and frontier_out is not None:
        write_table(front, frontier_out)
    if summary_json is not None:
        _portfolio_json(summary_json, summary)

    def money(rials: int) -> str:
        return f"{rials:,} rials ({format_money_toman(rials, 'en')})"

    proof = ("proven optimum (gap 0)" if result.optimal
             else f"NOT proven optimal: gap {result.gap:.4%} ({result.status})")
    console.print(
        f"Selected {int(result.selected.sum()):,} of {len(table):,} units: "
        f"{result.jobs:,} jobs for {money(result.cost)} of a budget of {money(result.budget)}; "
        f"{proof}; {result.seconds:.2f} s.", highlight=False)
    if result.objective == "weighted":
        console.print(f"  weighted objective {result.objective_value:.4f} "
                      f"(weights {result.weights})", highlight=False)
    for rule, jobs in result.greedy_jobs.items():
        console.print(f"  naive rule {rule.replace('_', ' ')} first: {jobs:,} jobs "
                      f"(optimum gains {result.jobs - jobs:+,})", highlight=False)
    if result.marginal_out is not None:
        m = result.marginal_out
        console.print(
            f"  next unit at the budget edge: {m.id} ({m.expected_jobs} jobs, "
            f"{money(m.remaining_cost_rials)}); needs {money(m.extra_budget)} more"
            + (f", blocked by {', '.join(m.blocked_by)}" if m.blocked_by else ""),
            highlight=False)
    if target is not None:
        console.print(
            f"Cheapest set reaching {target.target:,} jobs: {int(target.selected.sum()):,} "
            f"units, {target.jobs:,} jobs for {money(target.cost)}"
            + ("" if target.optimal else f" (gap {target.gap:.4%}, not proven)"),
            highlight=False)
    if front is not None:
        proven = int(front["optimal"].sum())
        console.print(f"Frontier: {len(front)} budgets, {proven} proven optimal, "
                      f"{front.attrs.get('seconds', 0):.1f} s", highlight=False)
    console.print(f"Units written to {output}"
                  + (f"; summary to {summary_json}" if summary_json else ""), highlight=False)


# --- Export markets (khooshe.analysis.markets, khooshe.io.trade) ----------------------------
def _parse_years(text: str | None) -> tuple[int, int] | None:
    """``2019-2023`` or ``2022`` → an inclusive range, or abort."""
    import re

    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–:]\s*(\d{4}))?\s*", text)
    if not m:
        abort(f"--years must be YEAR or YEAR1-YEAR2 (e.g. 2019-2023), not {text!r}")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if lo > hi:
        abort(f"--years {text}: the first year is after the last")
    return lo, hi


def _parse_growth(text: str, markets: list[str], table) -> float | dict[str, float]:
    """``0.03`` for every market, or ``IRQ=0.05,KWT=0.02`` (others 0)."""
    from khooshe.io.countries import UnknownCountryError, resolve_country

    try:
        if "=" not in text:
            return float(text)
        out: dict[str, float] = {}
        for part in text.split(","):
            key, _, val = part.partition("=")
            iso = resolve_country(key.strip(), table)
            if iso not in markets:
                abort(f"--growth names {iso}, which is not one of --markets")
            out[iso] = float(val)
        return out
    except ValueError as exc:
        if isinstance(exc, UnknownCountryError):
            abort(f"--growth: {exc}")
        abort(f"--growth must be a rate (0.03) or MARKET=RATE pairs (IRQ=0.05,KWT=0.02): {exc}")
    raise AssertionError  # unreachable


@app.command("markets")
def markets_cmd(
    source: Path = typer.Argument(
        ..., help="Trade file: BACI (t,i,j,k,v,q), Comtrade CSV or khooshe flows; CSV, "
        "Parquet or XLSX, or a quoted glob such as 'BACI_HS17_Y20*.csv'. A workspace "
        "directory: its trade flows, products (HS6 → ISIC) and clusters."
    ),
    exporter: str = typer.Option(
        "IRN", "--exporter", help="Exporter (ISO3, numeric or name; default IRN)."
    ),
    markets: str = typer.Option(
        None, "--markets", help="Target markets, comma-separated (default IRQ,KWT,ARE,QAT,OMN,"
        "BHR,SAU,AZE; names such as عراق are accepted)."
    ),
    years: str = typer.Option(None, "--years", help="Years used: Y1-Y2 or Y (default all)."),
    countries: Path = typer.Option(
        None, "--countries", help="BACI country_codes file (numeric code → ISO3)."
    ),
    fmt: str = typer.Option("auto", "--format", help="auto, baci, comtrade or flows."),
    flow: str = typer.Option("X", "--flow", help="Comtrade: X reported exports, M imports."),
    drop_unknown: bool = typer.Option(
        False, "--drop-unknown", help="Drop rows with unmapped numeric country codes."
    ),
    distances: Path = typer.Option(
        None, "--distances", help="Distance table (CEPII GeoDist or origin,destination,"
        "distance_km); default great-circle between capitals."
    ),
    tariffs: Path = typer.Option(
        None, "--tariffs", help="Tariff table: market, hs (2/4/6 digits), tariff (%) "
        "[, reference_tariff, exporter]."
    ),
    concordance: Path = typer.Option(
        None, "--concordance", help="HS6 → ISIC Rev.4 table (hs6, isic [, weight]): adds isic "
        "(on a workspace: replaces its products' isic for the cluster links)."
    ),
    base_years: int = typer.Option(3, "--base-years", help="Years averaged for levels."),
    horizon: float = typer.Option(5, "--horizon", help="Projection horizon (years)."),
    trend_weight: float = typer.Option(
        0.5, "--trend-weight", help="Share of past trends passed on (0 = no trends)."
    ),
    growth: str = typer.Option(
        "0", "--growth", help="Stated annual growth of market imports: 0.03, or IRQ=0.05,KWT=0.02."
    ),
    distance_elasticity: float = typer.Option(1.0, "--distance-elasticity", help="δ."),
    tariff_elasticity: float = typer.Option(4.0, "--tariff-elasticity", help="σ."),
    min_rca: float = typer.Option(
        None, "--min-rca", help="Only products with RCA >= X (ITC's EPI: 1)."
    ),
    candidates: Path = typer.Option(
        None, "--candidates", help="Also write diversification candidates (density × demand × "
        "ease) to this file."
    ),
    top_candidates: int = typer.Option(
        100, "--top-candidates", help="Candidates kept per market."
    ),
    over_time: Path = typer.Option(
        None, "--over-time", help="Also write exports by year, value and weight, to this file."
    ),
    province: str = typer.Option(
        None, "--province", help="Workspace mode: link the potential to this province's "
        "clusters."
    ),
    links: Path = typer.Option(
        None, "--links", help="Workspace mode: write the cluster ↔ product ↔ market links here "
        "(default <OUT stem>_clusters.<ext>)."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="CSV, XLSX or Parquet to write."),
) -> None:
    """Export potential and unrealised potential per (market, product), following ITC's
    export potential method (supply × demand × ease); diversification candidates and exports
    over time on request."""
    import warnings

    from khooshe.analysis import markets as mk
    from khooshe.io.countries import (
        UnknownCountryError,
        load_countries,
        read_baci_countries,
        resolve_countries,
        resolve_country,
    )
    from khooshe.io.tables import TableFormatError, write_table
    from khooshe.io.trade import (
        TradeFileError,
        read_concordance,
        read_distances,
        read_tariffs,
        summarise_trade_file,
    )

    for path in (output, candidates, over_time):
        if path is not None:
            output_path(path)
    if links is not None:
        output_path(links)
    if not source.is_dir() and (province is not None or links is not None):
        abort("--province and --links need a workspace as SOURCE")
    if fmt not in ("auto", "baci", "comtrade", "flows"):
        abort(f"--format must be auto, baci, comtrade or flows, not {fmt!r}")
    if flow not in ("X", "M"):
        abort(f"--flow must be X or M, not {flow!r}")
    window = _parse_years(years)
    table = load_countries()
    if markets is None:
        from khooshe.domain.trade import DEFAULT_MARKETS

        markets = ",".join(DEFAULT_MARKETS)
    try:
        exp = resolve_country(exporter, table)
        targets = resolve_countries(markets, table)
    except UnknownCountryError as exc:
        abort(str(exc))
    market_growth = _parse_growth(growth, targets, table)
    if source.is_dir():
        _markets_workspace(
            source, province, exp, targets, window, output=output, candidates=candidates,
            over_time=over_time, links=links, concordance=concordance, min_rca=min_rca,
            top_candidates=top_candidates, base_years=base_years, horizon=horizon,
            trend_weight=trend_weight, market_growth=market_growth, distances=distances,
            tariffs=tariffs, distance_elasticity=distance_elasticity,
            tariff_elasticity=tariff_elasticity)
        return
    try:
        baci_countries = None if countries is None else read_baci_countries(countries)
        dist = None if distances is None else read_distances(distances)
        tar = None if tariffs is None else read_tariffs(tariffs, exporter=exp)
        conc = None if concordance is None else read_concordance(concordance)
        err_console.print(f"reading {source} …", highlight=False)
        summary = summarise_trade_file(
            source, exporter=exp, markets=targets, years=window, format=fmt,  # type: ignore[arg-type]
            countries=baci_countries, flow=flow, unknown="drop" if drop_unknown else "raise",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mk.MarketsWarning)
            result = mk.analyse_markets(
                summary, min_rca=min_rca, top_candidates=top_candidates, base_years=base_years,
                horizon=horizon, trend_weight=trend_weight, market_growth=market_growth,
                distances=dist, countries=table, distance_elasticity=distance_elasticity,
                tariffs=tar, tariff_elasticity=tariff_elasticity,
            )
    except (TradeFileError, TableFormatError, FileNotFoundError, ValueError) as exc:
        abort(str(exc))
    potential = mk.add_country_names(result.potential, table)
    cands = mk.add_country_names(result.candidates, table)
    if conc is not None:
        potential = mk.attach_activities(potential, conc)
        cands = mk.attach_activities(cands, conc)
    write_table(potential, output)
    if candidates is not None:
        write_table(cands, candidates)
    if over_time is not None:
        write_table(mk.add_country_names(result.over_time, table), over_time)
    for note in result.notes:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    _report_markets(result.potential, summary, output, candidates, over_time, table)


def _markets_workspace(root: Path, province: str | None, exporter: str, markets: list[str],
                       window, *, output: Path, candidates: Path | None,
                       over_time: Path | None, links: Path | None, concordance: Path | None,
                       distances: Path | None, tariffs: Path | None, **options) -> None:
    """``khooshe markets WORKSPACE``: the workspace's trade flows and clusters."""
    import warnings

    from khooshe.analysis import markets as mk
    from khooshe.io.tables import TableFormatError, write_table
    from khooshe.io.trade import TradeFileError, read_concordance, read_distances, read_tariffs
    from khooshe.services.markets import workspace_markets

    ws = open_workspace(root)
    try:
        if concordance is not None:  # instead of the products table's isic column
            options["hs_isic"] = read_concordance(concordance)
        if distances is not None:
            options["distances"] = read_distances(distances)
        if tariffs is not None:
            options["tariffs"] = read_tariffs(tariffs, exporter=exporter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mk.MarketsWarning)
            result = workspace_markets(ws, province=province, exporter=exporter,
                                       markets=markets, years=window, **options)
    except (TradeFileError, TableFormatError, FileNotFoundError, ValueError) as exc:
        abort(str(exc))
    finally:
        ws.close()
    links = links or output.with_name(f"{output.stem}_clusters{output.suffix}")
    write_table(result.potential, output)
    write_table(result.links, links)
    if candidates is not None:
        write_table(result.candidates, candidates)
    if over_time is not None:
        write_table(result.over_time, over_time)
    for note in result.notes:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    totals = result.potential.groupby("market")["unrealised_value"].sum()
    for m in result.markets:
        console.print(f"  {m}: unrealised potential {totals.get(m, 0.0) / 1e6:,.1f} million USD",
                      highlight=False)
    where = f"province {province}'s" if province else "the"
    first = result.opportunities[result.opportunities["market"] == result.markets[0]]
    if len(first):
        console.print(f"Top unrealised opportunities in {result.markets[0]} for {where} "
                      "clusters (national rank; million USD):", highlight=False)
    suffix = "fa" if lang() == "fa" else "en"
    for row in first.head(5).to_dict("records"):
        console.print(f"  #{row['rank']} {row['product']} {row[f'product_name_{suffix}']}: "
                      f"{row['unrealised_value'] / 1e6:,.1f} — {row[f'cluster_names_{suffix}']} "
                      f"({row[f'county_names_{suffix}']})", highlight=False)
    console.print(f"{len(result.potential):,} (market, product) rows written to {output}; "
                  f"{len(result.links):,} cluster links to {links}", highlight=False)


def _report_markets(potential, summary, output: Path, candidates: Path | None,
                    over_time: Path | None, table) -> None:
    """One line per market: potential, actual and unrealised totals and the top product."""
    from rich.table import Table

    names = dict(zip(table["iso3"], table["name_fa" if lang() == "fa" else "name_en"],
                     strict=True))
    grid = Table(title=f"{summary.exporter} → {len(summary.markets)} market(s), "
                       f"{summary.years[0]}–{summary.years[-1]} (million USD)")
    for col in ("market", "potential", "actual", "unrealised", "top product"):
        grid.add_column(col, justify="left" if col in ("market", "top product") else "right")
    totals = potential.groupby("market")[["potential_value", "actual_value",
                                          "unrealised_value"]].sum()
    top = potential[potential["rank"] == 1].set_index("market")["product"]
    for m in summary.markets:
        t = totals.reindex([m]).fillna(0.0).iloc[0]
        grid.add_row(f"{m} {names.get(m, '')}", f"{t.potential_value / 1e6:,.1f}",
                     f"{t.actual_value / 1e6:,.1f}", f"{t.unrealised_value / 1e6:,.1f}",
                     str(top.get(m, "")))
    console.print(grid)
    written = [str(output)] + [str(p) for p in (candidates, over_time) if p is not None]
    console.print(f"{len(potential):,} (market, product) rows from {summary.rows:,} flows; "
                  f"written to {', '.join(written)}", highlight=False)


# --- The province plan (khooshe.services.plan) ---------------------------------------------
@app.command("plan")
def plan_cmd(
    workspace: Path = typer.Argument(..., help="Workspace directory."),
    province: str = typer.Option(..., "--province", help="Province code, e.g. 06."),
    out: Path = typer.Option(..., "--out", help="Directory for plan.html, plan.xlsx, plan.pdf."),
    plan_lang: str = typer.Option("fa", "--lang", help="Language of the plan: fa or en."),
    budget: str = typer.Option(
        None, "--budget", help="Budget for half-finished units, in rials (e.g. 2.5e13); "
        "default: what the job target costs."
    ),
    target_jobs: int = typer.Option(
        None, "--target-jobs", help="Job target for half-finished units (default: all their "
        "expected jobs)."
    ),
    markets: str = typer.Option(
        None, "--markets", help="Target markets, comma-separated ISO3 (default "
        "IRQ,KWT,ARE,QAT,OMN,BHR,SAU,AZE)."
    ),
    sections: str = typer.Option(
        None, "--sections", help="Only these sections, comma-separated (profile, specialisation, "
        "complexity, villages, markets, portfolio, programme, appendix)."
    ),
    formats: str = typer.Option("html,xlsx,pdf", "--formats", help="Outputs: html,xlsx,pdf."),
) -> None:
    """The province plan: one HTML, XLSX and PDF with every analysis (Persian by default)."""
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from khooshe.services import plan as service

    if plan_lang not in ("fa", "en"):
        abort(f"--lang must be fa or en, not {plan_lang!r}")
    fmts = tuple(f.strip() for f in formats.split(",") if f.strip())
    bad = [f for f in fmts if f not in service.FORMATS]
    if bad or not fmts:
        abort(f"--formats: choose from {', '.join(service.FORMATS)}, not {formats!r}")
    chosen = service.SECTIONS
    if sections:
        chosen = tuple(s.strip() for s in sections.split(",") if s.strip())
        bad = [s for s in chosen if s not in service.SECTIONS]
        if bad:
            abort(f"--sections: unknown {', '.join(bad)}; choose from "
                  f"{', '.join(service.SECTIONS)}")
    options = service.PlanOptions(target_jobs=target_jobs)
    if budget is not None:
        from khooshe.domain.validate import parse_amount

        try:
            options.budget = parse_amount(budget, "--budget")
        except ValueError as exc:
            abort(str(exc))
    if markets:
        options.markets = tuple(m.strip().upper() for m in markets.split(",") if m.strip())
    if out.exists() and not out.is_dir():
        abort(f"--out {out} is a file; give a directory")
    ws = open_workspace(workspace)
    start = time.perf_counter()
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                  console=err_console, transient=False) as bar:
        task = bar.add_task("plan", total=len(chosen) + len(fmts))

        def on_section(key: str, state: str) -> None:
            if state == "start":
                bar.update(task, description=key)
            else:
                bar.advance(task)

        try:
            result = service.build_plan(ws, province, options=options, lang=plan_lang,
                                        sections=chosen, on_section=on_section)
        except ValueError as exc:
            abort(str(exc))
        written = {}
        for fmt in fmts:
            bar.update(task, description=f"write plan.{fmt}")
            written.update(service.write_plan(result.plan, out, lang=plan_lang, formats=(fmt,)))
            bar.advance(task)
    ws.close()
    for key, trace in result.failed.items():
        err_console.print(f"[bold red]section {key} failed[/] (shown in the plan):\n{trace}",
                          highlight=False)
    for fmt, path in written.items():
        if isinstance(path, Exception):
            err_console.print(f"[bold red]plan.{fmt} failed:[/] {type(path).__name__}: {path}",
                              highlight=False)
        else:
            console.print(f"wrote {path}", highlight=False)
    console.print(f"plan of province {province}: {len(chosen) - len(result.failed)} of "
                  f"{len(chosen)} sections in {time.perf_counter() - start:.1f} s", highlight=False)
    if result.failed or any(isinstance(p, Exception) for p in written.values()):
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
