"""`htxso export`: the pages' downloads from the command line, audited as such."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import cli
from app.audit.models import AuditEvent
from app.cli import app as htxso
from app.responses.models import Answer, Response, WaveQuestionnaire
from tests import conftest
from tests.workbooks import keyed_rows
from tests.worlds import Province, province, publish


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


@pytest.fixture
def runner(session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(cli, "database", lambda: conftest.TestDatabase(session, database_url))
    return CliRunner()


def test_rankings_xlsx__is_written_and_audited_as_a_cli_export(
    runner: CliRunner, world: Province, session: Session, tmp_path: Path
) -> None:
    out = tmp_path / "xep-hang.xlsx"
    done = runner.invoke(
        htxso,
        [
            "export",
            "rankings",
            "--wave",
            "2026",
            "--questionnaire",
            "mini",
            "--format",
            "xlsx",
            "--by",
            "former-district",
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    first = keyed_rows(load_workbook(io.BytesIO(out.read_bytes())), "Xếp hạng")[0]
    assert (first["area_name"], first["rank"]) == ("An Bình", 1)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.actor_id is None
    assert event.detail == {
        "what": "rankings",
        "wave": "2026",
        "questionnaire": "mini",
        "level": "former-district",
        "format": "xlsx",
        "via": "cli",
    }


def test_coverage_csv__matches_the_page_figures(
    runner: CliRunner, world: Province, tmp_path: Path
) -> None:
    out = tmp_path / "bao-phu.csv"
    done = runner.invoke(
        htxso,
        ["export", "coverage", "--wave", "2026", "--by", "former-district", "--out", str(out)],
    )
    assert done.exit_code == 0, done.output
    lines = out.read_bytes().decode("utf-8").split("\r\n")
    assert lines[0].startswith(
        "\ufeffwave | Đợt đánh giá,area_level | Mã cấp địa bàn,area_level_label | Cấp địa bàn,"
    )
    # Each area level's code, and its name beside it.
    assert lines[1].startswith("2026,former_district,Huyện (cũ),D1,An Bình,,6,5,5,1,0,0.83,")
    assert lines[5].startswith("2026,province,Tỉnh,PROV,Lạng Sơn,,21,20,19,1,1,0.9,")


def test_coverage_by_commune__has_a_row_per_commune_and_the_province_total(
    runner: CliRunner, world: Province, tmp_path: Path
) -> None:
    out = tmp_path / "bao-phu-xa.csv"
    done = runner.invoke(
        htxso, ["export", "coverage", "--wave", "2026", "--by", "commune", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    lines = out.read_bytes().decode("utf-8").split("\r\n")
    assert lines[1].startswith("2026,commune,Xã/Phường,C41,Xã Đồng,,2,2,2,0,0,1,")
    # the cooperatives not placed in a commune still count in the province
    assert lines[2].startswith("2026,province,Tỉnh,PROV,Lạng Sơn,,21,20,19,1,1,0.9,")


def test_an_unknown_grouping__is_refused(
    runner: CliRunner, world: Province, tmp_path: Path
) -> None:
    done = runner.invoke(
        htxso, ["export", "coverage", "--by", "village", "--out", str(tmp_path / "x.csv")]
    )
    assert done.exit_code == 2
    assert "commune, former-district or province" in done.output


def test_answers__stream_to_the_file(
    runner: CliRunner, world: Province, session: Session, tmp_path: Path
) -> None:
    response = session.scalars(
        select(Response)
        .where(
            Response.cooperative_id == world.cooperatives["A1"].id,
            Response.questionnaire_key == "mini",
            Response.counting,
        )
        .order_by(Response.id)
    ).first()
    assert response is not None
    session.add(Answer(response_id=response.id, question_code="tools", value="excel"))
    session.flush()
    out = tmp_path / "tra-loi.csv"
    done = runner.invoke(
        htxso,
        ["export", "answers", "--wave", "2026", "--questionnaire", "mini", "--out", str(out)],
    )
    assert done.exit_code == 0, done.output
    lines = out.read_bytes().decode("utf-8").split("\r\n")
    # the header, one line per current submission (the suspended A7's too), the final newline
    assert len(lines) == 1 + 20 + 1
    codes = [h.split(" | ")[0] for h in lines[0].lstrip("\ufeff").split(",")]
    assert codes[-1] == "note"
    assert any(line.split(",")[codes.index("tools")] == "excel" for line in lines[1:])


def test_raw_answers_as_xlsx__are_refused(
    runner: CliRunner, world: Province, tmp_path: Path
) -> None:
    done = runner.invoke(
        htxso,
        [
            "export",
            "answers",
            "--questionnaire",
            "mini",
            "--format",
            "xlsx",
            "--out",
            str(tmp_path / "x.xlsx"),
        ],
    )
    assert done.exit_code == 1
    assert "CSV only" in done.output


def test_an_unknown_export__is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    done = runner.invoke(htxso, ["export", "everything", "--out", str(tmp_path / "x.csv")])
    assert done.exit_code == 2


def _csv(runner: CliRunner, tmp_path: Path, *args: str) -> list[dict[str, str]]:
    out = tmp_path / "out.csv"
    done = runner.invoke(htxso, ["export", *args, "--wave", "2026", "--out", str(out)])
    assert done.exit_code == 0, done.output
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8").lstrip("\ufeff"))))
    codes = [h.split(" | ")[0] for h in rows[0]]
    return [dict(zip(codes, row, strict=True)) for row in rows[1:]]


def test_scores__are_filtered_by_questionnaire_and_name_its_version(
    runner: CliRunner, world: Province, session: Session, tmp_path: Path
) -> None:
    other = publish(session, key="other", version="7")
    session.add(
        WaveQuestionnaire(wave_id=world.wave.id, questionnaire_key="other", version_id=other.id)
    )
    session.flush()

    both = _csv(runner, tmp_path, "scores")
    only = _csv(runner, tmp_path, "scores", "--questionnaire", "mini")

    assert {"mini_overall", "other_overall", "combined"} <= set(both[0])
    assert "other_overall" not in only[0]
    assert "combined" not in only[0]
    scored = next(row for row in only if row["mini_overall"])
    assert scored["mini_version"] == "1"


def test_rankings_and_dimensions__name_the_version_and_give_level_key_and_label(
    runner: CliRunner, world: Province, tmp_path: Path
) -> None:
    ranking = _csv(runner, tmp_path, "rankings", "--questionnaire", "mini")
    assert {row["version"] for row in ranking} == {"1"}
    dimensions = _csv(runner, tmp_path, "dimensions", "--questionnaire", "mini")
    labels = {"low": "Thấp", "mid": "Trung bình", "high": "Cao"}
    assert {row["version"] for row in dimensions} == {"1"}
    assert all(labels[row["level"]] == row["level_label"] for row in dimensions)
    answers = _csv(runner, tmp_path, "answers", "--questionnaire", "mini")
    assert all(labels[row["level"]] == row["level_label"] for row in answers)
