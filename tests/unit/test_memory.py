"""A served portal freezes what start-up made and collects the young generation less often."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app import memory


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_settle__freezes_start_up_and_raises_only_the_young_threshold() -> None:
    _, older, oldest = gc.get_threshold()
    memory.settle()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (memory.YOUNG_THRESHOLD, older, oldest)
