"""Reads a netbet export CSV with pandas by running the README's own statement, and prints what pandas saw.

    python3 read_export_csv.py FILE 'df = pd.read_csv("match.csv", ...)'

The statement is run as written in FILE's folder, so FILE must be named match.csv. The output is one JSON object,
{"columns":[{"name","type"}],"count":N,"rows":[{column: value}]}, rows in snapshot_id order, types as pandas names
them (str(dtype)). Values keep their exact meaning in JSON: float64 as a JSON number (repr, shortest round-trip),
int64 as a decimal string, datetime64 as microseconds since the Unix epoch (a string), bool, str, and NaN, NaT and
NA (pandas' missing values) as null.
"""
import json
import math
import os
import sys

import pandas as pd


def plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        if value.tz is None or value.value % 1000:
            raise ValueError(f"read_export_csv.py: {value!r} is not a UTC time in whole microseconds")
        return str(value.value // 1000)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, int) or type(value).__name__ == "int64":
        return str(int(value))
    if isinstance(value, (float, str)):
        return value
    raise ValueError(f"read_export_csv.py: no JSON form for {type(value).__name__}: {value!r}")


def main():
    if len(sys.argv) != 3 or "pd.read_csv(" not in sys.argv[2]:
        sys.exit("usage: python3 read_export_csv.py FILE 'df = pd.read_csv(\"match.csv\", ...)'")
    path, code = os.path.abspath(sys.argv[1]), sys.argv[2]
    if os.path.basename(path) != "match.csv":
        sys.exit(f"read_export_csv.py: {path} is not named match.csv, the file the README's statement reads")
    os.chdir(os.path.dirname(path))
    scope = {"pd": pd}
    exec(code, scope)
    df = scope["df"].sort_values("snapshot_id", kind="stable")

    columns = [{"name": name, "type": str(df[name].dtype)} for name in df.columns]
    rows = [{name: plain(value) for name, value in zip(df.columns, row)} for row in df.itertuples(index=False, name=None)]
    sys.stdout.write(json.dumps({"columns": columns, "count": str(len(df)), "rows": rows}, allow_nan=False))


main()
