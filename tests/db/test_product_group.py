"""A product's OCOP group is asked once: on the product form, or in the OCOP questionnaire."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.cooperatives.models import Product
from app.responses import service as responses
from app.responses.models import Response
from app.surveys import service as surveys
from app.surveys.definition import Option, Question, Questionnaire, Text
from app.surveys.loader import load_file
from app.surveys.models import QuestionnaireVersion
from tests import factories
from tests.worlds import MINI, make_wave

OCOP = Path(__file__).resolve().parents[2] / "surveys" / "ocop-2026.2.yaml"


def grouped() -> Questionnaire:
    """The test questionnaire about a product, asking its group first (not scored)."""
    mini = load_file(MINI)
    group = Question(
        code="ocop_group",
        dimension="sales",
        type="single_choice",
        label=Text(vi="Nhóm sản phẩm?", en="Product group?"),
        options=tuple(
            Option(value=v, label=Text(vi=v, en=v), points=0) for v in ("food", "handicraft")
        ),
    )
    return mini.model_copy(
        update={"key": "grouped", "subject": "product", "questions": (group, *mini.questions)}
    )


def published(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    surveys.publish(session, questionnaire=questionnaire)
    [version] = surveys.list_versions(session, key=questionnaire.key)
    make_wave(session, key="2026", versions=[version], opens=dt.date(2026, 3, 1))
    return version


def started(session: Session, key: str, product: Product, user: User) -> Response:
    [wave] = [w for w in responses.list_waves(session) if w.key == "2026"]
    return responses.start(
        session,
        wave=wave,
        key=key,
        cooperative_id=product.cooperative_id,
        product_id=product.id,
        user=user,
    )


def answer_all(session: Session, draft: Response, questionnaire: Questionnaire) -> None:
    """Every question answered, the group as handicraft."""
    for code, raw in [
        ("ocop_group", ["handicraft"]),
        ("has_web", ["yes"]),
        ("web_channels", ["fanpage"]),
        ("online_share", ["2"]),
        ("has_plan", ["yes"]),
        ("tools", ["excel"]),
    ]:
        responses.save_answer(
            session, response=draft, question=questionnaire.question(code), raw=raw, step=1
        )


def answers_of(session: Session, response: Response) -> dict[str, object]:
    questionnaire = responses.questionnaire_of(session, response=response)
    return responses.load_answers(session, response=response, questionnaire=questionnaire)


def test_the_ocop_questionnaire__starts_with_the_group_the_product_form_gave(
    session: Session,
) -> None:
    published(session, load_file(OCOP))
    cooperative = factories.cooperative(session)
    manager = factories.user(session, role=Role.MANAGER, cooperatives=(cooperative,))
    baskets = factories.product(session, of=cooperative, name="Giỏ mây", ocop_group="handicrafts")

    draft = started(session, "ocop", baskets, manager)

    assert answers_of(session, draft) == {"ocop_group": "handicraft"}
    # Starting again resumes the same draft, its answer given once.
    assert started(session, "ocop", baskets, manager).id == draft.id
    assert answers_of(session, draft) == {"ocop_group": "handicraft"}


def test_a_product_without_a_group__is_asked_it_in_the_questionnaire(session: Session) -> None:
    published(session, load_file(OCOP))
    cooperative = factories.cooperative(session)
    manager = factories.user(session, role=Role.MANAGER, cooperatives=(cooperative,))
    honey = factories.product(session, of=cooperative, name="Mật ong")
    honey.ocop_group = None
    session.flush()

    assert answers_of(session, started(session, "ocop", honey, manager)) == {}


def test_the_group_answered_in_the_questionnaire__becomes_the_products(
    session: Session,
) -> None:
    version = published(session, grouped())
    cooperative = factories.cooperative(session)
    manager = factories.user(session, role=Role.MANAGER, cooperatives=(cooperative,))
    baskets = factories.product(session, of=cooperative, name="Giỏ mây")
    baskets.ocop_group = None
    session.flush()
    draft = started(session, "grouped", baskets, manager)
    questionnaire = surveys.definition(version)
    answer_all(session, draft, questionnaire)

    responses.submit(session, response=draft, user=manager)

    session.refresh(baskets)
    assert baskets.ocop_group == "handicrafts"


def test_a_product_with_a_group__keeps_it_whatever_the_questionnaire_said(
    session: Session,
) -> None:
    version = published(session, grouped())
    cooperative = factories.cooperative(session)
    manager = factories.user(session, role=Role.MANAGER, cooperatives=(cooperative,))
    noodles = factories.product(session, of=cooperative, name="Miến dong", ocop_group="food")
    draft = started(session, "grouped", noodles, manager)
    questionnaire = surveys.definition(version)
    assert answers_of(session, draft)["ocop_group"] == "food"
    answer_all(session, draft, questionnaire)

    responses.submit(session, response=draft, user=manager)

    session.refresh(noodles)
    assert noodles.ocop_group == "food"
