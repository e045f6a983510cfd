"""Small, pure statistics for rankings: the t-interval of a mean, ranks with ties, rank ranges.

Everything here works on numbers already aggregated by SQL (counts, sums, sums of squares);
docs/rankings.md explains each choice.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# An area with fewer responses than this is shown but not ranked.
MINIMUM_RESPONSES = 5

# Student's t, 97.5th percentile (a two-sided 95% interval), for 1 to 30 degrees of freedom.
_T975 = (
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
)
_Z975 = 1.959963984540054


def t_quantile_975(df: int) -> float:
    """Student's t 97.5th percentile: a table to 30 degrees of freedom, then an expansion.

    Beyond 30 the Cornish-Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5) is within
    1e-7 of the exact value.
    """
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


@dataclass(frozen=True)
class MeanInterval:
    """A mean with its sample standard deviation and 95% t-interval (None below two values)."""

    n: int
    mean: float | None
    sd: float | None
    low: float | None
    high: float | None


def mean_interval(n: int, total: float, squares: float) -> MeanInterval:
    """Mean and 95% t-interval from the count, sum and sum of squares of the values.

    The interval is mean ± t(0.975, n−1) · s / √n, with s the sample standard deviation,
    clipped to the 0–100 range scores live in.
    """
    if n <= 0:
        return MeanInterval(0, None, None, None, None)
    mean = total / n
    if n == 1:
        return MeanInterval(1, mean, None, None, None)
    # Rounding can leave a hair below zero when every value is the same.
    variance = max((squares - n * mean * mean) / (n - 1), 0.0)
    sd = math.sqrt(variance)
    half = t_quantile_975(n - 1) * sd / math.sqrt(n)
    return MeanInterval(n, mean, sd, max(mean - half, 0.0), min(mean + half, 100.0))


def half_up(value: float, places: int) -> float:
    """A figure rounded as pages and exports show it: half up, from its shortest decimal."""
    step = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def competition_ranks(values: Sequence[float]) -> list[int]:
    """Rank 1 for the highest; equal values share a rank and the next rank is skipped (1, 2, 2, 4).

    Values are compared as shown, to one decimal, so two areas that read the same rank the same.
    """
    shown = [half_up(v, 1) for v in values]
    ascending = sorted(shown)
    # Sorted and bisected rather than compared pairwise: 700 districts nationally.
    return [1 + len(ascending) - bisect_right(ascending, mine) for mine in shown]


def rank_ranges(intervals: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """For each interval, the best and worst rank consistent with every interval.

    An area is clearly above another only when its interval lies wholly above the other's;
    the best rank counts the areas clearly above, the worst the areas not clearly below.
    """
    count = len(intervals)
    lows = sorted(low for low, _ in intervals)
    highs = sorted(high for _, high in intervals)
    ranges = []
    for low, high in intervals:
        above = count - bisect_right(lows, high)  # lows strictly above this high
        below = bisect_left(highs, low)  # highs strictly below this low
        ranges.append((1 + above, count - below))
    return ranges
