"""A plan as PDF (WeasyPrint): the HTML view with figures drawn as static SVG.

Persian text needs a font with Arabic-script shaping; the project's setup installs Debian's
``fonts-noto-core`` (Noto Sans/Naskh Arabic) and the stylesheet also names Vazirmatn and DejaVu
Sans, so whatever of these the machine has is used. WeasyPrint shapes and orders RTL text
(HarfBuzz/Pango).
"""

from __future__ import annotations

from pathlib import Path

from khooshe.io.tables import atomic_path
from khooshe.reports.html import _asset, font_faces, render, view
from khooshe.reports.model import Plan
from khooshe.reports.svg import figure_static


def pdf_document(plan: Plan, lang: str = "fa"):
    """The laid-out pages of ``plan`` (a WeasyPrint ``Document``: the layout checks of the
    tests read its boxes; :func:`render_pdf` writes it)."""
    from weasyprint import HTML

    context = view(plan, lang, lambda f: figure_static(f, lang))
    return HTML(string=render(context, font_faces(embed=False) + _asset("plan.css"))).render()


def render_pdf(plan: Plan, path: str | Path, lang: str = "fa", document=None) -> Path:
    """Write ``plan`` (or its already laid-out ``document``) as a PDF; returns the path."""
    document = document if document is not None else pdf_document(plan, lang)
    with atomic_path(path) as tmp:
        document.write_pdf(tmp)
    return Path(path)
