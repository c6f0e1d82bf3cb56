"""Data tests: each kind passing and failing, severity, thresholds, spec tests and `trainer test`."""

from __future__ import annotations

import json
import shutil
import textwrap

import duckdb
import pytest

from conftest import REPO, STEP_HEADER, invoke_in

ORPHAN_ROW = "Mystery,NOPE-9,active,2025-10-02,"


@pytest.fixture
def own_models(basic_project):
    """basic_project with a copy of the models inside it and one attributed and one orphan step row."""
    shutil.copytree(REPO / "sql", basic_project.root / "sql")
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True", ORPHAN_ROW)
    return basic_project


def add_schema(project, text: str):
    (project.root / "sql" / "extra").mkdir(exist_ok=True)
    (project.root / "sql" / "extra" / "extra_rows.sql").write_text(
        "-- One row per log row, for the tests below.\nselect * from {{ ref('fct_log_rows') }}\n", encoding="utf-8")
    (project.root / "sql" / "extra" / "schema.yml").write_text(textwrap.dedent(text), encoding="utf-8")


def build(project, *extra):
    return project.build("--models", str(project.root / "sql"), *extra)


def run_results(project) -> dict:
    return json.loads((project.root / "signals" / "run_results.json").read_text(encoding="utf-8"))


def statuses_of(project) -> dict:
    return {test["name"]: test["status"] for test in run_results(project)["tests"]}


def test_shipped_tests_pass(own_models):
    result = build(own_models)
    assert result.exit_code == 0, result.stderr
    statuses = statuses_of(own_models)
    for name in ("unique_fct_log_balance_source_file", "not_null_fct_orphans_orphan_reason",
                 "accepted_values_fct_log_rows_attributed_by", "relationships_fct_log_rows_step_id",
                 "log_rows_unique_per_file_row", "spec_step_ids_unique", "spec_skills_exist", "spec_aliases_resolve"):
        assert statuses[name] == "pass", name
    assert statuses["orphan_share_per_log"] == "warn"
    assert "Data tests: 28 passed, 1 warned, 0 failed." in result.stdout


@pytest.mark.parametrize("test, name, failing", [
    ("not_null", "not_null_extra_rows_step_id", 2),
    ("unique", "unique_extra_rows_log_kind", 2),
    ("accepted_values: {values: [training]}", "accepted_values_extra_rows_log_kind", 2),
    ("relationships: {to: spec.steps, field: step_id, where: \"logged_id <> 'SQL-1'\"}",
     "relationships_extra_rows_log_kind", 2),
])
def test_kind_fails_build(own_models, test, name, failing):
    column = "step_id" if name.endswith("step_id") else "log_kind"
    add_schema(own_models, f"""
        models:
          - name: extra_rows
            columns:
              - name: {column}
                tests:
                  - {test}
    """)
    result = build(own_models)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: 1 data test failed: {name} ({failing} rows); the failing rows are in "
        "test_results.<test name> of warehouse/failed_build.duckdb (trainer query --warehouse "
        "warehouse/failed_build.duckdb); the previous warehouse and signals are unchanged")
    assert f"FAIL {name} (extra_rows.{column}): {failing} failing rows" in result.stderr
    assert not (own_models.root / "signals" / "funnel_progress.json").exists()
    assert not (own_models.root / "warehouse" / "trainer.duckdb").exists()
    failed = own_models.root / "warehouse" / "failed_build.duckdb"
    with duckdb.connect(str(failed), read_only=True) as con:
        assert con.execute(f"select count(*) from test_results.{name}").fetchall() == [(failing,)]


@pytest.mark.parametrize("test", [
    "not_null",
    "unique",
    "accepted_values: {values: [step, training]}",
    "relationships: {to: spec.steps, field: step_id, where: orphan_reason is null}",
])
def test_kind_passes(own_models, test):
    column = "learner_id" if test == "not_null" else "log_kind"
    if test.startswith("relationships"):
        column = "step_id"
    if test == "unique":
        column = "logged_id"
    add_schema(own_models, f"""
        models:
          - name: extra_rows
            columns:
              - name: {column}
                tests:
                  - {test}
    """)
    result = build(own_models)
    assert result.exit_code == 0, result.stderr
    kind = test.split(":")[0]
    assert statuses_of(own_models)[f"{kind}_extra_rows_{column}"] == "pass"


def test_custom_sql_test_fails(own_models):
    (own_models.root / "sql" / "tests" / "no_orphans.sql").write_text(
        "-- One row per orphan: this project wants none.\n"
        "select source_file, logged_id from {{ ref('fct_orphans') }}\n", encoding="utf-8")
    result = build(own_models)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("error: 1 data test failed: no_orphans (1 row);")
    assert "    source_file | logged_id\n    steps.csv | NOPE-9" in result.stderr


def test_custom_sql_test_passes(own_models):
    (own_models.root / "sql" / "tests" / "no_missing_ids.sql").write_text(
        "select * from {{ ref('fct_orphans') }} where orphan_reason = 'missing_id'\n", encoding="utf-8")
    result = build(own_models)
    assert result.exit_code == 0, result.stderr
    assert statuses_of(own_models)["no_missing_ids"] == "pass"


def test_warn_severity_publishes(own_models):
    add_schema(own_models, """
        models:
          - name: extra_rows
            columns:
              - name: step_id
                tests:
                  - not_null: {severity: warn}
    """)
    result = build(own_models)
    assert result.exit_code == 0, result.stderr
    assert "Data tests: 28 passed, 2 warned, 0 failed." in result.stdout
    assert "  WARN not_null_extra_rows_step_id (extra_rows.step_id): 2 failing rows" in result.stdout
    assert result.progress["data_tests"][0] == {"name": "not_null_extra_rows_step_id", "status": "warn",
                                                "severity": "warn", "failing_rows": 2,
                                                "table": "test_results.not_null_extra_rows_step_id"}


def test_threshold_turns_error_into_warning(own_models):
    add_schema(own_models, """
        models:
          - name: extra_rows
            columns:
              - name: log_kind
                tests:
                  - accepted_values: {values: [training], error_if: "> 2"}
    """)
    result = build(own_models)
    assert result.exit_code == 0, result.stderr
    assert statuses_of(own_models)["accepted_values_extra_rows_log_kind"] == "warn"


def test_orphan_share_as_error(own_models):
    """One orphan in two step rows is a 50% share, above the 5% default."""
    path = own_models.root / "sql" / "tests" / "orphan_share_per_log.sql"
    path.write_text(path.read_text().replace("severity='warn'", "severity='error'"), encoding="utf-8")
    result = build(own_models)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("error: 1 data test failed: orphan_share_per_log (1 row);")
    assert "    steps.csv | step | 2 | 1 | 0.5" in result.stderr
    assert build(own_models, "--var", "max_orphan_share=0.6").exit_code == 0


def test_orphan_share_warns_by_default(own_models):
    result = build(own_models)
    assert result.exit_code == 0, result.stderr
    assert "  WARN orphan_share_per_log (sql/tests/orphan_share_per_log.sql): 1 failing row" in result.stdout


def test_unknown_test_kind_exits_2(own_models):
    add_schema(own_models, """
        models:
          - name: extra_rows
            columns:
              - name: log_kind
                tests: [positive]
    """)
    result = build(own_models)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: sql/extra/schema.yml: extra_rows.log_kind tests[0]: unknown test 'positive'; use one of "
        "unique, not_null, accepted_values, relationships or a SQL file in sql/tests/")


def test_bad_severity_exits_2(own_models):
    add_schema(own_models, """
        models:
          - name: extra_rows
            columns:
              - name: log_kind
                tests:
                  - not_null: {severity: fatal}
    """)
    result = build(own_models)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: sql/extra/schema.yml: extra_rows.log_kind tests[0]: severity 'fatal' is not one of error, warn")


def trainer_test(project):
    return invoke_in(project.root, "test")


def test_trainer_test_alone(own_models):
    assert build(own_models).exit_code == 0
    result = trainer_test(own_models)
    assert result.exit_code == 0, result.output
    assert "PASS spec_step_ids_unique (the funnel spec): 0 failing rows" in result.stdout
    assert result.stdout.splitlines()[-1] == "29 data tests ran; none of severity error failed."


def test_trainer_test_fails_after_edit(own_models):
    assert build(own_models).exit_code == 0
    (own_models.root / "sql" / "tests" / "no_orphans.sql").write_text(
        "select logged_id from {{ ref('fct_orphans') }}\n", encoding="utf-8")
    result = trainer_test(own_models)
    assert result.exit_code == 1
    assert result.stderr == ("error: 1 data test failed: no_orphans (1 row); the failing rows are in "
                             "test_results.<test name> in the warehouse\n")
    assert "FAIL no_orphans (sql/tests/no_orphans.sql): 1 failing row" in result.stdout
    import duckdb
    with duckdb.connect(str(own_models.root / "warehouse" / "trainer.duckdb"), read_only=True) as con:
        assert con.execute("select * from test_results.no_orphans").fetchall() == [("NOPE-9",)]
