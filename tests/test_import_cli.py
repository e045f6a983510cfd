"""`htxso import cooperatives`: the same checks as the web, `--map`, dry runs, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import cli
from app.areas.models import Area
from app.cli import app as htxso
from app.cooperatives.models import Cooperative
from tests import conftest, factories

FILE = (
    "DANH SÁCH HTX\n"
    "Mã số HTX\tTên HTX\tNơi đóng\tLĩnh vực\tGhi chú riêng\n"
    "4900000041\tHTX Dòng Lệnh\tHuyện Chi Lăng\tTM-DV\tx\n"
)


@pytest.fixture
def runner(session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(cli, "database", lambda: conftest.TestDatabase(session, database_url))
    return CliRunner()


@pytest.fixture
def chi_lang(session: Session) -> Area:
    return factories.area(session, code="187", name="Chi Lăng")


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "htx.txt"
    path.write_bytes(text.encode("utf-16"))
    return path


def said(result: object) -> str:
    """The command's output with the terminal's line wrapping undone."""
    return " ".join(str(getattr(result, "output", "")).split())


def stored(session: Session, code: str) -> Cooperative | None:
    return session.scalar(select(Cooperative).where(Cooperative.registration_code == code))


def test_an_unknown_column__is_a_problem_until_mapped_and_ignored_columns_are_listed(
    runner: CliRunner, session: Session, chi_lang: Area, tmp_path: Path
) -> None:
    path = written(tmp_path, FILE)
    refused = runner.invoke(htxso, ["import", "cooperatives", str(path)])
    assert refused.exit_code == 1
    assert "Nơi đóng, Ghi chú riêng" in said(refused)
    assert "HTX mới cần cột Địa bàn" in said(refused)
    dry = runner.invoke(
        htxso, ["import", "cooperatives", str(path), "--map", "Nơi đóng=area", "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "read as CSV UTF-16, header on line 2" in said(dry)
    assert "Bỏ qua các cột (ignored columns): Ghi chú riêng" in said(dry)
    assert "1 cooperatives added, 0 updated" in said(dry)
    assert stored(session, "4900000041") is None
    done = runner.invoke(htxso, ["import", "cooperatives", str(path), "--map", "Nơi đóng=area"])
    assert done.exit_code == 0, done.output
    cooperative = stored(session, "4900000041")
    assert cooperative is not None
    # A former district places it there, and in the province until its commune is known.
    assert (cooperative.former_district_id, cooperative.sector) == (chi_lang.id, "trade_services")


def test_a_mapping_to_no_field__is_refused_with_the_fields_to_use(
    runner: CliRunner, chi_lang: Area, tmp_path: Path
) -> None:
    done = runner.invoke(
        htxso, ["import", "cooperatives", str(written(tmp_path, FILE)), "--map", "Nơi đóng=huyện"]
    )
    assert done.exit_code == 2
    assert "registration_code" in said(done)


def test_the_exported_registry__imports_back_with_no_change(
    runner: CliRunner, session: Session, chi_lang: Area, tmp_path: Path
) -> None:
    factories.cooperative(session, in_area=chi_lang, code="4900000051", name="=HTX Công Thức")
    factories.cooperative(
        session, in_area=chi_lang, code="4900000052", status="suspended", name="HTX Kho; -Bãi"
    )
    out = tmp_path / "registry.csv"
    exported = runner.invoke(htxso, ["export", "registry", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes().startswith("\ufeffregistration_code | Mã số HTX,".encode())
    exported_text = out.read_text(encoding="utf-8-sig")
    assert "'=HTX Công Thức" in exported_text
    assert "HTX Kho; '-Bãi" in exported_text
    again = runner.invoke(htxso, ["import", "cooperatives", str(out), "--dry-run"])
    assert again.exit_code == 0, again.output
    assert "0 cooperatives added, 0 updated, 2 unchanged, 0 values cleared" in said(again)
