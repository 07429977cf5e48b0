"""Static stills of the plotly figures a plan uses, for the PDF (no browser needed).

plotly draws in the browser; its own static export (kaleido) needs a Chrome at run time and is
not a dependency. The PDF plan only needs a faithful still of a few figure kinds, so they are
drawn here directly as HTML fragments for WeasyPrint:

- a single bar trace: HTML rows (label, bar, value), so Persian labels are shaped and ordered by
  the text engine;
- scatter and line traces (``None`` breaks a line, as in plotly; ``fill="toself"`` polygons;
  per-point colours, sizes and square markers), point maps (``scattergeo``/``scattermap``/
  ``scattermapbox`` by lon/lat) and choropleths of GeoJSON polygons (``choropleth``/
  ``choroplethmap``/``choroplethmapbox``): one SVG canvas. Maps — the map traces, axes tied by
  ``scaleanchor`` or lon/lat inside Iran's extent — keep their proportions (equirectangular,
  lon scaled by cos(mean latitude)) and have no axes.

The SVG holds only shapes and numbers (tick labels): WeasyPrint draws SVG text without the
bidirectional algorithm or ZWNJ, so Persian words there come out in the wrong order. Titles,
axis titles, legends and Persian category labels (numbered on the axis, named in a key) are
HTML around the SVG. Any other figure kind becomes a note that points to the HTML plan, so
nothing is drawn wrongly.
"""

from __future__ import annotations

import base64
import math
import re
from html import escape
from typing import Any

import numpy as np
from plotly.colors import hex_to_rgb, sample_colorscale

from khooshe.reports.model import Figure
from khooshe.text.digits import to_persian_digits
from khooshe.text.messages import t as message
from khooshe.text.numbers import format_number, signed

WIDTH, HEIGHT = 760, 420
PALETTE = ("#2a7f62", "#d9822b", "#3c6fb4", "#b43c5a", "#7a5bb4", "#8c8c2b", "#2b8c8c",
           "#b47a3c", "#5a5a5a", "#c2477f")


def _num(v: float, lang: str) -> str:
    """A number for the HTML around a still (an LRM keeps a minus sign on the left in RTL)."""
    decimals = 0 if abs(v) >= 100 or v == round(v) else (1 if abs(v) >= 1 else 2)
    return signed(format_number(float(v), lang, decimals))


def _text(x: float, y: float, s: object, lang: str, *, size: int = 11, anchor: str = "middle",
          weight: str = "normal", fill: str = "#1d2b2a") -> str:
    body = escape(to_persian_digits(s) if lang == "fa" else str(s))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{body}</text>')


def _tick_labels(ticks: np.ndarray, lang: str) -> list[str]:
    """Labels of ``ticks`` with as many decimals as their step needs (0.25 → ``0.25``, not
    ``0.3``), the same for every tick."""
    for decimals in range(7):
        scaled = ticks * 10**decimals
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6 * max(1.0, *abs(scaled))):
            break
    return [format_number(float(t), lang, decimals) for t in ticks]


def _ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    if not np.isfinite([lo, hi]).all() or hi <= lo:
        hi = lo + 1.0
    step = 10 ** math.floor(math.log10((hi - lo) / n))
    for m in (1, 2, 2.5, 5, 10):
        if (hi - lo) / (step * m) <= n:
            step *= m
            break
    return np.arange(math.floor(lo / step) * step, hi + step * 0.5, step)


def _sample(scale, values: list[float]) -> list[str]:
    """Colours of ``values`` (0–1) on a plotly colour scale (a name or [pos, colour] pairs)."""
    if not isinstance(scale, str):  # a figure stores hex colours, which sample_colorscale rejects
        scale = [[pos, "rgb({}, {}, {})".format(*hex_to_rgb(c)) if c.startswith("#") else c]
                 for pos, c in scale]
    return sample_colorscale(scale, values)


def _colour(trace, i: int) -> str:
    c = getattr(trace.marker, "color", None) if hasattr(trace, "marker") else None
    return c if isinstance(c, str) else PALETTE[i % len(PALETTE)]


def _svg(body: list[str], height: int = HEIGHT) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="Vazirmatn, \'Noto Sans Arabic\', '
            f'\'DejaVu Sans\', sans-serif">')
    return "".join([head, *body, "</svg>"])


def _bar(fig, lang: str) -> str:
    """A bar chart as HTML rows: label, bar, value (Persian labels shaped by the text engine)."""
    trace = fig.data[0]
    horizontal = trace.orientation == "h"
    labels = list(_array(trace.y if horizontal else trace.x))
    values = _floats(trace.x if horizontal else trace.y)
    top = max(float(np.nanmax(values)) if np.isfinite(values).any() else 0.0, 0.0) or 1.0
    colours = _array(trace.marker.color)
    if isinstance(colours, str) or colours is None or len(colours) != len(values) or not all(
            isinstance(c, str) for c in colours):
        colours = [_colour(trace, 0)] * len(values)
    rows = []
    for lab, v, colour in zip(labels, values, colours, strict=True):
        width = 0.0 if not np.isfinite(v) else max(100.0 * v / top, 0.0)
        label = escape(to_persian_digits(lab) if lang == "fa" else str(lab))
        value = _num(v, lang) if np.isfinite(v) else ""
        rows.append(f'<tr><td class="bar-label">{label}</td><td class="bar-cell">'
                    f'<div class="bar" style="width:{width:.1f}%;background:{colour}"></div>'
                    f'</td><td class="num">{value}</td></tr>')
    axis = fig.layout.xaxis if horizontal else fig.layout.yaxis
    return f'<table class="bars">{"".join(rows)}</table>' + _axes_note(
        [(_word("values", lang), axis.title.text)], lang)


def _word(key: str, lang: str) -> str:
    """A word of the HTML around the stills (``reports.still.<key>``)."""
    return message(f"reports.still.{key}", lang)


def _shown(s: object, lang: str) -> str:
    return escape(to_persian_digits(s) if lang == "fa" else str(s))


def _axes_note(parts: list[tuple[str, str | None]], lang: str) -> str:
    """One muted line naming the axes (``axis: title``), when any has a title."""
    said = [f"{name}: {_shown(title, lang)}" for name, title in parts if title]
    return f'<p class="axes">{_word("separator", lang).join(said)}</p>' if said else ""


def _legend(items: list[tuple[str, str]], lang: str) -> str:
    spans = "".join(
        f'<span class="key"><i style="background:{c}"></i>{_shown(n, lang)}</span>'
        for n, c in items)
    return f'<div class="legend">{spans}</div>' if items else ""


_ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u066E-\u06D3\u06FA-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")


def _array(values) -> Any:
    """``values`` as given, or decoded when plotly holds them as a typed-array spec
    (``{"dtype": "f8", "bdata": base64}``, as after a copy or pickling in plotly ≥ 6).

    Any: a figure property holds whatever plotly accepts (None, a string, a list, an array)."""
    if isinstance(values, dict) and "bdata" in values:
        data = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values.get("dtype", "f8"))
        shape = values.get("shape")
        if shape:
            dims = [int(d) for d in str(shape).split(",")] if not isinstance(shape, list) else shape
            data = data.reshape(dims)
        return data
    return values


def _floats(values) -> np.ndarray:
    values = _array(values)
    if values is None:
        return np.empty(0)
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return values.astype(float)
    return np.asarray([np.nan if v is None else v for v in values], dtype=float)


POINT_MAPS = {"scattergeo", "scattermap", "scattermapbox"}
AREA_MAPS = {"choropleth", "choroplethmap", "choroplethmapbox"}
XY = {"scatter"} | POINT_MAPS | AREA_MAPS


def _feature_id(feature: dict, key: str | None) -> object:
    if not key or key == "id":
        return feature.get("id")
    node: object = feature
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _areas(trace) -> list[tuple[list[np.ndarray], float]]:
    """The polygons (lon/lat rings) and value of each location of a choropleth trace."""
    geojson = trace.geojson
    if not isinstance(geojson, dict):
        return []
    features = geojson.get("features", [])
    by_id = {str(_feature_id(f, trace.featureidkey)): f for f in features}
    out = []
    locations = _array(trace.locations)
    for loc, z in zip([] if locations is None else locations, _floats(trace.z), strict=False):
        feature = by_id.get(str(loc))
        if feature is None:
            continue
        rings = [np.asarray(r, dtype=float)[:, :2] for r in _rings(feature["geometry"]) if len(r)]
        out.append((rings, float(z)))
    return out


def _scale_colours(trace, values: np.ndarray, scale_owner) -> tuple[list[str], float, float]:
    """Colours of ``values`` on the trace's colour scale (its cmin/cmax or zmin/zmax when set)."""
    scale = scale_owner.colorscale or "Viridis"
    lo = getattr(scale_owner, "cmin", None)
    hi = getattr(scale_owner, "cmax", None)
    if lo is None:
        lo = getattr(trace, "zmin", None)
    if hi is None:
        hi = getattr(trace, "zmax", None)
    finite = values[np.isfinite(values)]
    lo = float(np.min(finite)) if lo is None and len(finite) else float(lo or 0.0)
    hi = float(np.max(finite)) if hi is None and len(finite) else float(hi if hi is not None
                                                                         else 1.0)
    norm = np.clip((values - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0)
    return _sample(scale, list(np.nan_to_num(norm))), lo, hi


def _xy(fig, lang: str) -> str:
    """Scatter/line traces, point maps and choropleths on one SVG canvas, with HTML around."""
    traces = list(fig.data)
    geographic = any(t.type != "scatter" for t in traces) or fig.layout.yaxis.scaleanchor == "x"
    # coordinates of every trace (lon/lat for map traces)
    series: list[tuple[Any, np.ndarray, np.ndarray]] = []  # (plotly trace, x, y)
    cats: list[str] = []
    raw_x = [list(_array(t.x)) if t.type == "scatter" and t.x is not None else []
             for t in traces]
    categorical = any(isinstance(v, str) for xs in raw_x for v in xs)
    if categorical:
        cats = list(dict.fromkeys(str(v) for xs in raw_x for v in xs if v is not None))
        order = fig.layout.xaxis.categoryarray
        if order is not None and len(order):  # the figure's own order, as plotly draws it
            cats = [str(c) for c in order] + [c for c in cats
                                              if c not in {str(o) for o in order}]
        elif fig.layout.xaxis.categoryorder == "category ascending":
            cats = sorted(cats)
    areas: list[tuple[Any, list[tuple[list[np.ndarray], float]]]] = []  # (trace, polygons)
    for t, xs in zip(traces, raw_x, strict=True):
        if t.type == "scatter":
            x = (np.asarray([np.nan if v is None else cats.index(str(v)) for v in xs], float)
                 if categorical else _floats(xs))
            series.append((t, x, _floats(t.y)))
        elif t.type in POINT_MAPS:
            series.append((t, _floats(t.lon), _floats(t.lat)))
        else:
            areas.append((t, _areas(t)))
    xs_all = [x for _, x, _ in series] + [r[:, 0] for _, a in areas for rs, _ in a for r in rs]
    ys_all = [y for _, _, y in series] + [r[:, 1] for _, a in areas for rs, _ in a for r in rs]
    allx = np.concatenate(xs_all) if xs_all else np.empty(0)
    ally = np.concatenate(ys_all) if ys_all else np.empty(0)
    ok = np.isfinite(allx) & np.isfinite(ally) if len(allx) == len(ally) else np.zeros(0, bool)
    if not ok.any():
        return _unsupported(lang)
    xlo, xhi = float(np.nanmin(allx[np.isfinite(allx)])), float(np.nanmax(allx[np.isfinite(allx)]))
    ylo, yhi = float(np.nanmin(ally[np.isfinite(ally)])), float(np.nanmax(ally[np.isfinite(ally)]))
    geographic = geographic or (not categorical and _looks_like_lonlat(xlo, xhi, ylo, yhi))
    height = HEIGHT
    body: list[str] = []
    key: list[str] = []
    if geographic:  # keep the map's proportions (lon scaled by cos lat), no axes
        k = math.cos(math.radians((ylo + yhi) / 2))
        x0, x1 = 10.0, WIDTH - 10.0
        s = (x1 - x0) / max((xhi - xlo) * k, 1e-9)
        # as tall as the map needs, between 240 and 560 px
        height = int(min(max((yhi - ylo) * s + 20.0, 240.0), 560.0))
        s = min(s, (height - 20.0) / max(yhi - ylo, 1e-9))
        y0 = height - 10.0
        x0 = x0 + ((x1 - x0) - (xhi - xlo) * k * s) / 2  # centred

        def px(v):
            return x0 + (v - xlo) * k * s

        def py(v):
            return y0 - (v - ylo) * s
    else:
        x0, x1, y0, y1 = 60.0, WIDTH - 20.0, HEIGHT - 40.0, 20.0
        yticks = _ticks(ylo, yhi)
        ylo, yhi = yticks[0], yticks[-1]
        if categorical:
            xlo, xhi = -0.5, len(cats) - 0.5
        else:
            xticks = _ticks(xlo, xhi)
            xlo, xhi = xticks[0], xticks[-1]

        def px(v):
            return x0 + (x1 - x0) * (v - xlo) / max(xhi - xlo, 1e-12)

        def py(v):
            return y0 - (y0 - y1) * (v - ylo) / max(yhi - ylo, 1e-12)

        for t, label in zip(yticks, _tick_labels(yticks, lang), strict=True):
            body.append(f'<line x1="{x0}" x2="{x1}" y1="{py(t):.1f}" y2="{py(t):.1f}" '
                        'stroke="#e3e8e7"/>')
            body.append(_text(x0 - 6, py(t) + 4, label, lang, size=10, anchor="end"))
        body.append(f'<line x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}" stroke="#9aa5a4"/>')
        if categorical:
            named = any(_ARABIC_LETTER.search(c) for c in cats)  # SVG text cannot order them
            step = max(1, math.ceil(len(cats) / 12))
            for i in range(0, len(cats), step):
                label = str(i + 1) if named else cats[i][:14]
                body.append(_text(px(i), y0 + 16, label, lang, size=10))
            if named:
                key = [f"{_shown(i + 1, lang)}: {_shown(c, lang)}" for i, c in enumerate(cats)]
        else:
            for t, label in zip(xticks, _tick_labels(xticks, lang), strict=True):
                body.append(_text(px(t), y0 + 16, label, lang, size=10))
    legend: list[tuple[str, str]] = []
    place_key: list[str] = []  # numbered points (county names on a map)

    def scale_legend(owner, lo: float, hi: float) -> None:
        """Five steps of a colour scale, each swatch with its value (the scale's name
        first)."""
        title = getattr(getattr(owner, "colorbar", None), "title", None)
        name = getattr(title, "text", None)
        steps = [0.0, 0.25, 0.5, 0.75, 1.0]
        colours = _sample(owner.colorscale or "Viridis", steps)
        prefix = f"{name}: " if name else ""
        legend.extend((prefix * (k == 0) + _num(lo + s * (hi - lo), lang), c)
                      for k, (s, c) in enumerate(zip(steps, colours, strict=True)))

    for t, polys in areas:
        if not polys:
            continue
        colours, lo, hi = _scale_colours(t, np.asarray([z for _, z in polys]), t)
        line = t.marker.line if t.marker is not None else None
        stroke = getattr(line, "color", None) or "#555"
        stroke = stroke if isinstance(stroke, str) else "#555"
        for (rings, _), colour in zip(polys, colours, strict=True):
            for ring in rings:
                d = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in ring)
                body.append(f'<polygon points="{d}" fill="{colour}" stroke="{stroke}" '
                            'stroke-width="0.6"/>')
        if t.showscale is not False:
            scale_legend(t, lo, hi)
    for i, (t, x, y) in enumerate(series):
        mode = t.mode or ("lines+markers" if len(x) < 20 else "markers")
        colour = _colour(t, i)
        finite = np.isfinite(x) & np.isfinite(y)
        if "lines" in mode or t.fill == "toself":
            line_colour = getattr(t.line, "color", None) or colour
            # runs of finite points; None/NaN breaks the line, as in plotly
            breaks = np.flatnonzero(~finite)
            for run in np.split(np.arange(len(x)), breaks):
                run = run[finite[run]]
                if len(run) < 2:
                    continue
                pts = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x[run], y[run],
                                                                           strict=True))
                filled = t.fill == "toself"
                fill = (t.fillcolor or colour) if filled else "none"
                width = getattr(t.line, "width", None) or 1.5
                stroke = line_colour if "lines" in mode or filled else "none"
                shape = "polygon" if filled else "polyline"
                dash = getattr(t.line, "dash", None)
                pattern = {"dot": "2,3", "dash": "6,4", "dashdot": "6,3,2,3"}.get(dash or "")
                dashed = f' stroke-dasharray="{pattern}"' if pattern and not filled else ""
                body.append(f'<{shape} points="{pts}" fill="{fill}" stroke="{stroke}" '
                            f'stroke-width="{width}"{dashed}/>')
        if "markers" in mode:
            marker = t.marker
            colours = _array(marker.color)
            n = len(x)
            if colours is not None and not isinstance(colours, str):
                c = np.asarray(colours)
                if c.dtype.kind in "fiu":
                    colours, lo, hi = _scale_colours(t, c.astype(float), marker)
                    if marker.showscale:
                        scale_legend(marker, lo, hi)
                else:
                    colours = [str(v) for v in c]
            else:
                colours = [colours or colour] * n
            sizes = _array(marker.size)
            sizes = (np.asarray(sizes, dtype=float) if isinstance(sizes, list | tuple | np.ndarray)
                     else np.full(n, float(sizes or 6)))
            opacity = marker.opacity if isinstance(marker.opacity, int | float) else 0.85
            square = marker.symbol == "square"
            for j in np.flatnonzero(finite):
                r = float(sizes[j]) / 2 if j < len(sizes) else 3.0
                cx, cy = px(x[j]), py(y[j])
                if square:
                    body.append(f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r:.1f}" '
                                f'height="{2 * r:.1f}" fill="{colours[j]}" '
                                f'fill-opacity="{opacity}"/>')
                else:
                    body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" '
                                f'fill="{colours[j]}" fill-opacity="{opacity}"/>')
        labels = _array(t.text)
        if "text" in mode and labels is not None and not isinstance(labels, str):
            # Persian words cannot go into the SVG: each point gets a number, named in a key
            for j in np.flatnonzero(finite):
                if j < len(labels) and str(labels[j]).strip():
                    number = len(place_key) + 1
                    label = _text(px(x[j]), py(y[j]) + 4, number, lang, size=10,
                                  weight="bold", fill="#1d2b2a")
                    # a white halo under the number keeps it legible on dark colours
                    body.append(label.replace("<text ", '<text stroke="white" '
                                              'stroke-width="3" stroke-linejoin="round" ', 1))
                    body.append(label)
                    place_key.append(f"{_shown(number, lang)}: {_shown(labels[j], lang)}")
        if t.name and t.showlegend is not False:
            shown_colour = (t.fillcolor if t.fill == "toself" and t.fillcolor
                            else colour if "markers" in mode
                            else getattr(t.line, "color", None) or colour)
            legend.append((t.name, shown_colour if isinstance(shown_colour, str) else colour))
    axes = "" if geographic else _axes_note(
        [(_word("x", lang), fig.layout.xaxis.title.text),
         (_word("y", lang), fig.layout.yaxis.title.text)],
        lang)
    cat_key = f'<p class="axes">{_word("separator", lang).join(key)}</p>' if key else ""
    places = (f'<p class="axes">{_word("separator", lang).join(place_key)}</p>'
              if place_key else "")
    return _svg(body, height) + axes + cat_key + places + _legend(legend[:16], lang)


def _looks_like_lonlat(xlo: float, xhi: float, ylo: float, yhi: float) -> bool:
    return 40 <= xlo <= xhi <= 65 and 24 <= ylo <= yhi <= 41  # Iran's extent


def _rings(geometry: dict) -> list[list]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    return []


def _unsupported(lang: str) -> str:
    """A note saying the chart is in the HTML plan."""
    return f'<p class="note">{escape(_word("unsupported", lang))}</p>'


def figure_static(figure: Figure, lang: str = "fa") -> str:
    """An HTML fragment (title, still, axis titles, legend) of ``figure`` for the PDF; see the
    module docstring for the kinds drawn."""
    fig = figure.figure
    kinds = {t.type for t in fig.data}
    if kinds == {"bar"} and len(fig.data) == 1:
        body = _bar(fig, lang)
    elif kinds and kinds <= XY:
        body = _xy(fig, lang)
    else:
        body = _unsupported(lang)
    return f'<figcaption>{escape(figure.title(lang))}</figcaption>{body}'
