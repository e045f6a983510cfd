"""A submitted response's result as a PDF: for its manager, and for advisors from the profile."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.documents.result import result_pdf
from app.reports import comparison
from app.responses.models import ResponseStatus
from app.scoring.engine import ScoreResult
from app.web.deps import DbSession, Respondent
from app.web.routes.responses import Loaded

router = APIRouter(include_in_schema=False)


@router.get("/responses/{response_id}/result.pdf")
def result_download(
    request: Request, session: DbSession, user: Respondent, response_id: int
) -> Response:
    loaded = Loaded(session, user, response_id)
    response = loaded.response
    if response.status != ResponseStatus.SUBMITTED or response.score_detail is None:
        return RedirectResponse(f"/responses/{response_id}", status_code=303)
    _, _, province = comparison.district_and_province(
        session,
        wave_id=response.wave_id,
        key=response.questionnaire_key,
        cooperative=loaded.cooperative,
    )
    body = result_pdf(
        cooperative_name=loaded.cooperative.name,
        product_name=loaded.product.name if loaded.product else None,
        wave_name=loaded.wave.name,
        questionnaire=loaded.questionnaire,
        result=ScoreResult.from_json(response.score_detail),
        submitted_at=response.submitted_at,
        province=province,
        url=str(request.url_for("result", response_id=response_id)),
    )
    name = f"htxso-ket-qua-{loaded.cooperative.registration_code}-{response.questionnaire_key}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
