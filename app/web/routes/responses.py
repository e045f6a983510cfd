"""Filling in, reviewing, submitting and reading the result of a questionnaire."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.permissions import Capability
from app.advice import service as advice
from app.areas.models import Area
from app.audit import service as audit
from app.cooperatives import service as cooperatives
from app.cooperatives.models import Cooperative, Product
from app.db import Database
from app.errors import Invalid
from app.messages import N_, Message
from app.reports import comparison
from app.responses import service as responses
from app.responses.models import ResponseStatus, Wave
from app.scoring.engine import ScoreResult, missing_required, visible_codes
from app.surveys import service as surveys
from app.surveys.definition import Question
from app.web import flash, i18n
from app.web.deps import (
    DbSession,
    Posted,
    Respondent,
    admit,
    get_db,
    reads_then_writes,
    signed_in_user,
)
from app.web.templating import is_htmx, render, request_locale

router = APIRouter()


class Loaded:
    """A response the user may see, with its questionnaire and answers.

    Its subject and wave are read when first asked for: saving an answer needs neither.
    """

    def __init__(self, session: Session, user: User, response_id: int) -> None:
        self.session = session
        self.visible = accounts.accessible_cooperative_ids(session, user=user)
        self.response, self.questionnaire = responses.get_response_to_fill(
            session, response_id=response_id, visible=self.visible
        )
        self.answers = responses.load_answers(
            session, response=self.response, questionnaire=self.questionnaire
        )

    @cached_property
    def _subject(self) -> tuple[Cooperative, Area]:
        return cooperatives.get_cooperative(
            self.session, cooperative_id=self.response.cooperative_id, visible=self.visible
        )

    @property
    def cooperative(self) -> Cooperative:
        return self._subject[0]

    @property
    def area(self) -> Area:
        return self._subject[1]

    @cached_property
    def product(self) -> Product | None:
        if self.response.product_id is None:
            return None
        return cooperatives.get_product(
            self.session, product_id=self.response.product_id, cooperative_id=self.cooperative.id
        )

    @cached_property
    def wave(self) -> Wave:
        return responses.get_wave(self.session, wave_id=self.response.wave_id)

    @property
    def dimension_keys(self) -> list[str]:
        return [d.key for d in self.questionnaire.dimensions]

    def question(self, code: str) -> Question:
        try:
            return self.questionnaire.question(code)
        except KeyError:
            raise Invalid(N_("No such question in this questionnaire.")) from None

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "response": self.response,
            "questionnaire": self.questionnaire,
            "answers": self.answers,
            "cooperative": self.cooperative,
            "area": self.area,
            "product": self.product,
            "wave": self.wave,
            "steps": len(self.dimension_keys),
            "progress": responses.progress(self.questionnaire, self.answers),
            "wave_open": self.wave.status == "open",
        } | extra


def _step_page(
    request: Request,
    loaded: Loaded,
    step: int,
    errors: dict[str, Message] | None = None,
    status_code: int = 200,
    entered: dict[str, list[str]] | None = None,
    from_review: bool = False,
) -> Response:
    keys = loaded.dimension_keys
    step = min(max(step, 1), len(keys))
    dimension = loaded.questionnaire.dimension(keys[step - 1])
    return render(
        request,
        "responses/fill.html",
        loaded.context(
            step=step,
            dimension=dimension,
            questions=loaded.questionnaire.questions_by_dimension[dimension.key],
            visible=visible_codes(loaded.questionnaire, loaded.answers),
            errors=errors or {},
            entered=entered or {},
            from_review=from_review,
        ),
        status_code=status_code,
    )


@router.post("/fill/start")
def start(
    request: Request,
    session: DbSession,
    user: Respondent,
    key: Annotated[str, Form(max_length=32)],
    cooperative_id: Annotated[int, Form()],
    product_id: Annotated[int | None, Form()] = None,
) -> Response:
    visible = accounts.accessible_cooperative_ids(session, user=user)
    cooperative, _ = cooperatives.get_cooperative(
        session, cooperative_id=cooperative_id, visible=visible
    )
    if product_id is not None:
        cooperatives.get_product(session, product_id=product_id, cooperative_id=cooperative.id)
    wave = responses.open_wave(session)
    if wave is None:
        raise Invalid(N_("No assessment wave is open now."))
    response = responses.start(
        session, wave=wave, key=key, cooperative_id=cooperative.id, product_id=product_id, user=user
    )
    return RedirectResponse(f"/responses/{response.id}", status_code=303)


@router.get("/responses/{response_id}")
def resume(session: DbSession, user: Respondent, response_id: int) -> Response:
    """Where a response continues: its result once submitted, else the step last worked on."""
    loaded = Loaded(session, user, response_id)
    if loaded.response.status == ResponseStatus.SUBMITTED:
        return RedirectResponse(f"/responses/{response_id}/result", status_code=303)
    step = max(loaded.response.last_step, 1)
    return RedirectResponse(f"/responses/{response_id}/steps/{step}", status_code=303)


@router.get("/responses/{response_id}/steps/{step}")
def step_page(
    request: Request, session: DbSession, user: Respondent, response_id: int, step: int
) -> Response:
    loaded = Loaded(session, user, response_id)
    if loaded.response.status == ResponseStatus.SUBMITTED:
        return RedirectResponse(f"/responses/{response_id}/result", status_code=303)
    return _step_page(
        request, loaded, step, from_review=request.query_params.get("from") == "review"
    )


@router.post("/responses/{response_id}/answers/{code}")
@reads_then_writes
async def save_answer(request: Request, response_id: int, code: str) -> Response:
    """Save one answer (htmx, on change) and say which questions appeared or disappeared.

    The busiest route of the portal. Its work goes to the thread pool in one trip, not one
    per dependency (each trip costs as much as a query); everything is read in a snapshot,
    and only the write itself holds the write lock (see `reads_then_writes`).
    """
    form = await request.form()
    return await run_in_threadpool(_save_answer, request, form, response_id, code)


def _save_answer(request: Request, form: FormData, response_id: int, code: str) -> Response:
    db = get_db(request)
    with db.read_sessions() as session:
        user = admit(signed_in_user(request, session), Capability.RESPOND)
        loaded = Loaded(session, user, response_id)
        # End the snapshot before writing: its connection goes back to the pool before the
        # write takes one. (The session stays open, as a request's does, for the rendering.)
        session.commit()
        return _saved(request, db, loaded, loaded.question(code), form.getlist(code))


def _saved(
    request: Request, db: Database, loaded: Loaded, question: Question, posted: list[Any]
) -> Response:
    before = visible_codes(loaded.questionnaire, loaded.answers)
    step = loaded.dimension_keys.index(question.dimension) + 1
    raw = [v for v in posted if isinstance(v, str)]
    fragment = {"response": loaded.response, "answers": loaded.answers, "question": question}
    try:
        with db.transaction() as writer:
            value = responses.save_answer(
                writer, response=loaded.response, question=question, raw=raw, step=step
            )
    except Invalid as exc:
        return render(
            request,
            "responses/_saved.html",
            fragment | {"error": exc, "saved": False},
            status_code=422,
        )
    if value is None:
        loaded.answers.pop(question.code, None)
    else:
        loaded.answers[question.code] = value
    after = visible_codes(loaded.questionnaire, loaded.answers)
    changed = [
        q
        for q in loaded.questionnaire.questions_by_dimension[question.dimension]
        if (q.code in before) != (q.code in after)
    ]
    return render(
        request,
        "responses/_saved.html",
        fragment
        | {
            "error": None,
            "changed": changed,
            "saved": True,
            "visible": after,
            "errors": {},
            "progress": responses.progress(loaded.questionnaire, loaded.answers, after),
            "required_empty": question.required and value is None and question.code in after,
        },
    )


@router.post("/responses/{response_id}/steps/{step}")
def save_step(
    request: Request,
    session: DbSession,
    user: Respondent,
    form: Posted,
    response_id: int,
    step: int,
) -> Response:
    """Without JavaScript: save every answer of a step, then go on (or show what is wrong)."""
    loaded = Loaded(session, user, response_id)
    keys = loaded.dimension_keys
    step = min(max(step, 1), len(keys))
    dimension = keys[step - 1]
    shown_before = visible_codes(loaded.questionnaire, loaded.answers)
    from_review = form.get("from") == "review"
    errors: dict[str, Message] = {}
    entered: dict[str, list[str]] = {}  # refused input, shown again beside its message
    for question in loaded.questionnaire.questions_by_dimension[dimension]:
        if question.code not in shown_before and question.code not in form:
            continue
        raw = [v for v in form.getlist(question.code) if isinstance(v, str)]
        try:
            value = responses.save_answer(
                session, response=loaded.response, question=question, raw=raw, step=step
            )
        except Invalid as exc:
            errors[question.code] = exc.message
            entered[question.code] = raw
            continue
        if value is None:
            loaded.answers.pop(question.code, None)
        else:
            loaded.answers[question.code] = value
    shown_after = visible_codes(loaded.questionnaire, loaded.answers)
    on_step = loaded.questionnaire.questions_by_dimension[dimension]
    appeared = [q for q in on_step if q.code in shown_after and q.code not in shown_before]
    if form.get("action") != "leave":
        for q in on_step:
            if q.code in shown_after and q.required and q.code not in loaded.answers:
                errors.setdefault(q.code, Message(N_("Please answer this question.")))
    if errors or appeared:
        # New questions appeared (or something needs fixing): stay on the step.
        return _step_page(
            request,
            loaded,
            step,
            errors,
            status_code=422 if errors else 200,
            entered=entered,
            from_review=from_review,
        )
    if form.get("action") == "leave":
        # A paper survey entered by an advisor goes back to the cooperative it started from.
        back = "/" if user.role == "manager" else f"/cooperatives/{loaded.response.cooperative_id}"
        return flash.redirect(request, back, "answers_kept")
    if from_review:
        return RedirectResponse(
            f"/responses/{response_id}/review#review-step-{step}", status_code=303
        )
    if step < len(keys):
        return RedirectResponse(f"/responses/{response_id}/steps/{step + 1}", status_code=303)
    return RedirectResponse(f"/responses/{response_id}/review", status_code=303)


@router.get("/responses/{response_id}/review")
def review(request: Request, session: DbSession, user: Respondent, response_id: int) -> Response:
    loaded = Loaded(session, user, response_id)
    if loaded.response.status == ResponseStatus.SUBMITTED:
        return RedirectResponse(f"/responses/{response_id}/result", status_code=303)
    return _review_page(request, loaded)


def _review_page(request: Request, loaded: Loaded, status_code: int = 200) -> Response:
    missing = missing_required(loaded.questionnaire, loaded.answers)
    step_of = {key: i + 1 for i, key in enumerate(loaded.dimension_keys)}
    sections = advice.answer_sections(loaded.questionnaire, loaded.answers)
    return render(
        request,
        "responses/review.html",
        loaded.context(
            missing=missing,
            step_of=step_of,
            sections=zip(sections, range(1, len(sections) + 1), strict=True),
        ),
        status_code=status_code,
    )


@router.post("/responses/{response_id}/submit")
def submit(request: Request, session: DbSession, user: Respondent, response_id: int) -> Response:
    loaded = Loaded(session, user, response_id)
    if missing_required(loaded.questionnaire, loaded.answers) and (
        loaded.response.status == ResponseStatus.DRAFT
    ):
        return _review_page(request, loaded, status_code=422)
    was_draft = loaded.response.status == ResponseStatus.DRAFT
    submitted = responses.submit(session, response=loaded.response, user=user)
    # Only the request that really submitted records it: a repeat (double tap, second tab, a
    # retry) finds the submission already made, or its event already written.
    if was_draft and not audit.recorded(
        session, action="response.submit", target=f"response:{submitted.id}"
    ):
        audit.record(
            session,
            actor=user,
            action="response.submit",
            target=f"response:{submitted.id}",
            detail={
                "on_behalf": submitted.on_behalf,
                "cooperative_id": submitted.cooperative_id,
                "questionnaire": submitted.questionnaire_key,
                "revision": submitted.revision,
            },
            ip_address=request.client.host if request.client else None,
        )
    target = f"/responses/{response_id}/result"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/responses/{response_id}/revise")
def revise(request: Request, session: DbSession, user: Respondent, response_id: int) -> Response:
    loaded = Loaded(session, user, response_id)
    draft = responses.revise(session, response=loaded.response, user=user)
    # A repeat finds the same draft (or none was needed): one event per revision started.
    if draft.id != loaded.response.id and not audit.recorded(
        session, action="response.revise", target=f"response:{draft.id}"
    ):
        audit.record(
            session,
            actor=user,
            action="response.revise",
            target=f"response:{draft.id}",
            detail={
                "on_behalf": draft.on_behalf,
                "cooperative_id": draft.cooperative_id,
                "questionnaire": draft.questionnaire_key,
                "revision": draft.revision,
                "revises": loaded.response.id,
            },
            ip_address=request.client.host if request.client else None,
        )
    return RedirectResponse(f"/responses/{draft.id}/steps/1", status_code=303)


@router.post("/responses/{response_id}/discard")
def discard(request: Request, session: DbSession, user: Respondent, response_id: int) -> Response:
    """Throw away a draft correction: the submitted response it would replace stands."""
    loaded = Loaded(session, user, response_id)
    draft = loaded.response
    detail = {
        "cooperative_id": draft.cooperative_id,
        "questionnaire": draft.questionnaire_key,
        "revision": draft.revision,
    }
    counted = responses.discard_correction(session, response=draft)
    audit.record(
        session,
        actor=user,
        action="response.discard",
        target=f"response:{response_id}",
        detail=detail,
        ip_address=request.client.host if request.client else None,
    )
    return flash.redirect(request, f"/responses/{counted.id}/result", "correction_discarded")


@router.get("/responses/{response_id}/result")
def result(request: Request, session: DbSession, user: Respondent, response_id: int) -> Response:
    loaded = Loaded(session, user, response_id)
    response = loaded.response
    if response.status != ResponseStatus.SUBMITTED or response.score_detail is None:
        return RedirectResponse(f"/responses/{response_id}", status_code=303)
    stored = ScoreResult.from_json(response.score_detail)
    district, district_avg, province_avg = comparison.district_and_province(
        session,
        wave_id=response.wave_id,
        key=response.questionnaire_key,
        cooperative=loaded.cooperative,
    )
    previous = None
    earlier_wave = responses.previous_wave(session, wave=loaded.wave)
    if earlier_wave is not None:
        previous = responses.current_submission(
            session,
            wave_id=earlier_wave.id,
            key=response.questionnaire_key,
            subject=response.subject_key,
        )
    # A change across two questionnaire versions is not a like-for-like change: say so.
    previous_version = None
    if previous is not None and previous.version_id != response.version_id:
        previous_version = surveys.definition_of(session, version_id=previous.version_id).version
    weakest_first = sorted(stored.dimensions.values(), key=lambda d: d.score)
    history = responses.history(
        session,
        wave_id=response.wave_id,
        key=response.questionnaire_key,
        subject=response.subject_key,
    )
    newest = history[0] if history else response
    locale = request_locale(request)
    keys = loaded.dimension_keys
    chart = {
        "labels": [i18n.pick(d.title, locale) for d in loaded.questionnaire.dimensions],
        "series": [
            {
                "label": i18n.translate(N_("This response"), locale),
                "data": [stored.dimensions[k].score for k in keys],
            },
            {
                "label": i18n.translate(N_("District average"), locale),
                "data": [district_avg.dimensions.get(k) for k in keys],
            },
            {
                "label": i18n.translate(N_("Province average"), locale),
                "data": [province_avg.dimensions.get(k) for k in keys],
            },
        ],
    }
    return render(
        request,
        "responses/result.html",
        loaded.context(
            result=stored,
            weakest_first=weakest_first,
            district=district,
            district_avg=district_avg,
            province_avg=province_avg,
            previous=previous,
            previous_wave=earlier_wave,
            previous_version=previous_version,
            history=history,
            is_current=response.counting,
            pending_revision=newest if newest.id != response.id else None,
            chart=chart,
        ),
    )
