"""Figures beside their floors: the JSON and Markdown written under bench/results/."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import RESULTS


@dataclass
class Figure:
    """One measured figure, its floor from the same run, and the target it is held to."""

    database: str
    benchmark: str
    figure: float
    unit: str
    floor: float | None = None
    # How the ratio reads: "figure/floor" for times, "floor/figure" never; throughput is
    # reported as figure ÷ floor too (a share: higher is better).
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    group: str = ""  # the benchmark module that measured it


GROUPS = {
    "dataset": "dataset",
    "ranking": "rankings",
    "save an answer": "saving",
    "answers CSV": "export",
    "questionnaire page": "page",
}


def group_of(figure: dict[str, Any]) -> str:
    if figure.get("group"):
        return str(figure["group"])
    return next((g for p, g in GROUPS.items() if figure["benchmark"].startswith(p)), "")


def merge(previous: dict[str, Any], result: dict[str, Any], rerun: set[str]) -> dict[str, Any]:
    """A partial run (--only) folded into the previous results of the same scale.

    Only results measured on the same data are folded together: after the dataset was built
    again, the previous figures describe other data and the partial run stands alone.
    """
    if result.get("dataset") and result["dataset"] != previous.get("dataset"):
        return result
    databases = {f["database"] for f in result["figures"]}
    kept = [
        f
        for f in previous["figures"]
        if not (f["database"] in databases and group_of(f) in rerun | {"dataset"})
    ]
    order = list(GROUPS.values())
    figures = sorted(
        kept + result["figures"],
        key=lambda f: (
            ["sqlite", "postgresql"].index(f["database"]),
            order.index(group_of(f)) if group_of(f) in order else 99,
        ),
    )
    details = previous.get("details", {})
    for database, found in result["details"].items():
        details.setdefault(database, {}).update(found)
    reruns = [
        *previous.get("reruns", []),
        {
            "started": result["started"],
            "only": sorted(rerun),
            "load_average_at_start": result["machine"]["load_average_at_start"],
        },
    ]
    # The data every figure was measured on is the data this run reused.
    dataset = result.get("dataset") or previous.get("dataset")
    return previous | {"figures": figures, "details": details, "reruns": reruns, "dataset": dataset}


def ratio_of(figure: float, floor: float | None) -> float | None:
    if not floor:
        return None
    return round(figure / floor, 2)


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit in ("req/s", "rows/s", "B", "KB") or abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def markdown(result: dict[str, Any]) -> str:
    """A table per database: figure, floor, ratio, target, met."""
    lines = [
        f"# Benchmarks, {result['scale']} scale ({result['started']})",
        "",
        f"Machine: {result['machine']['cpus']} CPUs, {result['machine']['cpu']}; "
        f"Python {result['machine']['python']}; load average at start "
        f"{result['machine']['load_average_at_start']}. Server pinned to core "
        f"{result['pinning']['server']}, load generator to core {result['pinning']['client']}.",
        "",
    ]
    for rerun in result.get("reruns", []):
        load = rerun.get("load_average_at_start")
        lines += [
            f"Measured again on the same data at {rerun['started']}: {', '.join(rerun['only'])}"
            + (f" (load average at start {load})." if load else ".")
        ]
    if result.get("reruns"):
        lines.append("")
    data = result.get("dataset")
    if data:
        rows = data["rows"]
        lines += [
            "## Dataset",
            "",
            ", ".join(f"{n:,} {t}" for t, n in rows.items())
            + f"; drawing and scoring took {data['drawing_seconds']} s "
            f"({_fmt(data['drawing_rows_per_s'], 'rows/s')}).",
            "",
            "| database | bulk insert (SQLAlchemy Core) | floor (driver executemany) | ratio |",
            "|---|---|---|---|",
        ]
        for name, t in data["by_database"].items():
            lines.append(
                f"| {name} | {t['app_seconds']} s, {_fmt(t['app_rows_per_s'], 'rows/s')} "
                f"| {t['floor_seconds']} s, {_fmt(t['floor_rows_per_s'], 'rows/s')} "
                f"| {t['ratio']}× |"
            )
        lines.append("")
    figures = [Figure(**f) for f in result["figures"]]
    for database in dict.fromkeys(f.database for f in figures):
        lines += [
            f"## {database}",
            "",
            "| benchmark | figure | floor | ratio | target | met |",
            "|---|---|---|---|---|---|",
        ]
        for f in (f for f in figures if f.database == database):
            met = "–" if f.met is None else ("yes" if f.met else "**no**")
            lines.append(
                f"| {f.benchmark} | {_fmt(f.figure, f.unit)} | {_fmt(f.floor, f.unit)} "
                f"| {'–' if f.ratio is None else f'{f.ratio}×'} | {f.target} | {met} |"
            )
        notes = [f for f in figures if f.database == database and f.note]
        if notes:
            lines.append("")
            lines += [f"- {f.benchmark}: {f.note}" for f in notes]
        lines.append("")
    return "\n".join(lines)


def results_path(scale: str) -> Path:
    """Where a scale's results go (reduced runs: `latest-reduced.*`, which git ignores)."""
    stem = "national" if scale == "national" else f"latest-{scale}"
    return RESULTS / f"{stem}.json"


def write(result: dict[str, Any]) -> tuple[Path, Path]:
    """Write the results as JSON and as a Markdown table beside it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path = results_path(result["scale"])
    md_path = json_path.with_suffix(".md")
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path


def figures_as_dicts(figures: list[Figure]) -> list[dict[str, Any]]:
    return [asdict(f) for f in figures]
