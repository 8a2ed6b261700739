"""Importing the national address register through the real `manage.py import_adressen` (issue 3: one million
addresses in under 90 s). The address table is emptied first (the real Oostende addresses are put back), so the
figure is that of a first national load; BENCH_REIMPORT=1 also times a second run of the same files (the
idempotent "nothing changed" path an operator meets every month)."""

from __future__ import annotations

import os

from . import common, dataset

NAME = "import"
TARGET_SECONDS_PER_MILLION = 90.0


def table_sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_table_size('wijken_address')), "
            "pg_size_pretty(pg_indexes_size('wijken_address')), (SELECT count(*) FROM wijken_address)"
        )
        table, indexes, rows = cursor.fetchone()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_size_pretty(pg_relation_size(indexrelid)) "
            "FROM pg_index WHERE indrelid = 'wijken_address'::regclass ORDER BY pg_relation_size(indexrelid) DESC"
        )
        by_index = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('wijken_addressstreet')) FROM wijken_addressstreet"
        )
        streets, streets_size = cursor.fetchone()
        return {
            "rows": rows,
            "table": table,
            "indexes": indexes,
            "by_index": by_index,
            "streets": streets,
            "streets_size_with_indexes": streets_size,
        }


def main() -> None:
    common.setup_django()
    scale = common.scale()
    geography = dataset.ensure_geography(scale)
    paths = dataset.ensure_csv(scale)
    print(f"importing {scale.addresses:,} synthetic addresses ({', '.join(p.name for p in paths.values())})")
    first = dataset.import_synthetic(paths, dataset.fingerprint(scale))
    rows = [["first load (empty table)", first["addresses"], first["import_seconds"], first["rows_per_second"]]]
    result = {"geography": geography, "first_load": first}
    if os.environ.get("BENCH_REIMPORT"):
        seconds = 0.0
        for path in paths.values():
            with common.Timer() as timer:
                dataset.import_addresses(path, source=dataset.ADDRESS_SOURCE)
            seconds += timer.seconds
        result["reimport_seconds"] = round(seconds, 1)
        rows.append(
            ["second run (all unchanged)", first["addresses"], round(seconds, 1), round(first["addresses"] / seconds)]
        )
    target = TARGET_SECONDS_PER_MILLION * scale.addresses / 1_000_000
    result["target_seconds"] = target
    result["meets_target"] = first["import_seconds"] < target
    result["sizes"] = table_sizes()
    common.print_table(
        f"address import through manage.py import_adressen (target: < {target:.0f} s for {scale.addresses:,})",
        ["run", "addresses", "seconds", "rows/s"],
        rows,
    )
    print(f"by file: {first['import_seconds_by_file']} · sizes: {result['sizes']}")
    common.write_results(NAME, result)


if __name__ == "__main__":
    main()
