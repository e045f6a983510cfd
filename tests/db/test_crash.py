"""A server killed with SIGKILL under load keeps every answer and submission it acknowledged."""

from __future__ import annotations

from pathlib import Path

from bench.crash import run
from tests.conftest import scratch_database


def test_sigkill_under_load__loses_nothing_acknowledged_and_half_writes_nothing(
    tmp_path: Path,
) -> None:
    with scratch_database(tmp_path) as url:
        outcome = run(url, saves=300, cooperatives=6, workers=3)
    assert outcome.acknowledged_saves > 0
    assert outcome.missing == []
    assert outcome.half_written == []
