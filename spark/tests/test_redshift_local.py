"""redshift.py end to end in Spark local mode, on files made here (runs only with PySpark)."""

import gzip
import json

import pytest

pyspark = pytest.importorskip("pyspark")

import redshift  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def write_export(tmp_path, rows_per_part, rows_claimed=None):
    parts = []
    for i, rows in enumerate(rows_per_part):
        path = tmp_path / f"000{i}_part_00.csv.gz"
        with gzip.open(path, "wt") as f:
            f.write("region,amount\n")
            for region, amount in rows:
                f.write(f"{region},{amount}\n")
        parts.append({"url": path.as_uri(), "rows": len(rows), "bytes": path.stat().st_size, "sha256": "x"})
    if rows_claimed is not None:
        parts[0]["rows"] = rows_claimed
    manifest = {"parts": parts, "schema": [{"name": "region", "type": "character varying"}, {"name": "amount", "type": "numeric(12,2)"}],
                "format": "csv", "compression": "gzip", "header": True}
    path = tmp_path / "_manifest.json"
    path.write_text(json.dumps(manifest))
    return path.as_uri()


def test_reads_the_manifest_parts_aggregates_and_writes_parquet(spark, tmp_path):
    manifest = write_export(tmp_path, [[("eu", "1.50"), ("us", "2.00")], [("eu", "3.25")]])
    out = (tmp_path / "out").as_uri()
    plan = redshift.parse_args(["--manifest", manifest, "--sql",
                                "SELECT region, count(*) AS n, sum(amount) AS total FROM input GROUP BY region ORDER BY region",
                                "--output", out])
    assert redshift.run(plan, spark) == 2
    result = [tuple(r) for r in spark.read.parquet(out).orderBy("region").collect()]
    assert [(r[0], r[1], str(r[2])) for r in result] == [("eu", 2, "4.75"), ("us", 1, "2.00")]


def test_a_row_count_that_does_not_match_the_manifest_fails(spark, tmp_path):
    manifest = write_export(tmp_path, [[("eu", "1.00")]], rows_claimed=5)
    plan = redshift.parse_args(["--manifest", manifest, "--output", (tmp_path / "o").as_uri()])
    with pytest.raises(redshift.JobError, match=r"lists 5 rows but Spark read 1 from 1 parts"):
        redshift.run(plan, spark)
