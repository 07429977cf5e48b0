"""The plan as its readers see it: layout and language checks on the demo plans of Khuzestan
(06), Gilan (01) and Ardabil (24), in Persian and English.

- PDF: every word lies inside the page's content box (pdfplumber); no table row is split
  across pages (WeasyPrint's laid-out boxes); at most 30 pages for Khuzestan;
- HTML in Chromium: no table or figure is wider than its column, no chart text is clipped;
- figures: every time axis ascends;
- content: no shortlisted village gets an activity that does not suit a village; no hot spot
  in a county without the activity; the Persian plan has no Latin-script word outside code
  columns and proper names that exist only in Latin.

The plans are kept under ``tests/output/plans`` for a person to look at.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from _support import CHROMIUM, CHROMIUM_ARGS, require_browser
from khooshe.io.reference import activity_settings
from khooshe.reports import html as html_report
from khooshe.reports import pdf as pdf_report
from khooshe.services import plan as service
from khooshe.store.workspace import Workspace

PLANS = [("06", "fa"), ("06", "en"), ("01", "fa"), ("01", "en"), ("24", "fa"), ("24", "en")]
#: The content box of an A4 page (portrait and landscape) in points: @page margins of
#: plan.css (16 mm top, 12 mm sides, 18 mm bottom).
MM = 72 / 25.4
SIDE = 12 * MM
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def plans(demo_dir, output_dir):
    """Each (province, language) plan: the model, the PDF document and the written files."""
    out = {}
    ws = Workspace.open(demo_dir)
    try:
        for province, lang in PLANS:
            result = service.build_plan(ws, province, lang=lang,
                                        options=service.PlanOptions(permutations=99))
            folder = output_dir / "plans" / f"{province}-{lang}"
            folder.mkdir(parents=True, exist_ok=True)
            document = pdf_report.pdf_document(result.plan, lang)
            pdf_report.render_pdf(result.plan, folder / "plan.pdf", lang, document=document)
            html_report.render_html(result.plan, folder / "plan.html", lang=lang)
            out[province, lang] = (result, document, folder)
    finally:
        ws.close()
    return out


@pytest.mark.parametrize("key", PLANS, ids=[f"{p}-{lang}" for p, lang in PLANS])
def test_every_pdf_word_lies_inside_the_page(plans, key):
    import pdfplumber

    result, _, folder = plans[key]
    assert result.failed == {}, result.failed
    outside = []
    with pdfplumber.open(folder / "plan.pdf") as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for w in page.extract_words(keep_blank_chars=False):
                if (w["x0"] < SIDE - 1 or w["x1"] > page.width - SIDE + 1
                        or w["top"] < 0 or w["bottom"] > page.height):
                    outside.append((number, w["text"], round(w["x0"]), round(w["x1"])))
    assert not outside, outside[:20]


@pytest.mark.parametrize("key", PLANS, ids=[f"{p}-{lang}" for p, lang in PLANS])
def test_no_table_row_is_split_across_pages(plans, key):
    _, document, _ = plans[key]
    pages_of: dict[int, set[int]] = {}
    for number, page in enumerate(document.pages):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if type(box).__name__ == "TableRowGroupBox" and box.element_tag == "thead":
                continue  # the header row repeats on every page of its table
            if type(box).__name__ == "TableRowBox":
                pages_of.setdefault(id(box.element), set()).add(number)
            stack.extend(getattr(box, "children", []))
    split = [pages for pages in pages_of.values() if len(pages) > 1]
    assert not split, f"{len(split)} row(s) split across pages, e.g. pages {sorted(split[0])}"


def test_the_khuzestan_plan_fits_in_30_pages(plans):
    for lang in ("fa", "en"):
        assert len(plans["06", lang][1].pages) <= 30, lang


def _years(values) -> list[int] | None:
    """The values as years when they all look like years (Jalali or Gregorian)."""
    out = []
    for v in values:
        text = re.sub(r"[۰-۹]", lambda m: str("۰۱۲۳۴۵۶۷۸۹".index(m.group())), str(v))
        if not re.fullmatch(r"(13|14|19|20)\d\d", text):
            return None
        out.append(int(text))
    return out or None


@pytest.mark.parametrize("key", PLANS, ids=[f"{p}-{lang}" for p, lang in PLANS])
def test_every_time_axis_ascends(plans, key):
    result, _, _ = plans[key]
    for section in result.plan.sections:
        for fig in section.figures:
            for trace in fig.figure.data:
                for axis in ("x", "y"):
                    values = trace[axis]
                    years = _years([] if values is None else list(values))
                    if years and len(years) > 1:
                        assert years == sorted(years), (fig.key, trace.name, axis, years)
            # a categorical axis lists its categories as they first appear across the
            # traces unless the figure orders them
            for axis in ("x", "y"):
                layout = fig.figure.layout[f"{axis}axis"]
                if layout.categoryarray is not None and len(layout.categoryarray):
                    shown = list(layout.categoryarray)
                elif layout.categoryorder == "category ascending":
                    continue
                else:
                    shown = list(dict.fromkeys(
                        v for trace in fig.figure.data
                        for v in ([] if trace[axis] is None else list(trace[axis]))))
                    if not all(isinstance(v, str) for v in shown):
                        continue  # numbers make a linear axis, which plotly sorts
                years = _years(shown)
                if years and len(years) > 1:
                    assert years == sorted(years), (fig.key, axis, years)


def _table(result, key: str) -> pd.DataFrame:
    return next(t.frame for s in result.plan.sections for t in s.tables if t.key == key)


@pytest.mark.parametrize("province", ["06", "01", "24"])
def test_villages_get_only_village_scale_activities(plans, province):
    result, _, _ = plans[province, "fa"]
    shortlist = _table(result, "village_shortlist")
    settings = activity_settings()
    assert len(shortlist)
    assert (shortlist["activity"].map(settings) == "village").all()


@pytest.mark.parametrize("province", ["06", "01", "24"])
def test_a_hot_spot_has_jobs_in_its_activity(plans, province):
    result, _, _ = plans[province, "fa"]
    spots = _table(result, "hot_spots")
    assert len(spots) and set(spots["spot_en"]) <= {"hot spot", "next to a hot spot",
                                                    "cold spot"}
    hot = spots[spots["spot_en"] == "hot spot"]
    assert (hot["value"] > 0).all(), hot


def _code_columns(table) -> set[str]:
    return {c for c in table.frame.columns
            if re.search(r"(^|_)(code|id|isic|hs6|iso3|market|cluster|exporter|importer)$", c)}


@pytest.mark.parametrize("province", ["06", "01", "24"])
def test_the_persian_plan_has_no_latin_words(plans, province):
    """Text, headers and cells of the Persian plan, code columns aside."""
    result, _, _ = plans[province, "fa"]
    found = []
    for section in result.plan.sections:
        texts = [section.title("fa"), *section.paragraphs("fa")]
        texts += [f.title("fa") for f in section.figures]
        for t in section.tables:
            shown = t.shown_columns("fa")
            texts += [t.title("fa"), t.note("fa"), *t.headers("fa", shown)]
            codes = _code_columns(t)
            for col in shown:
                if col not in codes:  # as the reader sees the cell
                    texts += [html_report.cell(v, "fa")[0]
                              for v in t.frame[col].head(t.max_rows_html or None)]
        for text in texts:
            found += [(section.key, w, text[:60]) for w in LATIN_WORD.findall(text or "")]
        # a sentence writes its numbers in Persian digits, years included (codes such as
        # E0009568 or (06) keep theirs: runs of 4 or more Latin digits not touching a letter)
        for text in section.paragraphs("fa"):
            found += [(section.key, w, text[:60])
                      for w in re.findall(r"(?<![A-Za-z\d])[0-9]{4,}(?![A-Za-z\d])", text)]
    assert not found, found[:30]


@pytest.mark.parametrize("key", PLANS, ids=[f"{p}-{lang}" for p, lang in PLANS])
def test_in_chromium_nothing_overflows_and_no_chart_text_is_clipped(plans, key, output_dir):
    require_browser()
    from playwright.sync_api import sync_playwright

    _, _, folder = plans[key]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
            ("file:", "data:", "blob:")) else route.continue_())
        page.goto((folder / "plan.html").as_uri())
        page.wait_for_timeout(500)
        problems = page.evaluate("""() => {
            const out = [];
            const main = document.querySelector('main') || document.body;
            const box = main.getBoundingClientRect();
            for (const el of document.querySelectorAll('table, figure, .js-plotly-plot')) {
                const r = el.getBoundingClientRect();
                const wrap = el.parentElement;
                const scrolls = wrap && wrap.scrollWidth > wrap.clientWidth + 1 &&
                    getComputedStyle(wrap).overflowX !== 'visible';
                if (r.left < box.left - 1 || r.right > box.right + 1)
                    out.push(['wider than the page', el.tagName, el.id || el.className,
                              Math.round(r.left), Math.round(r.right)]);
                else if (scrolls && el.tagName !== 'TABLE')
                    out.push(['scrolls', el.tagName, el.id || el.className]);
            }
            for (const plot of document.querySelectorAll('.js-plotly-plot')) {
                const pr = plot.getBoundingClientRect();
                for (const t of plot.querySelectorAll('text')) {
                    if (!t.textContent.trim()) continue;
                    const r = t.getBoundingClientRect();
                    if (r.width === 0) continue;
                    if (r.left < pr.left - 1 || r.right > pr.right + 1 ||
                        r.top < pr.top - 1 || r.bottom > pr.bottom + 1)
                        out.push(['clipped chart text', plot.id, t.textContent.slice(0, 30),
                                  Math.round(r.left - pr.left), Math.round(pr.right - r.right)]);
                }
            }
            return out;
        }""")
        page.screenshot(path=str(folder / "plan.png"), full_page=False)
        browser.close()
    assert not problems, problems[:20]


@pytest.mark.parametrize("province", ["06", "01", "24"])
def test_the_hot_spot_map_sets_apart_counties_without_the_activity(plans, province):
    """A county with no jobs in the activity is not painted as its hot spot, however high the
    z its neighbours give it: the map draws it grey, named in the legend, as the table calls
    it "next to a hot spot"."""
    from khooshe.services.maps import MISSING_COLOUR

    result, _, _ = plans[province, "fa"]
    fig = next(f.figure for s in result.plan.sections for f in s.figures
               if f.key == "hot_spot_map")
    *counties, markers = fig.data
    grey = [c.fillcolor == MISSING_COLOUR for c in counties]
    assert grey == [h.endswith("بدون شاغل در این فعالیت") for h in markers.hovertext]
    assert [c.name for c in counties if c.showlegend] == ["بدون شاغل در این فعالیت"] * any(grey)
    spots = _table(result, "hot_spots")
    spots = spots[spots["isic"] == _table(result, "strong_clusters")["isic"].iloc[0]]
    painted = dict(zip(markers.text, grey, strict=True))
    assert len(spots)
    for name, jobs in zip(spots["name_fa"], spots["value"], strict=True):
        assert painted[name] == (jobs == 0), (name, jobs)
