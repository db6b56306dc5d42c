"""Writes one small table with the common Parquet writers, every codec they write, and the
oracle answer of an independent reader (DuckDB) for each file, for test/unit/local/.../
copyParquetWriters.test.ts. Usage: write_parquet.py <out_dir>; prints the manifest as JSON."""
import datetime as dt
import decimal
import json
import os
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
N = 60


def row(i):
    if i % 7 == 3:
        return {k: None for k in COLUMNS}
    sign = -1 if i % 2 else 1
    base = dt.datetime(1969, 12, 31, 23, 59, 58) + dt.timedelta(days=i * 400, microseconds=i * 123457)
    return {
        "i8": sign * (i % 128),
        "i16": sign * i * 500,
        "i32": sign * i * 35_000_000 // 1000,
        "i64": sign * (2**62 - i),
        "u8": i % 256,
        "u32": 4_000_000_000 - i,
        "f32": sign * (i + 0.5),
        "f64": sign * i / 3,
        "dec": decimal.Decimal(sign * i * 1001) / 100,
        "d": dt.date(1960, 1, 1) + dt.timedelta(days=i * 500),
        "t": dt.time(i % 24, i % 60, i % 60, i * 1000 % 1000000),
        "ts_ms": base.replace(microsecond=(base.microsecond // 1000) * 1000),
        "ts_us": base,
        "ts_utc": base.replace(tzinfo=dt.timezone.utc),
        "b": i % 3 == 0,
        "s": f"row {i} \u00e9\u00e8 \"q\", tab\there" if i % 5 else "",
    }


SCHEMA = pa.schema(
    [
        ("i8", pa.int8()),
        ("i16", pa.int16()),
        ("i32", pa.int32()),
        ("i64", pa.int64()),
        ("u8", pa.uint8()),
        ("u32", pa.uint32()),
        ("f32", pa.float32()),
        ("f64", pa.float64()),
        ("dec", pa.decimal128(12, 2)),
        ("d", pa.date32()),
        ("t", pa.time64("us")),
        ("ts_ms", pa.timestamp("ms")),
        ("ts_us", pa.timestamp("us")),
        ("ts_utc", pa.timestamp("us", tz="UTC")),
        ("b", pa.bool_()),
        ("s", pa.string()),
    ]
)
COLUMNS = SCHEMA.names
rows = [row(i) for i in range(N)]
table = pa.Table.from_pylist(rows, schema=SCHEMA)
files = []


def add(name, writer, codec, **info):
    files.append({"name": name, "writer": writer, "codec": codec, **info})


for codec in ["NONE", "SNAPPY", "GZIP", "BROTLI", "ZSTD", "LZ4"]:
    name = f"pyarrow-{codec.lower()}.parquet"
    pq.write_table(table, os.path.join(out, name), compression=codec, row_group_size=25)
    add(name, "pyarrow", "LZ4_RAW" if codec == "LZ4" else codec)
pq.write_table(
    table.cast(pa.schema([f.with_type(pa.large_string()) if f.name == "s" else f for f in SCHEMA])),
    os.path.join(out, "pyarrow-v2-plain.parquet"),
    use_dictionary=False,
    data_page_version="2.0",
    store_decimal_as_integer=True,
    compression="zstd",
)
add("pyarrow-v2-plain.parquet", "pyarrow", "ZSTD", pages="v2 plain, decimal as INT64, large_string")
ns = table.set_column(
    COLUMNS.index("ts_us"), "ts_us", table.column("ts_us").cast(pa.timestamp("ns"))
)
pq.write_table(ns, os.path.join(out, "pyarrow-int96.parquet"), use_deprecated_int96_timestamps=True)
add("pyarrow-int96.parquet", "pyarrow", "SNAPPY", pages="INT96 timestamps (as Spark writes them)")
pq.write_table(ns, os.path.join(out, "pyarrow-ns.parquet"), version="2.6", compression="gzip")
add("pyarrow-ns.parquet", "pyarrow", "GZIP", pages="timestamp[ns]")

import polars as pl  # noqa: E402

pl.from_arrow(table).write_parquet(os.path.join(out, "polars.parquet"))
add("polars.parquet", "polars", "ZSTD")
pl.from_arrow(table).write_parquet(os.path.join(out, "polars-lz4.parquet"), compression="lz4")
add("polars-lz4.parquet", "polars", "LZ4_RAW")
for codec in ["snappy", "gzip", "brotli", "uncompressed"]:
    pl.from_arrow(table).write_parquet(os.path.join(out, f"polars-{codec}.parquet"), compression=codec)
    add(f"polars-{codec}.parquet", "polars", codec.upper())

con = duckdb.connect()
con.register("src", table)
for codec in ["snappy", "zstd", "gzip", "uncompressed", "brotli", "lz4"]:
    name = f"duckdb-{codec}.parquet"
    con.execute(f"COPY (SELECT * FROM src) TO '{os.path.join(out, name)}' (FORMAT parquet, COMPRESSION {codec})")
    add(name, "duckdb", codec.upper())

import pandas as pd  # noqa: E402

frame = table.to_pandas(timestamp_as_object=False, date_as_object=True)
frame.to_parquet(os.path.join(out, "pandas-pyarrow.parquet"), engine="pyarrow", index=False)
add("pandas-pyarrow.parquet", "pandas/pyarrow", "SNAPPY")
# fastparquet writes what pandas holds natively: no date, time or decimal columns.
flat = ["i8", "i16", "i32", "i64", "u8", "u32", "f32", "f64", "ts_us", "b", "s"]
fp = table.select(flat).to_pandas().astype(
    {"i8": "Int8", "i16": "Int16", "i32": "Int32", "i64": "Int64", "u8": "UInt8", "u32": "UInt32", "b": "boolean"}
)
fp.to_parquet(os.path.join(out, "pandas-fastparquet.parquet"), engine="fastparquet", compression="GZIP", index=False)
add("pandas-fastparquet.parquet", "pandas/fastparquet", "GZIP")

for f in files:
    path = os.path.join(out, f["name"])
    f["codecs"] = sorted(
        {
            c.compression
            for g in range(pq.ParquetFile(path).metadata.num_row_groups)
            for c in [pq.ParquetFile(path).metadata.row_group(g).column(k) for k in range(pq.ParquetFile(path).metadata.num_columns)]
        }
    )

# The oracle: DuckDB's answer over each file, normalised to text both sides can produce.
AGGREGATE = {
    "int": "sum({c})::varchar",
    "float": "round(sum({c}), 3)::varchar",
    "decimal": "sum({c})::varchar",
    "date": "sum({c} - DATE '1970-01-01')::varchar",
    "time": "sum(epoch_us(DATE '1970-01-01' + {c}::TIME))::varchar",
    "timestamp": "sum(epoch_us({c}))::varchar",
    "bool": "(count(*) FILTER (WHERE {c}))::varchar",
    "string": "sum(length({c}))::varchar || '/' || min({c})",
}
SAMPLE = {
    "float": "round({c}, 3)::varchar",
    "date": "({c} - DATE '1970-01-01')::varchar",
    "time": "epoch_us(DATE '1970-01-01' + {c}::TIME)::varchar",
    "timestamp": "epoch_us({c})::varchar",
}


def kind(t):
    t = str(t)
    for prefix, k in [("int", "int"), ("uint", "int"), ("float", "float"), ("double", "float"), ("decimal", "decimal"),
                      ("date", "date"), ("time", "time"), ("timestamp", "timestamp"), ("bool", "bool"),
                      ("string", "string"), ("large_string", "string")]:
        if t.startswith(prefix):
            return "timestamp" if t.startswith("timestamp") else k
    raise ValueError(t)


answers = {}
for f in files:
    path = os.path.join(out, f["name"])
    schema = pq.ParquetFile(path).schema_arrow
    kinds = {c.name: kind(c.type) for c in schema}
    f["columns"] = list(kinds.keys())
    f["kinds"] = kinds
    aggs = ", ".join([f"count({c})::varchar" for c in kinds] + [AGGREGATE[k].format(c=c) for c, k in kinds.items()])
    cols = ", ".join(SAMPLE.get(k, "{c}::varchar").format(c=c) + f" AS c{i}" for i, (c, k) in enumerate(kinds.items()))
    answers[f["name"]] = {
        "count": con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0],
        "aggregates": list(con.execute(f"SELECT {aggs} FROM read_parquet('{path}')").fetchone()),
        "sample": [list(r) for r in con.execute(f"SELECT {cols} FROM read_parquet('{path}') WHERE i64 IS NOT NULL ORDER BY i64, i16 LIMIT 6").fetchall()],
    }
print(json.dumps({"files": files, "oracle": answers}))
