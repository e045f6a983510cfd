"""`python -m bench --scale reduced|national --db sqlite|postgresql|both`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import traceback
from pathlib import Path
from typing import Any

from bench import dataset, export, page, rankings, saving
from bench.common import (
    CLIENT_CORE,
    SCALES,
    SERVER_CORE,
    TMP,
    Target,
    drop,
    missing_tools,
    say,
)
from bench.report import Figure, figures_as_dicts, machine, markdown, merge, results_path, write

BENCHMARKS = {
    "rankings": rankings.run,
    "saving": saving.run,
    "export": export.run,
    "page": page.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="reduced")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--only", nargs="*", choices=sorted(BENCHMARKS), help="run only these benchmarks"
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the databases of the previous run at this scale (no dataset figures)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    targets = [Target(kind, scale) for kind in kinds]
    missing = missing_tools(kinds)
    if missing:
        print(f"missing tools: apt-get install {' '.join(missing)}", file=sys.stderr)
        return 2
    result: dict[str, Any] = {
        "scale": scale.name,
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "pinning": {"server": SERVER_CORE, "client": CLIENT_CORE},
        "figures": [],
        "details": {},
    }
    marker = TMP / f"htxso-bench-{scale.name}.json"
    if args.reuse_data and marker.exists():
        result["dataset"] = json.loads(marker.read_text())
        say("reusing the databases of the previous run")
    else:
        result["dataset"] = dataset.build(targets, scale)
        marker.write_text(json.dumps(result["dataset"]))
    figures: list[Figure] = []
    for name, ratio in (("dataset", "ratio"),):
        for kind, t in result["dataset"]["by_database"].items():
            if kind in kinds:
                figures.append(
                    Figure(
                        database=kind,
                        benchmark="dataset bulk insert",
                        figure=t["app_rows_per_s"],
                        unit="rows/s",
                        floor=t["floor_rows_per_s"],
                        ratio=t[ratio] and round(1 / t[ratio], 2),
                        target="report",
                        note=f"{name}: {t['total_rows']:,} rows in {t['app_seconds']} s; "
                        f"floor {t['floor_seconds']} s",
                    )
                )
    failed = []
    for target in targets:
        for name, run in BENCHMARKS.items():
            if args.only and name not in args.only:
                continue
            say(f"{target.kind}: {name}")
            try:
                made, details = run(target, scale)
            except Exception:  # one broken benchmark must not hide the others' figures
                failed.append(f"{target.kind} {name}")
                traceback.print_exc()
                result["details"].setdefault(target.kind, {})[name] = {
                    "error": traceback.format_exc(limit=3)
                }
                continue
            for f in made:
                f.group = name
            figures += made
            result["details"].setdefault(target.kind, {})[name] = details
            for f in made:
                say(f"  {f.benchmark}: {f.figure} {f.unit} (floor {f.floor}, ratio {f.ratio})")
    result["figures"] = figures_as_dicts(figures)
    previous_file = results_path(scale.name)
    if args.only and args.reuse_data and previous_file.exists():
        merged = merge(json.loads(previous_file.read_text()), result, set(args.only))
        if merged is result:
            say("the previous results were measured on other data: replaced, not merged")
        result = merged
    json_path, md_path = write(result)
    print()
    print(markdown(result))
    say(f"written {json_path.relative_to(Path.cwd())} and {md_path.relative_to(Path.cwd())}")
    if not args.keep:
        for target in targets:
            drop(target.url)
            drop(target.floor_url)
        marker.unlink(missing_ok=True)
    if failed:
        say(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
