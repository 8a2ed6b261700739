"""Markdown tables from benchmarks/results/*.json, for docs/performance.md: `python -m benchmarks.report`."""

from __future__ import annotations

import json

from .common import RESULTS_DIR


def _load(name: str) -> dict | None:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _table(headers: list[str], rows: list[list]) -> str:
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|",
    ]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _load_avg(result: dict) -> str:
    machine = result.get("machine", {})
    values = machine.get("loadavg_1_5_15_min_when_written") or machine.get("loadavg_at_start") or []
    return "/".join(f"{v:.1f}" for v in values) or "?"


def _n(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def main() -> None:
    imp = _load("import")
    if imp:
        first = imp["first_load"]
        print(
            f"Import ({imp['measured_at']}, scale {imp['scale']}, load average 1/5/15 min at the end "
            f"{_load_avg(imp)}):\n"
        )
        rows = [["first load, empty table", f"{first['addresses']:,}", first["import_seconds"],
                 f"{first['rows_per_second']:,}", f"< {imp['target_seconds']:.0f} s",
                 "yes" if imp["meets_target"] else "no"]]  # fmt: skip
        if "reimport_seconds" in imp:
            rows.append(["second run, unchanged", f"{first['addresses']:,}", imp["reimport_seconds"], "", "", ""])
        print(_table(["run", "addresses", "seconds", "rows/s", "target", "met"], rows))
        print()
    look = _load("lookup")
    if not look:
        return
    print(
        f"Lookup ({look['measured_at']}, scale {look['scale']}, load average 1/5/15 min at the end "
        f"{_load_avg(look)}):\n"
    )
    print(_table(
        ["(a) floor: what", "processes", "per second", "p50 ms", "p99 ms"],
        [[r["label"], r["processes"], _n(r["per_second"]), r["p50_ms"], r["p99_ms"]] for r in look["floor"]],
    ))  # fmt: skip
    print()
    from .bench_lookup import summary_table

    header, rows = summary_table(look["summary"])
    print(_table(header, rows))
    checks = look.get("checks", {})
    if checks:
        print(f"\nChecks: {json.dumps(checks)}")


if __name__ == "__main__":
    main()
