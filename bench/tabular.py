"""pandas or plain Python for the rankings' quartiles: `python -m bench.tabular`.

The rankings need the quartiles of one score per cooperative, per area and per province:
at national scale 30,000 values over 705 districts and 63 provinces. This times the pandas
path the rankings used (a frame built from columns, groupby, quantile) against plain Python
(group into lists, `statistics.quantiles(method="inclusive")`, the same type-7 estimate) on
the same values, checks they agree, and times `import pandas` in a fresh interpreter, which
the first ranking of a process pays.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

COOPERATIVES, DISTRICTS, PROVINCES = 30_000, 705, 63
REPEATS = 7


def values() -> list[tuple[int, int, float]]:
    rng = random.Random(20)
    district_province = {d: d % PROVINCES for d in range(DISTRICTS)}
    rows = []
    for _ in range(COOPERATIVES):
        district = rng.randrange(DISTRICTS)
        rows.append((district, district_province[district], round(rng.uniform(0, 100), 1)))
    return rows


def with_pandas(rows: list[tuple[int, int, float]]) -> dict[str, dict[int, tuple[float, ...]]]:
    import pandas as pd

    columns = list(zip(*rows, strict=True))
    frame = pd.DataFrame({"unit_id": columns[0], "province_id": columns[1], "value": columns[2]})
    found = {}
    for group in ("unit_id", "province_id"):
        grouped = frame.groupby(group)["value"]
        q1, median, q3 = (grouped.quantile(q).to_dict() for q in (0.25, 0.5, 0.75))
        found[group] = {int(u): (q1[u], median[u], q3[u]) for u in q1}
    return found


def plain(rows: list[tuple[int, int, float]]) -> dict[str, dict[int, tuple[float, ...]]]:
    found = {}
    for index, group in ((0, "unit_id"), (1, "province_id")):
        by: dict[int, list[float]] = defaultdict(list)
        for row in rows:
            by[row[index]].append(row[2])
        found[group] = {
            unit: (
                tuple(statistics.quantiles(scores, n=4, method="inclusive"))
                if len(scores) > 1
                else (scores[0],) * 3
            )
            for unit, scores in by.items()
        }
    return found


def best(fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import pandas; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return min(runs)


def main() -> None:
    rows = values()
    expected, got = with_pandas(rows), plain(rows)
    for group in expected:
        for unit, quartiles in expected[group].items():
            assert all(abs(a - b) < 1e-9 for a, b in zip(quartiles, got[group][unit], strict=True))
    pandas_s, plain_s = best(lambda: with_pandas(rows)), best(lambda: plain(rows))
    print(
        f"{COOPERATIVES:,} scores, {DISTRICTS} districts, {PROVINCES} provinces (best of {REPEATS})"
    )
    print(f"quartiles with pandas:   {pandas_s * 1000:7.1f} ms")
    print(f"quartiles, plain Python: {plain_s * 1000:7.1f} ms  ({plain_s / pandas_s:.2f}× pandas)")
    print(f"import pandas, once per process: {import_time() * 1000:.0f} ms")


if __name__ == "__main__":
    main()
