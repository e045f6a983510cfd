"""A cooperative's result as a one- or two-page PDF, to print or send on Zalo.

The same stored score the result page shows (never recomputed), its chart as vector graphics,
the advice per dimension, the questionnaire version and date, and a QR code to the result
online (the portal asks whoever scans it to sign in).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from markupsafe import Markup

from app.documents import charts
from app.documents.pdf import render_pdf
from app.documents.report import number
from app.reports.comparison import Average
from app.scoring.engine import ScoreResult
from app.surveys.definition import Questionnaire
from app.web import i18n


def qr_svg(url: str) -> Markup:
    """A QR code of the URL as inline SVG (segno writes only its own markup)."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=3, border=2, dark="#000"))  # noqa: S704


def dimension_chart(
    questionnaire: Questionnaire, result: ScoreResult, province: Average
) -> charts.BarChart:
    """The response's score per dimension, the province mean beside each as text."""
    bars = []
    for dimension in questionnaire.dimensions:
        score = result.dimensions[dimension.key].score
        mean = province.dimensions.get(dimension.key)
        text = number(score) + (f" (tỉnh {number(mean)})" if mean is not None else "")
        bars.append(charts.Bar(dimension.title.vi, score, text, charts.PRIMARY))
    return charts.BarChart(
        "Điểm theo trụ cột",
        tuple(bars),
        reference=result.overall,
        reference_label=f"Điểm chung {number(result.overall)}",
    )


def result_pdf(
    *,
    cooperative_name: str,
    product_name: str | None,
    wave_name: str,
    questionnaire: Questionnaire,
    result: ScoreResult,
    submitted_at: dt.datetime | None,
    province: Average,
    url: str,
) -> bytes:
    """The PDF of one submitted response."""
    weakest_first = sorted(result.dimensions.values(), key=lambda d: d.score)
    advice: list[dict[str, Any]] = []
    for scored in weakest_first:
        dimension = questionnaire.dimension(scored.key)
        level = questionnaire.level(scored.level)
        advice.append(
            {
                "title": dimension.title.vi,
                "score": number(scored.score),
                "level": level.label.vi,
                "text": dimension.advice[scored.level].vi,
            }
        )
    return render_pdf(
        "documents/result.html",
        {
            "cooperative_name": cooperative_name,
            "product_name": product_name,
            "wave_name": wave_name,
            "title": questionnaire.title.vi,
            "version": questionnaire.version,
            "banded": questionnaire.banded,
            "overall": number(result.overall),
            "level": questionnaire.level(result.level).label.vi,
            "submitted": i18n.datetime(submitted_at, "vi") if submitted_at else "–",
            "chart": dimension_chart(questionnaire, result, province),
            "advice": advice,
            "qr": qr_svg(url),
            "url": url,
        },
    )
