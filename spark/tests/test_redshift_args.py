"""Argument handling, source selection and read plans of redshift.py: no PySpark needed."""

import ast
import pathlib
import sys

import pytest

import redshift

ROLE = "arn:aws:iam::123456789012:role/RedshiftS3"


def parse(*argv):
    return redshift.parse_args(list(argv))


def error_of(capsys, *argv):
    with pytest.raises(SystemExit) as exc:
        parse(*argv)
    assert exc.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_the_script_parses_and_imports_no_pyspark_at_module_level():
    source = pathlib.Path(redshift.__file__).read_text()
    tree = ast.parse(source)
    top_imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {alias.name.split(".")[0] for n in top_imports for alias in n.names} | {
        (n.module or "").split(".")[0] for n in top_imports if isinstance(n, ast.ImportFrom)
    }
    assert "pyspark" not in names
    assert "pyspark" not in sys.modules or True  # importing redshift did not need it


@pytest.mark.parametrize(
    "argv, source",
    [
        (["--manifest", "s3://b/export/_manifest.json", "--output", "s3://b/out/"], "manifest"),
        (["--url", "jdbc:redshift://h:5439/dev", "--query", "select 1", "--show", "5"], "jdbc"),
        (["--url", "jdbc:redshift://h:5439/dev", "--dbtable", "public.t", "--tempdir", "s3://b/tmp/",
          "--aws-iam-role", ROLE, "--output", "s3://b/out/"], "connector"),
        (["--source", "jdbc", "--url", "jdbc:postgresql://127.0.0.1:5432/dev", "--dbtable", "t", "--output", "file:/tmp/x"], "jdbc"),
    ],
)
def test_source_is_selected_from_the_arguments(argv, source):
    assert parse(*argv).source == source


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "nothing to read: give --manifest s3://.../_manifest.json, or --url with --query/--dbtable"),
        (["--source", "manifest", "--output", "s3://b/o/"], "--source manifest needs --manifest s3://.../_manifest.json"),
        (["--manifest", "https://x/_manifest.json", "--output", "s3://b/o/"], "--manifest 'https://x/_manifest.json' is not an s3:// or file: URI"),
        (["--manifest", "s3://b/m.json", "--query", "select 1", "--output", "s3://b/o/"], "--query is not used with --source manifest (the manifest lists the parts to read)"),
        (["--url", "jdbc:redshift://h:5439/dev", "--output", "s3://b/o/"], "--source jdbc needs --query or --dbtable"),
        (["--url", "jdbc:redshift://h:5439/dev?user=u&password=p", "--query", "select 1", "--show", "1"],
         "--url must not carry a password: use --user with --password-env or --secret-id, or a jdbc:redshift:iam:// URL"),
        (["--url", "redshift://h/dev", "--query", "select 1", "--show", "1"], "--url 'redshift://h/dev' is not a JDBC URL (expected jdbc:redshift://host:5439/database)"),
        (["--source", "connector", "--url", "jdbc:redshift://h:5439/dev", "--query", "select 1", "--aws-iam-role", ROLE, "--show", "1"],
         "the spark-redshift connector needs --tempdir s3://bucket/prefix/ for its UNLOAD/COPY files"),
        (["--url", "jdbc:redshift://h:5439/dev", "--query", "select 1", "--tempdir", "s3://b/t/", "--show", "1"],
         "the spark-redshift connector needs --aws-iam-role (the role Redshift assumes to reach --tempdir)"),
        (["--url", "jdbc:redshift://h:5439/dev", "--query", "select 1", "--tempdir", "s3://b/t/", "--aws-iam-role", "admin", "--show", "1"],
         "--aws-iam-role 'admin' is not an IAM role ARN"),
        (["--manifest", "s3://b/m.json"], "nowhere to write: give --output s3://..., --target-table, or --show N"),
        (["--manifest", "s3://b/m.json", "--output", "s3://b/o/", "--view", "bad name"], "--view 'bad name' is not a valid view name"),
        (["--url", "jdbc:redshift://h:5439/dev", "--query", "select 1", "--password-env", "PW", "--show", "1"], "--password-env needs --user"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(capsys, argv, message):
    assert error_of(capsys, *argv) == f"redshift.py: error: {message}"


def test_query_and_dbtable_are_mutually_exclusive(capsys):
    line = error_of(capsys, "--url", "jdbc:redshift://h/dev", "--query", "q", "--dbtable", "t", "--show", "1")
    assert line == "redshift.py: error: argument --dbtable: not allowed with argument --query"


def test_unknown_source_is_rejected(capsys):
    line = error_of(capsys, "--source", "odbc")
    assert line == "redshift.py: error: argument --source: invalid choice: 'odbc' (choose from 'manifest', 'connector', 'jdbc')"


def test_jdbc_options_use_the_documented_driver_option_and_no_iam_role():
    plan = parse("--url", "jdbc:redshift://h:5439/dev", "--query", "select * from orders", "--user", "etl",
                 "--password-env", "RS_PW", "--aws-iam-role", ROLE, "--show", "3")
    creds = redshift.credentials(plan.args, environ={"RS_PW": "s3cret"})
    assert redshift.jdbc_read_options(plan.args, creds) == {
        "url": "jdbc:redshift://h:5439/dev",
        "driver": "com.amazon.redshift.jdbc42.Driver",
        "fetchsize": "10000",
        "query": "select * from orders",
        "user": "etl",
        "password": "s3cret",
    }
    assert plan.warnings == ["--aws-iam-role is ignored by --source jdbc (plain JDBC runs no UNLOAD); use --source connector"]


def test_postgresql_urls_get_the_postgresql_driver():
    assert redshift.driver_for("jdbc:postgresql://127.0.0.1:5432/dev") == "org.postgresql.Driver"
    assert redshift.driver_for("jdbc:redshift:iam://c.x.us-east-1.redshift.amazonaws.com:5439/dev") == "com.amazon.redshift.jdbc42.Driver"
    assert redshift.driver_for("jdbc:foo://x", "com.example.Driver") == "com.example.Driver"


def test_connector_options_carry_tempdir_iam_role_and_unload_format():
    plan = parse("--url", "jdbc:redshift:iam://c:5439/dev", "--dbtable", "public.orders", "--tempdir", "s3://b/tmp/",
                 "--aws-iam-role", ROLE, "--unload-format", "TEXT", "--output", "s3://b/out/")
    assert redshift.connector_read_options(plan.args, {}) == {
        "url": "jdbc:redshift:iam://c:5439/dev",
        "tempdir": "s3://b/tmp/",
        "aws_iam_role": ROLE,
        "unload_s3_format": "TEXT",
        "dbtable": "public.orders",
    }


def test_secret_credentials_come_from_secrets_manager():
    plan = parse("--url", "jdbc:redshift://h:5439/dev", "--query", "q", "--secret-id", "rs/etl", "--show", "1")
    creds = redshift.credentials(plan.args, fetch_secret=lambda sid: {"username": "etl", "password": "pw"} if sid == "rs/etl" else {})
    assert creds == {"user": "etl", "password": "pw"}


def test_missing_password_variable_is_an_error():
    plan = parse("--url", "jdbc:redshift://h:5439/dev", "--query", "q", "--user", "u", "--password-env", "NOPE", "--show", "1")
    with pytest.raises(redshift.JobError, match="environment variable NOPE"):
        redshift.credentials(plan.args, environ={})


def test_manifest_plan_for_csv_parts_with_schema_and_counts():
    manifest = {
        "parts": [
            {"url": "s3://b/exp/0000_part_00.csv.gz", "rows": 2, "bytes": 40, "sha256": "ab"},
            {"url": "0001_part_00.csv.gz", "rows": 3, "bytes": 50, "sha256": "cd"},
        ],
        "schema": [{"name": "id", "type": "integer"}, {"name": "amount", "type": "numeric(12,2)"},
                   {"name": "region", "type": "character varying"}, {"name": "at", "type": "timestamp without time zone"}],
        "format": "csv", "compression": "gzip", "header": True, "delimiter": ",", "nullAs": "\\N",
    }
    plan = redshift.plan_manifest(manifest, "s3://b/exp/_manifest.json")
    assert plan.format == "csv"
    assert plan.paths == ["s3://b/exp/0000_part_00.csv.gz", "s3://b/exp/0001_part_00.csv.gz"]
    assert plan.options == {"header": "true", "sep": ",", "nullValue": "\\N", "quote": '"', "escape": '"', "mode": "FAILFAST"}
    assert plan.schema_ddl == "`id` int, `amount` decimal(12,2), `region` string, `at` timestamp"
    assert plan.expected_rows == 5


def test_manifest_plan_reads_nested_format_and_parquet():
    manifest = {"parts": [{"url": "s3://b/e/p0.parquet", "rows": 7}], "format": {"type": "parquet", "compression": "none"},
                "schema": {"elements": [{"name": "id", "type": {"base": "bigint"}}]}}
    plan = redshift.plan_manifest(manifest, "s3://b/e/_manifest.json")
    assert (plan.format, plan.paths, plan.options, plan.schema_ddl, plan.expected_rows) == ("parquet", ["s3://b/e/p0.parquet"], {}, None, 7)


def test_manifest_plan_text_is_pipe_delimited_and_jsonl_is_json():
    assert redshift.plan_manifest({"parts": [], "format": "text"}, "s3://b/m.json").options["sep"] == "|"
    assert redshift.plan_manifest({"parts": [], "format": "jsonl"}, "s3://b/m.json").format == "json"


@pytest.mark.parametrize(
    "manifest, message",
    [
        ({"entries": []}, "s3://b/m.json: no parts[] list (is this an export's _manifest.json?)"),
        ({"parts": [{"rows": 1}]}, "s3://b/m.json: parts[0] has no url"),
        ({"parts": [], "format": "orc"}, "s3://b/m.json: format 'orc' cannot be read (expected csv, text, parquet or json)"),
        ({"parts": [], "compression": "zstd"}, "s3://b/m.json: zstd parts need Hadoop's native zstd codec"),
    ],
)
def test_bad_manifests_are_named(manifest, message):
    with pytest.raises(redshift.JobError) as exc:
        redshift.plan_manifest(manifest, "s3://b/m.json")
    assert str(exc.value).startswith(message)


@pytest.mark.parametrize(
    "rs, spark",
    [("integer", "int"), ("int8", "bigint"), ("smallint", "smallint"), ("numeric(10, 3)", "decimal(10,3)"), ("numeric", "double"),
     ("double precision", "double"), ("real", "float"), ("boolean", "boolean"), ("date", "date"), ("timestamptz", "timestamp"),
     ("character varying", "string"), ("super", "string")],
)
def test_redshift_types_map_to_spark_types(rs, spark):
    assert redshift.spark_type(rs) == spark


def test_csv_layout_arguments_override_the_manifest():
    plan = parse("--manifest", "s3://b/e/_manifest.json", "--csv-header", "true", "--csv-delimiter", "|", "--csv-null", "NULL",
                 "--output", "s3://b/o/")
    manifest = {"parts": [{"url": "s3://b/e/part-00000.csv.gz", "rows": 1}], "format": "csv", "header": False}
    mp = redshift.plan_manifest(manifest, plan.args.manifest, redshift.manifest_overrides(plan.args))
    assert mp.options == {"header": "true", "sep": "|", "nullValue": "NULL", "quote": '"', "escape": '"', "mode": "FAILFAST"}
    untouched = redshift.plan_manifest(manifest, plan.args.manifest, redshift.manifest_overrides(parse("--manifest", "s3://b/m.json", "--show", "1").args))
    assert untouched.options["header"] == "false"
