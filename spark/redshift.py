"""Read from Amazon Redshift (or an export's _manifest.json), optionally transform with Spark
SQL, and write the result to S3 as Parquet or back to Redshift.

Runs as the EMR step of redshift-transfer:

    spark-submit --deploy-mode cluster \
      --driver-class-path /usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar \
      --jars /usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar \
      s3://bucket/scripts/redshift.py --manifest s3://bucket/export/_manifest.json \
      --sql "SELECT region, count(*) AS orders FROM input GROUP BY region" \
      --output s3://bucket/aggregates/orders_by_region/

Three sources (chosen with --source, or inferred from the arguments given):

* ``manifest``: the parts an export run already wrote, listed in its ``_manifest.json`` (no
  second UNLOAD); the row counts in the manifest are checked against what Spark read.
* ``connector``: the spark-redshift connector (``io.github.spark_redshift_community.spark.redshift``),
  which UNLOADs to ``--tempdir`` with ``--aws-iam-role`` and reads the files in parallel.
* ``jdbc``: Spark's built-in JDBC source over the Redshift JDBC driver (single connection,
  fine for small results).

No credentials in code or arguments: a JDBC password comes from the environment variable named
by --password-env, or from AWS Secrets Manager (--secret-id), or the URL is an IAM one
(``jdbc:redshift:iam://``). A URL that carries ``password=`` is refused.

PySpark is imported only when the job runs, so argument handling is testable without it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Sequence

PROG = "redshift.py"
CONNECTOR_FORMAT = "io.github.spark_redshift_community.spark.redshift"
SOURCES = ("manifest", "connector", "jdbc")
DRIVERS = {
    "jdbc:redshift:": "com.amazon.redshift.jdbc42.Driver",
    "jdbc:postgresql:": "org.postgresql.Driver",
}
S3_URI = re.compile(r"^(s3|s3a|s3n)://[^/]+(/.*)?$")
VIEW_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class JobError(Exception):
    """A problem with the job's inputs or data, reported as ``redshift.py: error: ...``."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Read from Redshift or an export manifest, transform, write to S3 or Redshift.",
    )
    src = p.add_argument_group("source")
    src.add_argument("--source", choices=SOURCES, help="default: manifest if --manifest, connector if --tempdir, else jdbc")
    src.add_argument("--manifest", help="s3:// URI of an export's _manifest.json")
    src.add_argument("--url", help="JDBC URL, e.g. jdbc:redshift://host:5439/dev (no password in it)")
    src.add_argument("--user", help="database user (with --password-env or --secret-id)")
    src.add_argument("--password-env", help="name of the environment variable holding the password")
    src.add_argument("--secret-id", help="Secrets Manager secret with username/password (read with boto3)")
    src.add_argument("--driver", help="JDBC driver class (default from the URL: %s)" % ", ".join(f"{k} -> {v}" for k, v in DRIVERS.items()))
    what = src.add_mutually_exclusive_group()
    what.add_argument("--query", help="SQL query to read")
    what.add_argument("--dbtable", help="table to read (schema.table)")
    src.add_argument("--tempdir", help="connector: s3:// prefix for UNLOAD/COPY staging files")
    src.add_argument("--aws-iam-role", help="connector: IAM role ARN Redshift assumes for UNLOAD/COPY")
    src.add_argument("--unload-format", choices=("PARQUET", "TEXT"), default="PARQUET", help="connector: UNLOAD format")
    src.add_argument("--fetch-size", type=int, default=10000, help="jdbc: rows per round trip")
    src.add_argument("--no-verify", action="store_true", help="manifest: skip the row-count check")
    src.add_argument("--csv-header", choices=("true", "false"), help="manifest: delimited parts start with a header line")
    src.add_argument("--csv-delimiter", help="manifest: field delimiter of delimited parts (default , for csv, | for text)")
    src.add_argument("--csv-null", help="manifest: the string that stands for NULL in delimited parts")

    tr = p.add_argument_group("transformation")
    tr.add_argument("--view", default="input", help="temp view name of the input for --sql (default: input)")
    tr.add_argument("--sql", help="Spark SQL over the input view, e.g. 'SELECT k, count(*) FROM input GROUP BY k'")

    out = p.add_argument_group("output")
    out.add_argument("--output", help="s3:// (or file:) URI to write the result to")
    out.add_argument("--output-format", choices=("parquet", "csv", "json"), default="parquet")
    out.add_argument("--mode", choices=("overwrite", "append", "errorifexists", "ignore"), default="overwrite")
    out.add_argument("--coalesce", type=int, help="write this many files (default: Spark's partitioning)")
    out.add_argument("--target-table", help="write the result back to this Redshift table")
    out.add_argument("--write-method", choices=("connector", "jdbc"), default="connector",
                     help="how --target-table is written: the connector (COPY via --tempdir) or plain JDBC inserts")
    out.add_argument("--tempformat", choices=("AVRO", "CSV", "CSV GZIP", "PARQUET"), default="CSV GZIP",
                     help="connector write staging format")
    out.add_argument("--show", type=int, default=0, help="print the first N result rows to stdout")
    return p


@dataclass
class Plan:
    """Validated arguments plus what was inferred from them."""

    source: str
    args: argparse.Namespace
    warnings: list[str] = field(default_factory=list)


def parse_args(argv: Sequence[str]) -> Plan:
    """Parses and validates the arguments; exits with status 2 and a clear message when wrong."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    try:
        return validate(args)
    except JobError as e:
        parser.error(str(e))
        raise  # unreachable: parser.error exits


def select_source(args: argparse.Namespace) -> str:
    """The source: explicit --source, else manifest / connector / jdbc from what was given."""
    if args.source:
        return args.source
    if args.manifest:
        return "manifest"
    if args.url and args.tempdir:
        return "connector"
    if args.url:
        return "jdbc"
    raise JobError("nothing to read: give --manifest s3://.../_manifest.json, or --url with --query/--dbtable")


def validate(args: argparse.Namespace) -> Plan:
    source = select_source(args)
    plan = Plan(source=source, args=args)
    if source == "manifest":
        if not args.manifest:
            raise JobError("--source manifest needs --manifest s3://.../_manifest.json")
        if not _is_uri(args.manifest):
            raise JobError(f"--manifest {args.manifest!r} is not an s3:// or file: URI")
        for name in ("url", "query", "dbtable", "tempdir"):
            if getattr(args, name) and not (name in ("url", "tempdir") and args.target_table):
                raise JobError(f"--{name} is not used with --source manifest (the manifest lists the parts to read)")
    else:
        if not args.url:
            raise JobError(f"--source {source} needs --url jdbc:redshift://host:5439/database")
        _check_url(args.url)
        if not (args.query or args.dbtable):
            raise JobError(f"--source {source} needs --query or --dbtable")
        if args.manifest:
            raise JobError(f"--manifest is not used with --source {source}")
    if source == "connector" or (args.target_table and args.write_method == "connector"):
        if not args.tempdir:
            raise JobError("the spark-redshift connector needs --tempdir s3://bucket/prefix/ for its UNLOAD/COPY files")
        if not S3_URI.match(args.tempdir):
            raise JobError(f"--tempdir {args.tempdir!r} is not an s3:// URI")
        if not args.aws_iam_role:
            raise JobError("the spark-redshift connector needs --aws-iam-role (the role Redshift assumes to reach --tempdir)")
        if not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$", args.aws_iam_role):
            raise JobError(f"--aws-iam-role {args.aws_iam_role!r} is not an IAM role ARN")
    if args.password_env and args.secret_id:
        raise JobError("give one of --password-env or --secret-id, not both")
    if args.password_env and not args.user:
        raise JobError("--password-env needs --user")
    if args.target_table:
        if not args.url:
            raise JobError("--target-table needs --url (the Redshift to write to)")
        if not re.match(r"^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$", args.target_table):
            raise JobError(f"--target-table {args.target_table!r} is not a table name like schema.table")
    if not args.output and not args.target_table and args.show <= 0:
        raise JobError("nowhere to write: give --output s3://..., --target-table, or --show N")
    if args.output and not _is_uri(args.output):
        raise JobError(f"--output {args.output!r} is not an s3:// or file: URI")
    if not VIEW_NAME.match(args.view):
        raise JobError(f"--view {args.view!r} is not a valid view name")
    if args.coalesce is not None and args.coalesce < 1:
        raise JobError("--coalesce must be at least 1")
    if source == "jdbc" and args.aws_iam_role:
        plan.warnings.append("--aws-iam-role is ignored by --source jdbc (plain JDBC runs no UNLOAD); use --source connector")
    return plan


def _is_uri(value: str) -> bool:
    return bool(S3_URI.match(value)) or value.startswith("file:")


def _check_url(url: str) -> None:
    if not url.startswith("jdbc:"):
        raise JobError(f"--url {url!r} is not a JDBC URL (expected jdbc:redshift://host:5439/database)")
    if re.search(r"[?&;]password=", url, re.IGNORECASE):
        raise JobError("--url must not carry a password: use --user with --password-env or --secret-id, or a jdbc:redshift:iam:// URL")


def driver_for(url: str, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    for prefix, driver in DRIVERS.items():
        if url.startswith(prefix):
            return driver
    raise JobError(f"no JDBC driver known for {url!r}: pass --driver")


def credentials(args: argparse.Namespace, environ: dict[str, str] | None = None, fetch_secret=None) -> dict[str, str]:
    """user/password options from --user/--password-env or --secret-id; empty for IAM URLs."""
    env = os.environ if environ is None else environ
    if args.secret_id:
        secret = (fetch_secret or _fetch_secret)(args.secret_id)
        user = secret.get("username") or args.user
        if not user or "password" not in secret:
            raise JobError(f"secret {args.secret_id} must hold JSON with username and password")
        return {"user": user, "password": secret["password"]}
    out: dict[str, str] = {}
    if args.user:
        out["user"] = args.user
    if args.password_env:
        if args.password_env not in env:
            raise JobError(f"environment variable {args.password_env} (from --password-env) is not set")
        out["password"] = env[args.password_env]
    return out


def _fetch_secret(secret_id: str) -> dict[str, Any]:
    import boto3  # only on EMR, where it is installed

    value = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    return json.loads(value)


def jdbc_read_options(args: argparse.Namespace, creds: dict[str, str]) -> dict[str, str]:
    """Options for spark.read.format('jdbc'): the documented `driver` (not `jdbcdriver`)."""
    opts = {"url": args.url, "driver": driver_for(args.url, args.driver), "fetchsize": str(args.fetch_size)}
    if args.query:
        opts["query"] = args.query
    else:
        opts["dbtable"] = args.dbtable
    opts.update(creds)
    return opts


def connector_read_options(args: argparse.Namespace, creds: dict[str, str]) -> dict[str, str]:
    """Options for the spark-redshift community connector (UNLOAD to tempdir with the IAM role)."""
    opts = {
        "url": args.url,
        "tempdir": args.tempdir,
        "aws_iam_role": args.aws_iam_role,
        "unload_s3_format": args.unload_format,
    }
    if args.driver:
        opts["jdbcdriver"] = args.driver
    if args.query:
        opts["query"] = args.query
    else:
        opts["dbtable"] = args.dbtable
    opts.update(creds)
    return opts


def connector_write_options(args: argparse.Namespace, creds: dict[str, str]) -> dict[str, str]:
    opts = {
        "url": args.url,
        "dbtable": args.target_table,
        "tempdir": args.tempdir,
        "aws_iam_role": args.aws_iam_role,
        "tempformat": args.tempformat,
    }
    if args.driver:
        opts["jdbcdriver"] = args.driver
    opts.update(creds)
    return opts


# --- the export manifest -------------------------------------------------------------------------

REDSHIFT_TYPES = [
    (re.compile(r"^(smallint|int2)$"), "smallint"),
    (re.compile(r"^(integer|int|int4)$"), "int"),
    (re.compile(r"^(bigint|int8)$"), "bigint"),
    (re.compile(r"^(real|float4)$"), "float"),
    (re.compile(r"^(double precision|float8|float)$"), "double"),
    (re.compile(r"^(boolean|bool)$"), "boolean"),
    (re.compile(r"^date$"), "date"),
    (re.compile(r"^(timestamp|timestamp without time zone|timestamptz|timestamp with time zone)$"), "timestamp"),
]


def spark_type(redshift_type: str) -> str:
    """Spark SQL type (DDL name) for a Redshift type name from the manifest schema."""
    t = redshift_type.strip().lower()
    m = re.match(r"^(numeric|decimal)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$", t)
    if m:
        return f"decimal({m.group(2)},{m.group(3) or 0})"
    if t in ("numeric", "decimal"):
        return "double"  # no precision in the manifest: a double keeps every digit UNLOAD wrote that fits
    for pattern, name in REDSHIFT_TYPES:
        if pattern.match(t):
            return name
    return "string"


@dataclass
class ManifestPlan:
    format: str  # csv | parquet | json
    paths: list[str]
    options: dict[str, str]
    schema_ddl: str | None
    expected_rows: int | None


def _first(d: dict, *keys: str, default=None):
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


def plan_manifest(manifest: dict[str, Any], manifest_uri: str, overrides: dict[str, Any] | None = None) -> ManifestPlan:
    """How to read the parts an export's _manifest.json lists (pure: tested without Spark).

    Accepts the export's layout ``{parts: [{url, rows, bytes, sha256}], schema, format,
    compression, header, delimiter, nullAs}`` with format details either at the top level or in a
    ``format``/``output`` object; relative part URLs resolve against the manifest's folder.
    ``overrides`` (from --csv-header/--csv-delimiter/--csv-null) win over the manifest.
    """
    if not isinstance(manifest, dict):
        raise JobError(f"{manifest_uri}: expected a JSON object")
    parts = manifest.get("parts")
    if not isinstance(parts, list):
        raise JobError(f"{manifest_uri}: no parts[] list (is this an export's _manifest.json?)")
    spec: dict[str, Any] = dict(manifest)
    for nested in ("output", "format"):
        if isinstance(manifest.get(nested), dict):
            del spec[nested]
            spec.update(manifest[nested])
    spec.update({k: v for k, v in (overrides or {}).items() if v is not None})
    fmt = str(_first(spec, "format", "type", default="csv")).lower()
    if fmt in ("jsonl", "json-lines", "ndjson"):
        fmt = "json"
    if fmt == "text":
        fmt = "csv"  # UNLOAD's default text: delimited (pipe unless a delimiter is given)
        spec.setdefault("delimiter", "|")
    if fmt not in ("csv", "parquet", "json"):
        raise JobError(f"{manifest_uri}: format {fmt!r} cannot be read (expected csv, text, parquet or json)")
    base = manifest_uri.rsplit("/", 1)[0] + "/"
    paths: list[str] = []
    expected = 0
    counted = True
    for i, part in enumerate(parts):
        if not isinstance(part, dict) or not isinstance(part.get("url"), str):
            raise JobError(f"{manifest_uri}: parts[{i}] has no url")
        url = part["url"]
        paths.append(url if "://" in url or url.startswith("file:") else base + url)
        rows = part.get("rows")
        if isinstance(rows, int):
            expected += rows
        else:
            counted = False
    options: dict[str, str] = {}
    if fmt == "csv":
        options["header"] = "true" if spec.get("header") else "false"
        options["sep"] = str(_first(spec, "delimiter", "sep", default=","))
        null_as = _first(spec, "nullAs", "null_as")
        if null_as is not None:
            options["nullValue"] = str(null_as)
        options["quote"] = '"'
        options["escape"] = '"'
        options["mode"] = "FAILFAST"
    compression = str(_first(spec, "compression", default="none")).lower()
    if compression == "zstd":
        raise JobError(
            f"{manifest_uri}: zstd parts need Hadoop's native zstd codec, which this Spark may lack; "
            "export with compression gzip (or recompress: gzip) for Spark"
        )
    schema = manifest.get("schema")
    if isinstance(schema, dict):
        schema = schema.get("elements") or schema.get("columns")
    schema_ddl = None
    if fmt == "csv" and isinstance(schema, list) and schema:
        cols = []
        for col in schema:
            name = col.get("name")
            rtype = col.get("type")
            if isinstance(rtype, dict):
                rtype = rtype.get("base", "string")
            cols.append(f"`{str(name).replace('`', '``')}` {spark_type(str(rtype or 'string'))}")
        schema_ddl = ", ".join(cols)
    return ManifestPlan(format=fmt, paths=paths, options=options, schema_ddl=schema_ddl,
                        expected_rows=expected if counted and parts else (0 if not parts else None))


def manifest_overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "header": None if args.csv_header is None else args.csv_header == "true",
        "delimiter": args.csv_delimiter,
        "nullAs": args.csv_null,
    }


# --- running it (PySpark from here on) -----------------------------------------------------------

def read_text_file(spark, uri: str) -> str:
    """One small file through Hadoop's FileSystem (s3:// on EMR is EMRFS). Spark's readers would
    skip it: they treat names starting with "_" (like _manifest.json) as hidden."""
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(spark._jsc.hadoopConfiguration())
    if not fs.exists(path):
        raise JobError(f"{uri} does not exist")
    stream = fs.open(path)
    try:
        return jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
    finally:
        stream.close()


def read_manifest(spark, uri: str) -> dict[str, Any]:
    text = read_text_file(spark, uri)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise JobError(f"{uri} is not valid JSON: {e}") from e


def read_input(spark, plan: Plan):
    args = plan.args
    if plan.source == "manifest":
        mp = plan_manifest(read_manifest(spark, args.manifest), args.manifest, manifest_overrides(args))
        if not mp.paths:
            if mp.schema_ddl is None:
                raise JobError(f"{args.manifest} lists no parts and no schema: nothing to read")
            return spark.createDataFrame([], mp.schema_ddl)
        reader = spark.read.options(**mp.options)
        if mp.schema_ddl:
            reader = reader.schema(mp.schema_ddl)
        df = getattr(reader, mp.format)(mp.paths)
        if not args.no_verify and mp.expected_rows is not None:
            actual = df.count()
            if actual != mp.expected_rows:
                raise JobError(f"{args.manifest} lists {mp.expected_rows} rows but Spark read {actual} from {len(mp.paths)} parts")
        return df
    creds = credentials(args)
    if plan.source == "connector":
        return spark.read.format(CONNECTOR_FORMAT).options(**connector_read_options(args, creds)).load()
    return spark.read.format("jdbc").options(**jdbc_read_options(args, creds)).load()


def write_output(df, plan: Plan) -> None:
    args = plan.args
    if args.show > 0:
        df.show(args.show, truncate=False)
    if args.output:
        out = df.coalesce(args.coalesce) if args.coalesce else df
        writer = out.write.mode(args.mode)
        if args.output_format == "csv":
            writer = writer.option("header", "true")
        getattr(writer, args.output_format)(args.output)
    if args.target_table:
        creds = credentials(args)
        if args.write_method == "connector":
            df.write.format(CONNECTOR_FORMAT).options(**connector_write_options(args, creds)).mode(args.mode).save()
        else:
            opts = {"url": args.url, "driver": driver_for(args.url, args.driver), "dbtable": args.target_table, **creds}
            df.write.format("jdbc").options(**opts).mode(args.mode).save()


def run(plan: Plan, spark) -> int:
    """Reads, transforms and writes; returns the number of result rows written."""
    df = read_input(spark, plan)
    df.createOrReplaceTempView(plan.args.view)
    result = spark.sql(plan.args.sql) if plan.args.sql else df
    result = result.cache()
    rows = result.count()
    write_output(result, plan)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    plan = parse_args(sys.argv[1:] if argv is None else argv)
    for w in plan.warnings:
        print(f"{PROG}: warning: {w}", file=sys.stderr)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        print(f"{PROG}: error: PySpark is not installed (run it with spark-submit)", file=sys.stderr)
        return 1
    spark = SparkSession.builder.appName("redshift-transfer").getOrCreate()
    try:
        rows = run(plan, spark)
        print(json.dumps({"source": plan.source, "rows": rows, "output": plan.args.output, "targetTable": plan.args.target_table}))
        return 0
    except JobError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
