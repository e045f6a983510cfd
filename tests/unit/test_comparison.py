"""Scoring a version's answers under a later version's rules, as `surveys rescore --under` does."""

from collections import Counter
from pathlib import Path

from app.scoring import score
from app.scoring.comparison import compare, under_rules_of
from app.surveys.loader import load_file

FIXTURES = Path(__file__).parent / "fixtures"
MINI_1 = load_file(FIXTURES / "mini-1.yaml")
MINI_2 = load_file(FIXTURES / "mini-2.yaml")

NO_WEB = {"has_web": "no", "online_share": 3, "has_plan": "yes", "members": 60, "tools": "software"}


def test_rules_1_gate__becomes_behaviour_where_the_later_file_asks_it() -> None:
    hybrid = under_rules_of(MINI_1, MINI_2)
    channels = hybrid.question("web_channels")
    assert (channels.relevant, channels.asked_when) == (
        None,
        MINI_1.question("web_channels").relevant,
    )
    # shop_name hangs on `platforms`, which mini 2 dropped: it stays applicability.
    assert hybrid.question("shop_name").applies_when is not None
    assert hybrid.scoring_rules == 2


def test_not_asked_follow_up__moves_the_level_under_the_later_rules() -> None:
    stored = score(MINI_1, NO_WEB)
    # Rules 1: sales = 100 × 2·3/4 / 2 = 75 (web_channels leaves), ops = 100 → 83.33, high.
    assert (stored.overall, stored.level) == (83.33, "high")
    # Rules 2: web_channels counts 0 of 4: sales = 100 × (0 + 2·3/4) / 3 = 50 → 66.67, mid.
    assert score(under_rules_of(MINI_1, MINI_2), NO_WEB).overall == 66.67

    moves = compare(MINI_1, MINI_2, [(stored.overall, stored.level, NO_WEB)])

    assert (moves.checked, moves.overall_changed, moves.level_changed) == (1, 1, 1)
    assert (moves.down, moves.up, moves.largest_drop) == (1, 0, -16.66)
    assert moves.transitions == Counter({("high", "mid"): 1})
    assert moves.reasons == Counter({"web_channels not asked: now counts at its lowest answer": 1})


def test_answers_that_score_the_same__do_not_move() -> None:
    answers = {**NO_WEB, "has_web": "yes", "web_channels": ["site", "shop"]}
    stored = score(MINI_1, answers)
    moves = compare(MINI_1, MINI_2, [(stored.overall, stored.level, answers)])
    assert (moves.checked, moves.overall_changed, moves.level_changed) == (1, 0, 0)
