"""County maps for reports: real boundaries when imported, otherwise approximate cells.

A workspace holds county boundaries only when the user imported them (``khooshe import WS
boundaries …``); the synthetic demo has none. So that every plan can still show a choropleth,
counties without a boundary get an *approximate* cell: the Voronoi cell of the county's
centroid among its province's counties, clipped to the convex hull of the province's villages
and cities (buffered by a few kilometres). Maps built that way say so in their title.

Maps are drawn on plain lon/lat axes (filled polygons), with no tile server and no world map to
download, so they work offline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from shapely.geometry import MultiPoint, mapping, shape
from shapely.geometry.base import BaseGeometry

#: Buffer around the province's settlements when clipping approximate cells (degrees ≈ 5 km).
HULL_BUFFER_DEG = 0.05


@dataclass
class CountyShapes:
    """GeoJSON of a province's counties.

    Attributes
    ----------
    geojson : dict
        FeatureCollection; each feature's ``id`` is the county code.
    approximate : bool
        True when at least one county's shape is a Voronoi cell, not an imported boundary.
    """

    geojson: dict
    approximate: bool


def county_shapes(regions: pd.DataFrame, province: str) -> CountyShapes:
    """Shapes of ``province``'s counties from a ``regions`` table (all levels).

    Parameters
    ----------
    regions : DataFrame
        The workspace's regions with ``code``, ``level``, ``parent_code``, ``lat``, ``lon`` and
        ``boundary`` (GeoJSON text or missing).
    province : str
        Province code.
    """
    from khooshe.domain.regions import RegionHierarchy

    inside = RegionHierarchy(regions).contains(province, regions["code"])
    counties = regions[inside & (regions["level"] == "county")].set_index("code")
    if counties.empty:
        return CountyShapes({"type": "FeatureCollection", "features": []}, False)
    geoms: dict[str, BaseGeometry] = {}
    have = counties["boundary"].notna()
    for code, text in counties.loc[have, "boundary"].items():
        geoms[code] = shape(json.loads(text))
    missing = counties.index[~have & counties["lat"].notna() & counties["lon"].notna()]
    if len(missing):
        settlements = regions[inside & regions["lat"].notna() & regions["lon"].notna()]
        hull = MultiPoint(settlements[["lon", "lat"]].to_numpy()).convex_hull
        hull = hull.buffer(HULL_BUFFER_DEG)
        seeds = counties.loc[counties["lat"].notna() & counties["lon"].notna(), ["lon", "lat"]]
        cells = _voronoi(seeds.to_numpy(), hull)
        for code, cell in zip(seeds.index, cells, strict=True):
            if code in missing:
                geoms[code] = cell
    features = [
        {"type": "Feature", "id": code, "properties": {"code": code},
         "geometry": mapping(g)}
        for code, g in geoms.items()
    ]
    return CountyShapes({"type": "FeatureCollection", "features": features}, bool(len(missing)))


def _voronoi(points: np.ndarray, envelope) -> list:
    """The Voronoi cell of each point, clipped to ``envelope``, in the order of ``points``."""
    if len(points) == 1:
        return [envelope]
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=envelope)
    polys = list(cells.geoms)
    # voronoi_polygons does not keep input order: match each point to the cell holding it.
    tree = shapely.STRtree(polys)
    pts = shapely.points(points)
    idx = tree.query(pts, predicate="intersects")
    owner = pd.Series(idx[1], index=idx[0]).groupby(level=0).first()
    return [shapely.intersection(polys[owner[i]], envelope) for i in range(len(points))]


#: Fill of a county that has no value on a map that says what that means (``missing``): a
#: light grey no colour scale in use here reaches.
MISSING_COLOUR = "rgba(205, 205, 205, 0.8)"


def choropleth(
    shapes: CountyShapes,
    values: pd.Series,
    *,
    title: str,
    hover: pd.Series | None = None,
    colorbar: str = "",
    colorscale: str = "YlOrRd",
    midpoint: float | None = None,
    missing: str | None = None,
) -> go.Figure:
    """A county choropleth of ``values`` (indexed by county code).

    With ``midpoint`` (e.g. 0 for z-scores on a diverging scale) the colour range is
    symmetric around it, so its colour means "neither" wherever the data lie.

    Counties without a value (absent or NaN) count as 0, unless ``missing`` names what their
    absence means (e.g. "no jobs in this activity"): they are then drawn in
    :data:`MISSING_COLOUR`, outside the colour scale, under that name in the legend.

    Drawn on plain lon/lat axes (one filled polygon trace per county, and a marker trace at the
    centroids carrying the colour bar and the hover text) rather than plotly's ``geo``
    subplot, which downloads a world map from a CDN and so fails offline.
    """
    from plotly.colors import sample_colorscale

    codes = [f["id"] for f in shapes.geojson["features"]]
    z = values.reindex(codes).astype(float)
    absent = z.isna().to_numpy() if missing is not None else np.zeros(len(z), dtype=bool)
    z = z.fillna(midpoint if midpoint is not None and missing is not None else 0.0)
    text = hover.reindex(codes).fillna("") if hover is not None else pd.Series(codes, index=codes)
    scaled = z[~absent]
    lo, hi = ((float(scaled.min()), float(scaled.max())) if len(scaled) else (0.0, 1.0))
    if midpoint is not None:
        half = max(abs(lo - midpoint), abs(hi - midpoint)) or 1.0
        lo, hi = midpoint - half, midpoint + half
    norm = (z - lo) / (hi - lo) if hi > lo else z * 0.0
    # a little lighter than the scale, so the counties' names stay legible on dark colours
    colours = [c.replace("rgb(", "rgba(").replace(")", ", 0.8)")
               for c in sample_colorscale(colorscale, list(norm))] if len(z) else []
    colours = [MISSING_COLOUR if a else c for a, c in zip(absent, colours, strict=True)]
    fig = go.Figure()
    cx, cy = [], []
    named_missing = False
    for feature, colour, is_absent in zip(shapes.geojson["features"], colours, absent,
                                          strict=True):
        geom = shape(feature["geometry"])
        xs: list[float | None] = []
        ys: list[float | None] = []
        for poly in getattr(geom, "geoms", [geom]):
            x, y = poly.exterior.coords.xy
            xs += [*x, None]
            ys += [*y, None]
        # the first county without a value names them all in the legend
        in_legend = bool(is_absent) and not named_missing
        named_missing |= in_legend
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour,
                                 line={"color": "#555", "width": 0.6}, hoverinfo="skip",
                                 name=missing if in_legend else None, showlegend=in_legend))
        c = geom.representative_point()
        cx.append(c.x)
        cy.append(c.y)
    shown = [f"{name}<br>{missing if a else f'{v:,.3f}'}"
             for name, v, a in zip(text, z, absent, strict=True)]
    fig.add_trace(go.Scatter(
        x=cx, y=cy, mode="markers+text", text=text.to_numpy(), showlegend=False,
        textposition="middle center", textfont={"size": 10, "color": "#1d2b2a"},
        marker={"size": 4, "color": z.to_numpy(), "colorscale": colorscale, "cmin": lo,
                "cmax": hi if hi > lo else lo + 1, "showscale": True, "opacity": 0.6,
                "colorbar": {"title": {"text": colorbar}}},
        hovertext=shown, hovertemplate="%{hovertext}<extra></extra>",
    ))
    mid_lat = float(np.mean(cy)) if cy else 32.0
    fig.update_xaxes(visible=False)
    # lon/lat on equal footing at this latitude: a degree of longitude is cos(lat) shorter
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / np.cos(np.radians(mid_lat)))
    fig.update_layout(title={"text": title}, margin={"l": 0, "r": 0, "t": 56, "b": 0},
                      height=480, plot_bgcolor="white",
                      # the counties without a value are named under the map, away from the
                      # colour bar at its side
                      legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0,
                              "yanchor": "top"})
    return fig
