#!/usr/bin/env python3
"""Query the tables of `simpletrace export --parquet` with DuckDB and print
the answers as JSON (for tests/parquet_export.rs, which checks them against
`simpletrace stats --json` and `simpletrace --format json`).

usage: parquet_check.py RECORDS.parquet CALLS.parquet

Exits 3 when the `duckdb` package is missing (`.ci/run` installs it).
Maps are printed through DuckDB's to_json; the queries of README.md's
"Parquet" section are among them (`readme_*`).
"""
import json
import sys

try:
    import duckdb
except ImportError as e:
    sys.stderr.write("parquet_check.py: cannot import duckdb (%s): "
                     "run `python3 -m pip install duckdb==1.4.4`\n" % e)
    sys.exit(3)


def main():
    records, calls = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    for name, path in (("records", records), ("calls", calls)):
        con.execute("CREATE VIEW %s AS SELECT * FROM read_parquet('%s')"
                    % (name, path.replace("'", "''")))

    def q(sql):
        return [list(row) for row in con.execute(sql).fetchall()]

    def maps(rows, *columns):
        for row in rows:
            for c in columns:
                row[c] = json.loads(row[c]) if row[c] is not None else None
        return rows

    out = {
        "duckdb": duckdb.__version__,
        "records_schema": q("SELECT column_name, column_type FROM (DESCRIBE records)"),
        "calls_schema": q("SELECT column_name, column_type FROM (DESCRIBE calls)"),
        "rows": maps(q(
            "SELECT file, host, pid, tid, thread, seq, ts_ns, event_id, event, dropped,"
            " to_json(args_int), to_json(args_str) FROM records ORDER BY file, seq"), 10, 11),
        "order_breaks": q(
            "SELECT file, tid, count(*) FROM (SELECT file, tid, ts_ns, lag(ts_ns) OVER"
            " (PARTITION BY file, pid, tid ORDER BY seq) AS prev FROM records)"
            " WHERE ts_ns < prev GROUP BY ALL ORDER BY ALL"),
        "calls": maps(q(
            "SELECT file, host, pid, tid, thread, call, call_id, is_async, start_ns, end_ns,"
            " duration_ns, ending, enter_seq, exit_seq, to_json(args_int), to_json(args_str),"
            " to_json(exit_args_int), to_json(exit_args_str)"
            " FROM calls ORDER BY file, enter_seq"), 14, 15, 16, 17),
        # README: events per file, dropped records apart.
        "readme_counts": q(
            "SELECT file, event, count(*) AS n, sum(dropped) AS lost FROM records"
            " GROUP BY ALL ORDER BY ALL"),
        # README: call latencies (calls that ended by their exit).
        "readme_latency": q(
            "SELECT file, call, count(*) AS calls, min(duration_ns),"
            " quantile_disc(duration_ns, 0.5), max(duration_ns) FROM calls"
            " WHERE ending = 'exit' GROUP BY ALL ORDER BY ALL"),
        "call_endings": q(
            "SELECT file, call, ending, count(*) FROM calls GROUP BY ALL ORDER BY ALL"),
        # README: records with an argument of a given value, by name.
        "readme_filter": q(
            "SELECT file, seq FROM records WHERE args_int['depth'] = 1 ORDER BY ALL"),
        "filter_str": q(
            "SELECT file, seq FROM records WHERE args_str['text'] LIKE 'step%' ORDER BY ALL"),
    }
    sys.stdout.write(json.dumps(out))


main()
