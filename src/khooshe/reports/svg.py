"""Static stills of the plotly figures a plan uses, for the PDF (no browser needed).

plotly draws in the browser; its own static export (kaleido) needs a Chrome at run time. The
PDF plan only needs a faithful still of a few figure kinds, so they are drawn here directly as
HTML fragments for WeasyPrint: bar charts as HTML rows (so Persian labels are shaped and ordered
by the text engine), scatter and line charts (``None`` breaks a line, as in plotly; per-point
colours and sizes) and choropleths of GeoJSON polygons (equirectangular, lon scaled by
cos(mean latitude)) as SVG holding only shapes and numbers, with titles and legends in HTML
around them — SVG text in WeasyPrint is not shaped right-to-left, HTML text is. Anything else
becomes a titled box that points to the HTML plan, so nothing is drawn wrongly.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np
from plotly.colors import hex_to_rgb, sample_colorscale

from khooshe.io.persian import format_number, to_persian_digits
from khooshe.reports.model import Figure

WIDTH, HEIGHT = 760, 420
PALETTE = ("#2a7f62", "#d9822b", "#3c6fb4", "#b43c5a", "#7a5bb4", "#8c8c2b", "#2b8c8c",
           "#b47a3c", "#5a5a5a", "#c2477f")
UNSUPPORTED = {"fa": "این نمودار در plan.html آمده است.", "en": "This chart is in plan.html."}


def _num(v: float, lang: str) -> str:
    decimals = 0 if abs(v) >= 100 or v == round(v) else (1 if abs(v) >= 1 else 2)
    return format_number(float(v), lang, decimals)


def _text(x: float, y: float, s: object, lang: str, *, size: int = 11, anchor: str = "middle",
          weight: str = "normal", fill: str = "#1d2b2a") -> str:
    body = escape(to_persian_digits(s) if lang == "fa" else str(s))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{body}</text>')


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
    labels = list(trace.y if horizontal else trace.x)
    values = np.asarray(trace.x if horizontal else trace.y, dtype=float)
    top = max(float(np.nanmax(values)) if len(values) else 0.0, 0.0) or 1.0
    colour = _colour(trace, 0)
    rows = []
    for lab, v in zip(labels, values, strict=True):
        width = 0.0 if not np.isfinite(v) else max(100.0 * v / top, 0.0)
        label = escape(to_persian_digits(lab) if lang == "fa" else str(lab))
        rows.append(f'<tr><td class="bar-label">{label}</td><td class="bar-cell">'
                    f'<div class="bar" style="width:{width:.1f}%;background:{colour}"></div>'
                    f'</td><td class="num">{_num(v, lang)}</td></tr>')
    return f'<table class="bars">{"".join(rows)}</table>'


def _legend(items: list[tuple[str, str]], lang: str) -> str:
    spans = "".join(
        f'<span class="key"><i style="background:{c}"></i>'
        f'{escape(to_persian_digits(n) if lang == "fa" else str(n))}</span>'
        for n, c in items)
    return f'<div class="legend">{spans}</div>' if items else ""


def _scatter(fig, lang: str) -> str:
    traces = [t for t in fig.data if t.type == "scatter"]
    xs = [np.asarray([np.nan if v is None else v for v in t.x], dtype=object) for t in traces]
    categorical = any(isinstance(v, str) for x in xs for v in x)
    if categorical:
        cats = list(dict.fromkeys(str(v) for x in xs for v in x if v is not None))
        xs = [np.asarray([np.nan if v is None else cats.index(str(v)) for v in x], float)
              for x in xs]
    else:
        xs = [x.astype(float) for x in xs]
    ys = [np.asarray([np.nan if v is None else v for v in t.y], dtype=float) for t in traces]
    allx, ally = np.concatenate(xs), np.concatenate(ys)
    if not np.isfinite(allx).any():
        return _unsupported(lang)
    xlo, xhi = np.nanmin(allx), np.nanmax(allx)
    ylo, yhi = np.nanmin(ally), np.nanmax(ally)
    geographic = fig.layout.yaxis.scaleanchor == "x" or _looks_like_lonlat(xlo, xhi, ylo, yhi)
    x0, x1, y0, y1 = 60.0, WIDTH - 20.0, HEIGHT - 50.0, 40.0
    if geographic:  # keep the map's proportions (lon scaled by cos lat)
        k = math.cos(math.radians((ylo + yhi) / 2))
        sx = (x1 - x0) / max((xhi - xlo) * k, 1e-9)
        sy = (y0 - y1) / max(yhi - ylo, 1e-9)
        s = min(sx, sy)
        def px(v):
            return x0 + (v - xlo) * k * s
        def py(v):
            return y0 - (v - ylo) * s
    else:
        xt, yt = _ticks(xlo, xhi), _ticks(ylo, yhi)
        xlo, xhi, ylo, yhi = xt[0], xt[-1], yt[0], yt[-1]
        def px(v):
            return x0 + (x1 - x0) * (v - xlo) / max(xhi - xlo, 1e-12)
        def py(v):
            return y0 - (y0 - y1) * (v - ylo) / max(yhi - ylo, 1e-12)
    body: list[str] = []
    if not geographic:
        for t in _ticks(ylo, yhi):
            body.append(f'<line x1="{x0}" x2="{x1}" y1="{py(t):.1f}" y2="{py(t):.1f}" '
                        'stroke="#e3e8e7"/>')
            body.append(_text(x0 - 6, py(t) + 4, _num(t, lang), lang, size=9, anchor="end"))
        if categorical:
            step = max(1, len(cats) // 10)
            for i, c in enumerate(cats[::step]):
                body.append(_text(px(i * step), y0 + 14, c[:12], lang, size=9))
        else:
            for t in _ticks(xlo, xhi):
                body.append(_text(px(t), y0 + 14, _num(t, lang), lang, size=9))
    legend = []
    for i, (t, x, y) in enumerate(zip(traces, xs, ys, strict=True)):
        mode = t.mode or "markers"
        colour = _colour(t, i)
        if "lines" in mode:
            line_colour = getattr(t.line, "color", None) or colour
            parts, cur = [], []
            for a, b in zip(x, y, strict=True):
                if np.isfinite(a) and np.isfinite(b):
                    cur.append(f"{px(a):.1f},{py(b):.1f}")
                elif cur:
                    parts.append(cur)
                    cur = []
            if cur:
                parts.append(cur)
            filled = t.fill == "toself"
            for p in parts:
                shape = "polygon" if filled else "polyline"
                fill = (t.fillcolor or colour) if filled else "none"
                width = getattr(t.line, "width", None) or 1.2
                body.append(f'<{shape} points="{" ".join(p)}" fill="{fill}" '
                            f'stroke="{line_colour}" stroke-width="{width}"/>')
        if "markers" in mode:
            colours = t.marker.color
            sizes = t.marker.size
            if colours is not None and not isinstance(colours, str):
                c = np.asarray(colours)
                if c.dtype.kind in "fi":
                    scale = t.marker.colorscale or "Viridis"
                    norm = (c - np.nanmin(c)) / max(np.ptp(c), 1e-12)
                    colours = _sample(scale, list(np.nan_to_num(norm)))
                    if t.marker.showscale and len(c):  # the colour bar's ends, as a legend
                        ends = _sample(scale, [0.0, 1.0])
                        legend += [(_num(float(np.nanmin(c)), lang), ends[0]),
                                   (_num(float(np.nanmax(c)), lang), ends[1])]
                else:
                    colours = list(c)
            for j, (a, b) in enumerate(zip(x, y, strict=True)):
                if not (np.isfinite(a) and np.isfinite(b)):
                    continue
                fillc = colours[j] if isinstance(colours, list) else (colours or colour)
                r = sizes[j] if isinstance(sizes, list | tuple | np.ndarray) else (sizes or 6)
                body.append(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="{float(r) / 2:.1f}" '
                            f'fill="{fillc}" fill-opacity="0.8"/>')
        if t.name and t.showlegend is not False:
            legend.append((t.name, colour if "markers" in mode else
                           (getattr(t.line, "color", None) or colour)))
    return _svg(body) + _legend(legend[:16], lang)


def _looks_like_lonlat(xlo: float, xhi: float, ylo: float, yhi: float) -> bool:
    return 40 <= xlo <= xhi <= 65 and 24 <= ylo <= yhi <= 41  # Iran's extent


def _rings(geometry: dict) -> list[list]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    return []


def _choropleth(fig, lang: str) -> str:
    trace = fig.data[0]
    features = {f["id"]: f for f in trace.geojson["features"]}
    rings = {k: _rings(f["geometry"]) for k, f in features.items()}
    pts = np.asarray([p[:2] for rs in rings.values() for r in rs for p in r], dtype=float)
    if not len(pts):
        return _unsupported(lang)
    (xlo, ylo), (xhi, yhi) = pts.min(axis=0), pts.max(axis=0)
    k = math.cos(math.radians((ylo + yhi) / 2))
    x0, x1, y0, y1 = 20.0, WIDTH - 120.0, HEIGHT - 20.0, 40.0
    s = min((x1 - x0) / max((xhi - xlo) * k, 1e-9), (y0 - y1) / max(yhi - ylo, 1e-9))
    z = np.asarray(trace.z, dtype=float)
    lo, hi = float(np.nanmin(z)), float(np.nanmax(z))
    scale = trace.colorscale or "YlOrRd"
    colours = _sample(scale, list(np.nan_to_num((z - lo) / max(hi - lo, 1e-12))))
    body = []
    for loc, colour in zip(trace.locations, colours, strict=True):
        for ring in rings.get(loc, []):
            d = " ".join(f"{x0 + (p[0] - xlo) * k * s:.1f},{y0 - (p[1] - ylo) * s:.1f}"
                         for p in ring)
            body.append(f'<polygon points="{d}" fill="{colour}" stroke="#555" '
                        'stroke-width="0.6"/>')
    # colour bar
    for i, c in enumerate(_sample(scale, list(np.linspace(0, 1, 20)))):
        body.append(f'<rect x="{WIDTH - 90}" y="{y0 - 12 * (i + 1):.1f}" width="16" height="12" '
                    f'fill="{c}"/>')
    body.append(_text(WIDTH - 68, y0 - 2, _num(lo, lang), lang, size=9, anchor="start"))
    body.append(_text(WIDTH - 68, y0 - 232, _num(hi, lang), lang, size=9, anchor="start"))
    return _svg(body)


def _unsupported(lang: str) -> str:
    """A box saying the chart is in the HTML plan."""
    return f'<p class="note">{escape(UNSUPPORTED[lang])}</p>'


def figure_static(figure: Figure, lang: str = "fa") -> str:
    """An HTML fragment (title, still, legend) of ``figure`` for the PDF; see the module
    docstring for the kinds drawn."""
    fig = figure.figure
    kinds = {t.type for t in fig.data}
    if kinds == {"bar"} and len(fig.data) == 1:
        body = _bar(fig, lang)
    elif kinds == {"scatter"}:
        body = _scatter(fig, lang)
    elif kinds == {"choropleth"} and len(fig.data) == 1 and fig.data[0].geojson is not None:
        body = _choropleth(fig, lang)
    else:
        body = _unsupported(lang)
    return f'<figcaption>{escape(figure.title(lang))}</figcaption>{body}'
