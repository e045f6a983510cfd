"""Documents as PDF: the same Jinja environment as the pages, print CSS, WeasyPrint.

WeasyPrint lays out with Pango, so the image needs libpango and a font with every Vietnamese
letter (fonts-liberation2: Liberation Serif, metric-compatible with Times New Roman).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from app.config import ROOT
from app.documents import charts
from app.web.templating import env

CSS = (Path(ROOT) / "templates" / "documents" / "_print.css").read_text(encoding="utf-8")


def chart_svg(chart: charts.BarChart) -> Markup:
    """A chart as inline SVG (built from escaped text by app.documents.charts)."""
    return Markup(charts.svg(chart))  # noqa: S704 - every text in it is escaped


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A template of templates/documents/ rendered to PDF."""
    from weasyprint import HTML

    html = env.get_template(template).render(css=Markup(CSS), chart_svg=chart_svg, **context)  # noqa: S704
    pdf: bytes = HTML(string=html, base_url=str(ROOT)).write_pdf()
    return pdf
