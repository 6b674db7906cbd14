"""Several runs of `bench_classroom.py`, read together: each run's class p95 against its own floor's, and
the p95 of all their clicks pooled against the floor's clicks pooled.

    python scripts/bench_classroom.py --seconds 60 --vary-seeds 100 --out bench/class1.json   # (and 2, 3...)
    python scripts/pool_classes.py bench/class1.json bench/class2.json bench/class3.json

One run's ratio moves by 0.2-0.3x from one hour to the next at the same code (README, "What is not met,
and what moves between runs"); the pooled figure weighs every click of every run alike. Both are printed: the pooled one does
not replace the runs. Reads the `latencies_ms` each report keeps (reports from before it are skipped,
with a line that says so). Writes nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_classroom import percentile  # noqa: E402 (the same p95 as each run's)


def clicks(phase: dict) -> list[float]:
    """Every click of one class (ms), all actions together, as the run's `overall` counts them."""
    return [x for v in phase["class"]["latencies_ms"].values() for x in v]


def pooled(reports: list[dict]) -> dict:
    """Per run: its p95s and ratio; pooled: the p95 of every run's clicks, app and floor, and their ratio."""
    runs, app, floor = [], [], []
    for r in reports:
        a, f = clicks(r["app"]), clicks(r["floor"])
        app += a
        floor += f
        runs.append({"app_p95_ms": round(percentile(a, 0.95), 1), "floor_p95_ms": round(percentile(f, 0.95), 1),
                     "ratio": round(percentile(a, 0.95) / percentile(f, 0.95), 2),
                     "errors": len(r["app"]["class"]["errors"])})
    p_app, p_floor = percentile(app, 0.95), percentile(floor, 0.95)
    return {"runs": runs, "clicks": len(app), "floor_clicks": len(floor), "app_p95_ms": round(p_app, 1),
            "floor_p95_ms": round(p_floor, 1), "ratio": round(p_app / p_floor, 2),
            "runs_within_1_5x": sum(run["ratio"] <= 1.5 for run in runs),
            "errors": sum(run["errors"] for run in runs)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("reports", nargs="+", help="bench_classroom.py reports (JSON)")
    args = p.parse_args()
    reports, paths = [], []
    for path in args.reports:
        r = json.loads(Path(path).read_text())
        if "latencies_ms" not in r.get("app", {}).get("class", {}):
            print(f"{path}: no latencies_ms (a report from before they were kept), skipped")
            continue
        reports.append(r)
        paths.append(path)
    if not reports:
        raise SystemExit("no report with latencies_ms")
    out = pooled(reports)
    for path, run in zip(paths, out["runs"]):
        print(f"{path}: class p95 {run['app_p95_ms']} ms vs floor {run['floor_p95_ms']} ms = {run['ratio']}x, "
              f"{run['errors']} errors")
    print(f"pooled over {len(out['runs'])} runs ({out['clicks']} clicks, floor {out['floor_clicks']}): "
          f"p95 {out['app_p95_ms']} ms vs {out['floor_p95_ms']} ms = {out['ratio']}x; "
          f"runs within 1.5x: {out['runs_within_1_5x']} of {len(out['runs'])}; errors {out['errors']}")


if __name__ == "__main__":
    main()
