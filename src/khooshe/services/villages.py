"""The "10 villages per county" shortlist of a workspace: read, score, shortlist, write.

Reads the workspace's regions, parks, establishments and resources (the whole country: the
proximity between activities is national and neighbourhoods cross province borders), scores the
province's villages with :func:`khooshe.analysis.potential.village_potential`, shortlists them
with :func:`khooshe.analysis.potential.shortlist`, and renders the shortlist as a table and as a
self-contained HTML map (plotly, its JavaScript inlined, no map tiles: works offline).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from khooshe.analysis import potential as pot
from khooshe.i18n import t
from khooshe.io.tables import atomic_path, table_format, write_table
from khooshe.services.data import read_kind
from khooshe.services.frames import region_ancestors
from khooshe.store.workspace import Workspace

#: Candidate activities by default: manufacturing (ISIC Rev.4 section C, divisions 10–33),
#: what "industrial clusters" means in the programme. Pass ``activities`` to widen.
DEFAULT_DIVISIONS = tuple(f"{d:02d}" for d in range(10, 34))

REGION_COLUMNS = ["code", "level", "parent_code", "name_fa", "name_en", "population",
                  "working_age_share", "lat", "lon", "is_seat"]
ESTABLISHMENT_COLUMNS = ["id", "isic", "region_code", "status", "employees", "lat", "lon"]


@dataclass
class VillagesResult:
    """A province's shortlist, the potential it came from and what the map needs."""

    shortlist: pot.Shortlist
    potential: pot.Potential
    province: str
    province_name: str
    parks: pd.DataFrame
    seats: pd.DataFrame
    boundaries: pd.DataFrame
    synthetic: bool


def read_weights(path: str | Path | None) -> pot.Weights:
    """Weights from a TOML file laid over the defaults (``None``: the defaults)."""
    if path is None:
        return pot.default_weights()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"weights file {path} does not exist") from None
    except UnicodeDecodeError:
        raise ValueError(f"weights file {path} is not UTF-8 text") from None
    return pot.parse_weights(text, source=str(path))


def parse_activities(text: str | None, known: list[str] | None = None) -> list[str] | None:
    """``"1079,1061,13"`` → 4-digit classes; a 2-digit division expands to its known classes.

    Raises ``ValueError`` for anything else, or a division with no known class.
    """
    if text is None:
        return None
    known = sorted(pot.activity_names().index) if known is None else sorted(known)
    out: list[str] = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        if len(item) == 4 and item.isdigit():
            out.append(item)
        elif len(item) == 2 and item.isdigit():
            cls = [k for k in known if k.startswith(item)]
            if not cls:
                raise ValueError(f"--activities: no known ISIC class in division {item}")
            out.extend(cls)
        else:
            raise ValueError(f"--activities: {item!r} is neither a 4-digit ISIC class nor a "
                             "2-digit division")
    if not out:
        raise ValueError("--activities is empty")
    return sorted(set(out))


def _default_candidates(est: pd.DataFrame) -> list[str]:
    known = set(est["isic"].astype(str)) | set(pot.resource_links()["isic"])
    return sorted(a for a in known if a[:2] in DEFAULT_DIVISIONS)


def village_shortlist(
    ws: Workspace,
    *,
    province: str,
    per_county: int = 10,
    max_per_activity: int = 3,
    min_spacing_km: float = 3.0,
    min_population: float = 100,
    activities: list[str] | None = None,
    weights: pot.Weights | None = None,
) -> VillagesResult:
    """Score the villages of ``province`` and shortlist ``per_county`` per county.

    ``activities`` default to every manufacturing class (divisions 10–33) found in the
    workspace's establishments or in the resource → activity table.
    """
    regions = read_kind(ws, "regions", columns=REGION_COLUMNS + ["boundary"])
    province = str(province)
    provinces = regions.loc[regions["level"] == "province", "code"]
    if province not in set(provinces):
        raise ValueError(f"province {province!r} is not in the workspace "
                         f"(provinces: {', '.join(sorted(provinces)) or 'none'})")
    est = read_kind(ws, "establishments", columns=ESTABLISHMENT_COLUMNS)
    resources = read_kind(ws, "resources")
    parks = read_kind(ws, "parks", columns=["code", "name_fa", "name_en", "region_code", "lat",
                                            "lon"])
    cand = activities if activities is not None else _default_candidates(est)
    if not cand:
        raise ValueError("no candidate activity: the workspace has no manufacturing "
                         "establishment; pass --activities")
    potential = pot.village_potential(
        regions.drop(columns=["boundary"]), est, resources, parks, province=province,
        activities=cand, weights=weights,
    )
    county_codes = regions.loc[(regions["level"] == "county")
                               & (regions["parent_code"] == province), "code"].tolist()
    sl = pot.shortlist(potential, per_county=per_county, max_per_activity=max_per_activity,
                       min_spacing_km=min_spacing_km, min_population=min_population,
                       counties=county_codes or None)
    names = regions.set_index("code")
    sl.counties.insert(1, "county_fa", sl.counties["county_code"].map(names["name_fa"]))
    sl.counties.insert(2, "county_en", sl.counties["county_code"].map(names["name_en"]))
    if ws.synthetic:
        note = f"{t('synthetic', 'fa')} / {t('synthetic', 'en')}"
        sl.villages["data"] = note
        sl.counties["data"] = note
    is_county = regions["code"].isin(set(sl.counties["county_code"]))
    in_province = regions["code"].map(region_ancestors(regions, "province")) == province
    seats = regions[in_province & (regions["level"] == "city")
                    & (regions["is_seat"].fillna(0) == 1)]
    return VillagesResult(
        shortlist=sl, potential=potential, province=province,
        province_name=str(names.loc[province, "name_fa"]),
        parks=parks, seats=seats[["code", "name_fa", "name_en", "lat", "lon"]],
        boundaries=regions.loc[is_county & regions["boundary"].notna(),
                               ["code", "name_fa", "boundary"]],
        synthetic=ws.synthetic,
    )


# ------------------------------------------------------------------------------------ map
def _outline(geojson: str) -> tuple[list[float | None], list[float | None]]:
    """Exterior rings of a GeoJSON (multi)polygon as lon/lat lists separated by None."""
    import json

    from shapely.geometry import shape

    geom = shape(json.loads(geojson))
    polys = list(getattr(geom, "geoms", [geom]))
    xs: list[float | None] = []
    ys: list[float | None] = []
    for p in polys:
        ring = getattr(p, "exterior", None)
        if ring is None:
            continue
        x, y = ring.xy
        xs += list(x) + [None]
        ys += list(y) + [None]
    return xs, ys


def shortlist_figure(result: VillagesResult):
    """A plotly figure of the shortlist coloured by activity, on the province's villages.

    Plain lon/lat axes (equal distances, no map tiles) so the HTML needs no network: county
    outlines when the workspace has boundaries, every village of the province in grey, parks as
    squares, county seats as circles, shortlisted villages coloured by activity.
    """
    import plotly.graph_objects as go

    sl = result.shortlist.villages
    v = result.potential.villages
    fig = go.Figure()
    for row in result.boundaries.itertuples(index=False):
        try:
            xs, ys = _outline(row.boundary)
        except Exception:  # a malformed boundary only loses its outline
            continue
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#999", "width": 1},
                                 hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(
        x=v["lon"], y=v["lat"], mode="markers", name="روستاها / villages",
        marker={"size": 3, "color": "#c8c8c8"}, text=v["name_fa"], hoverinfo="text",
    ))
    near = result.parks.dropna(subset=["lat", "lon"])
    if len(v) and len(near):
        lat0, lon0 = float(v["lat"].mean()), float(v["lon"].mean())
        span = float(max(v["lat"].max() - v["lat"].min(), v["lon"].max() - v["lon"].min()))
        near = near[(near["lat"] - lat0).abs().le(span) & (near["lon"] - lon0).abs().le(span)]
    fig.add_trace(go.Scatter(
        x=near["lon"], y=near["lat"], mode="markers", name="شهرک صنعتی / industrial park",
        marker={"symbol": "square", "size": 9, "color": "black"},
        text=near["name_fa"], hoverinfo="text",
    ))
    seats = result.seats.dropna(subset=["lat", "lon"])
    fig.add_trace(go.Scatter(
        x=seats["lon"], y=seats["lat"], mode="markers+text", name="مرکز شهرستان / county seat",
        marker={"symbol": "circle-open", "size": 10, "color": "#444"},
        text=seats["name_fa"], textposition="top center", textfont={"size": 10},
        hoverinfo="text",
    ))
    palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
               "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#ff7f00", "#6a3d9a", "#b15928",
               "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#7f7f7f", "#2ca02c"]
    acts = sl.groupby("activity").size().sort_values(ascending=False).index
    for k, act in enumerate(acts):
        part = sl[sl["activity"] == act]
        label = part["activity_fa"].iloc[0] if isinstance(part["activity_fa"].iloc[0], str) \
            else act
        hover = (part["village_fa"].astype(str) + " — " + part["village_code"] + "<br>"
                 + part["explanation_fa"] + "<br>" + part["explanation_en"]
                 + "<br>score " + part["score"].map("{:.3f}".format))
        fig.add_trace(go.Scatter(
            x=part["lon"], y=part["lat"], mode="markers", name=f"{act} {label}",
            marker={"size": 11, "color": palette[k % len(palette)],
                    "line": {"width": 1, "color": "white"}},
            text=hover, hoverinfo="text",
        ))
    lat0 = float(v["lat"].mean()) if len(v) and v["lat"].notna().any() else 32.0
    title = (f"روستاهای برگزیده برای خوشه‌های صنعتی — استان {result.province_name} "
             f"({result.province}) / Shortlisted villages for industrial clusters")
    if result.synthetic:
        title += f"<br><sub>{t('synthetic', 'fa')} — {t('synthetic', 'en')}</sub>"
    fig.update_layout(
        title={"text": title, "x": 0.5}, template="plotly_white", height=800,
        legend={"title": {"text": "فعالیت / activity"}, "itemsizing": "constant"},
        xaxis={"title": "lon", "showgrid": False},
        yaxis={"title": "lat", "showgrid": False, "scaleanchor": "x",
               "scaleratio": 1.0 / max(math.cos(math.radians(lat0)), 0.1)},
        hoverlabel={"align": "right"},
    )
    return fig


def map_path(output: str | Path) -> Path:
    """The HTML map beside ``output``: ``<stem>.html``."""
    output = Path(output)
    return output.with_name(f"{output.stem}.html")


def counties_path(output: str | Path) -> Path:
    """The per-county summary beside ``output``: ``<stem>_counties.<ext>``."""
    output = Path(output)
    return output.with_name(f"{output.stem}_counties{output.suffix}")


def rounded(villages: pd.DataFrame) -> pd.DataFrame:
    """The shortlist as written to files: scores and components to 6 decimals (they still add
    up to the score to 1e-5), density to 4, distances to 0.01 km, quantities to 0.1."""
    out = villages.copy()
    for col in out.columns:
        if col == "score" or col.startswith("c_") or col.endswith("_score"):
            out[col] = out[col].astype(float).round(6)
    for col, nd in (("density", 4), ("resource_quantity", 1), ("dist_park_km", 2),
                    ("dist_seat_km", 2), ("dist_city_km", 2)):
        if col in out.columns:
            out[col] = out[col].astype(float).round(nd)
    return out


def write_result(result: VillagesResult, output: str | Path) -> list[Path]:
    """Write the shortlist table, the per-county summary and the HTML map. Returns the paths."""
    output = Path(output)
    table_format(output)
    html_path = map_path(output)
    if html_path == output:
        raise ValueError(f"{output}: the map would overwrite the table; use .csv or .xlsx")
    fig = shortlist_figure(result)
    html = fig.to_html(include_plotlyjs=True, full_html=True)
    written = [write_table(rounded(result.shortlist.villages), output, sheet_name="villages"),
               write_table(result.shortlist.counties, counties_path(output),
                           sheet_name="counties")]
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    written.append(html_path)
    return written


def shortfall(result: VillagesResult) -> pd.DataFrame:
    """Counties that got fewer than asked, with the reason."""
    c = result.shortlist.counties
    return c[c["reason_en"].astype(str) != ""]


__all__ = [
    "DEFAULT_DIVISIONS",
    "VillagesResult",
    "counties_path",
    "map_path",
    "parse_activities",
    "read_weights",
    "rounded",
    "shortfall",
    "shortlist_figure",
    "village_shortlist",
    "write_result",
]
