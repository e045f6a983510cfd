"""Whatever bytes arrive as a registry file, the import answers with problems, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.cooperatives.importer import plan_import

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
    plan = plan_import(session, data=data, filename="fuzz.csv")
    assert plan.ok or all(p.message for p in plan.problems)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt"]))
def test_any_bytes__are_refused_or_planned_without_crashing(
    session: Session, data: bytes, name: str
) -> None:
    plan = plan_import(session, data=data, filename=name)
    assert plan.ok or all(p.message for p in plan.problems)
