"""Whatever bytes arrive as a registry file, the import answers with problems, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.cooperatives.importer import check_table, read_file
from app.errors import Invalid

HEADER = "Mã số HTX,Tên HTX,Mã địa bàn,Lĩnh vực,Số thành viên,Năm thành lập,Trạng thái,Email\n"
cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
row = st.lists(cell, min_size=0, max_size=10).map(
    lambda cells: ",".join('"' + c.replace('"', '""') + '"' for c in cells)
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(row, max_size=8))
def test_any_csv_rows__are_planned_without_crashing(session: Session, lines: list[str]) -> None:
    data = (HEADER + "\n".join(lines)).encode("utf-8")
    assert_refused_or_planned(session, data, "fuzz.csv")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.x"]))
def test_any_bytes__are_refused_or_planned_without_crashing(
    session: Session, data: bytes, name: str
) -> None:
    assert_refused_or_planned(session, data, name)


def assert_refused_or_planned(session: Session, data: bytes, name: str) -> None:
    try:
        table, columns = read_file(data, filename=name)
    except Invalid as refused:
        assert str(refused.message)  # noqa: PT017 - either outcome is fine; a crash is not
        return
    plan = check_table(session, table=table, columns=columns)
    assert plan.ok or all(str(p.message) for p in plan.problems)
