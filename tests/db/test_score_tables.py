"""The scores export's tables when a wave asks a cooperative and a product questionnaire."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.cooperatives.models import Cooperative
from app.reports import scope, tables
from app.reports.tables import Table
from app.responses.models import DimensionScore, Response
from tests.worlds import EVERYONE, cooperative_and_product_wave


@pytest.fixture
def two_questionnaires(session: Session) -> dict[str, Cooperative]:
    return cooperative_and_product_wave(session)


def rows_of(table: Table) -> dict[tuple[str, str], dict[str, Any]]:
    codes = [c.code for c in table.columns]
    found = {}
    for values in table.rows:
        row = dict(zip(codes, values, strict=True))
        found[row["cooperative"], row["questionnaire"]] = row
    return found


def dimension_table(session: Session) -> Table:
    choice = scope.choose_wave(session, wave_key="2026")
    return tables.dimensions_table(session, choice=choice, visible=EVERYONE, key=None)


def test_each_row_fills_its_questionnaires_dimensions_and_leaves_the_others_empty(
    session: Session, two_questionnaires: dict[str, Cooperative]
) -> None:
    table = dimension_table(session)
    codes = [c.code for c in table.columns]
    assert codes[-4:] == ["mini_sales", "mini_ops", "miniprod_sales", "miniprod_ops"]
    rows = rows_of(table)
    assert set(rows) == {
        ("HTX X", "mini"),
        ("HTX X", "miniprod"),
        ("HTX Y", "mini"),
        ("HTX Z", "miniprod"),
    }
    x_mini, x_product = rows["HTX X", "mini"], rows["HTX X", "miniprod"]
    assert [x_mini[c] for c in codes[-4:]] == [60, 40, None, None]
    # A product questionnaire stands by the best product: Hồi (80), not Na (40).
    assert x_product["product"] == "Hồi"
    assert [x_product[c] for c in codes[-4:]] == [None, None, 80, 20]
    assert [rows["HTX Z", "miniprod"][c] for c in codes[-4:]] == [None, None, 90, 10]


def test_a_dimension_without_a_stored_score__is_an_empty_cell(
    session: Session, two_questionnaires: dict[str, Cooperative]
) -> None:
    y_mini = select(Response.id).where(Response.cooperative_id == two_questionnaires["Y"].id)
    session.execute(
        delete(DimensionScore).where(
            DimensionScore.response_id == y_mini.scalar_subquery(),
            DimensionScore.dimension_key == "sales",
        )
    )
    row = rows_of(dimension_table(session))["HTX Y", "mini"]
    assert (row["mini_sales"], row["mini_ops"], row["overall"]) == (None, 50, 50)


def test_the_workbooks_sheets__are_the_csv_table_and_the_dimension_table(
    session: Session, two_questionnaires: dict[str, Cooperative]
) -> None:
    choice = scope.choose_wave(session, wave_key="2026")
    scores, dimensions = tables.scores_tables(
        session, choice=choice, visible=EVERYONE, with_dimensions=True
    )
    [alone] = tables.scores_tables(session, choice=choice, visible=EVERYONE)
    assert (scores.columns, list(scores.rows)) == (alone.columns, list(alone.rows))
    assert rows_of(dimensions) == rows_of(dimension_table(session))
