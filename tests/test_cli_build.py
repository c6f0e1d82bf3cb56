"""`trainer build` from the command line: outputs, exit codes, messages and atomic publishing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli import cli
from conftest import REPO, STEP_HEADER

MODELS = REPO / "sql"


def _snapshot(root):
    """Return every output file's bytes, to compare before and after a build."""
    paths = sorted((root / "signals").rglob("*")) + [root / "warehouse" / "trainer.duckdb"]
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in paths if path.is_file()}


@pytest.fixture
def built_project(basic_project):
    """basic_project with one step log, built once so that previous outputs exist."""
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    return basic_project


@pytest.fixture
def own_models(basic_project):
    """A copy of the models inside the project, free to break."""
    shutil.copytree(MODELS, basic_project.root / "sql")
    return basic_project.root / "sql"


def _build_with_models(project, models):
    return project.build("--models", str(models))


def test_build_writes_every_output(built_project):
    root = built_project.root
    for relative in ("signals/funnel_progress.json", "signals/latest.json", "signals/funnel_logs/index.json",
                     "signals/funnel_logs/steps.json", "signals/funnel_logs/training.json",
                     "warehouse/trainer.duckdb"):
        assert (root / relative).is_file(), relative
    assert not [path for path in root.rglob("*tmp-*")]


def test_build_prints_models_then_summary(basic_project):
    build = basic_project.build()
    assert build.stdout.splitlines()[0].startswith("0 of 4 steps complete (0%) across 2 trainings as of 2025-10-21")
    assert "Rows per log (read = attributed + orphans + skipped):" in build.stdout
    assert "OK table marts.fct_training_progress" in build.stderr
    assert "OK table" not in build.stdout


def test_build_quiet_prints_summary_only(basic_project):
    build = basic_project.build("-q")
    assert build.exit_code == 0
    assert build.stderr == ""
    assert "steps complete" in build.stdout


def test_build_dry_run_writes_nothing(basic_project):
    build = basic_project.build("--dry-run")
    assert build.exit_code == 0, build.stderr
    assert "Dry run: nothing written" in build.stdout
    assert not (basic_project.root / "signals").exists()
    assert not (basic_project.root / "warehouse").exists()


def test_build_is_deterministic(built_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1761000000")
    built_project.build()
    first = {name: data for name, data in _snapshot(built_project.root).items() if name.startswith("signals/")}
    built_project.build()
    second = {name: data for name, data in _snapshot(built_project.root).items() if name.startswith("signals/")}
    assert first == second
    assert b'"generated_at": "2025-10-20T22:40:00Z"' in first["signals/funnel_progress.json"]


def test_missing_spec_exits_2(project):
    build = project.build()
    assert build.exit_code == 2
    assert build.stderr == ("error: seeds/funnel_spec.yml: funnel spec not found; pass --funnel-spec PATH "
                            "or run the command inside a project\n")


def test_missing_input_dir_exits_2(basic_project):
    shutil.rmtree(basic_project.root / "data")
    build = basic_project.build()
    assert build.exit_code == 2
    assert build.stderr == ("error: data/internal: input folder not found; pass --input-dir "
                            "or put the CSV logs in data/internal/\n")


def test_invalid_yaml_names_line(built_project):
    before = _snapshot(built_project.root)
    (built_project.root / "seeds" / "funnel_spec.yml").write_text("version: 1\nfunnels: [\n", encoding="utf-8")
    build = built_project.build()
    assert build.exit_code == 2
    assert build.stderr.startswith("error: seeds/funnel_spec.yml line 3 column 1: invalid YAML:")
    assert "Traceback" not in build.stderr
    assert _snapshot(built_project.root) == before


def test_schema_errors_listed_together(basic_project):
    (basic_project.root / "seeds" / "funnel_spec.yml").write_text(
        "version: 1\nfunnels:\n- {id: a, skills: [x]}\n- {id: a}\n", encoding="utf-8")
    build = basic_project.build()
    assert build.exit_code == 2
    assert build.stderr.splitlines() == [
        "error: seeds/funnel_spec.yml line 3: funnels[0].skills[0]: unknown skill 'x'; "
        "add it under skills: or fix the reference",
        "seeds/funnel_spec.yml line 4: funnels[1].id: duplicate training id 'a': already used by funnels[0]",
    ]


def test_failing_model_exits_1_naming_file(built_project, own_models):
    before = _snapshot(built_project.root)
    model = own_models / "marts" / "fct_orphans.sql"
    model.write_text(model.read_text().replace("orphan_reason,\n        orphan_hint", "no_such_column"))
    build = _build_with_models(built_project, own_models)
    assert build.exit_code == 1
    error = build.stderr[build.stderr.index("error: "):].splitlines()
    assert error[0].startswith(
        "error: sql/marts/fct_orphans.sql line 14 of the rendered SQL: Referenced column \"no_such_column\" not found")
    assert error[1:] == [
        "      12 |         log_kind,",
        "      13 |         logged_id,",
        "  >   14 |         no_such_column",
        "      15 |     from log_rows",
        "      16 |     where orphan_reason is not null",
    ]
    assert _snapshot(built_project.root) == before


def test_ref_to_missing_model_names_file(basic_project, own_models):
    model = own_models / "marts" / "fct_orphans.sql"
    model.write_text(model.read_text().replace("ref('int_log_rows_attributed')", "ref('int_nowhere')"))
    build = _build_with_models(basic_project, own_models)
    assert build.exit_code == 1
    assert build.stderr.strip().splitlines()[-1].startswith(
        "error: sql/marts/fct_orphans.sql line 3: ref('int_nowhere') names no model; known models:")


def test_ref_cycle_names_files(basic_project, own_models):
    (own_models / "marts" / "loop_a.sql").write_text("select * from {{ ref('loop_b') }}\n")
    (own_models / "marts" / "loop_b.sql").write_text("select * from {{ ref('loop_a') }}\n")
    build = _build_with_models(basic_project, own_models)
    assert build.exit_code == 1
    assert build.stderr.strip().splitlines()[-1] == (
        "error: the models' refs form a cycle: sql/marts/loop_a.sql -> sql/marts/loop_b.sql -> "
        "sql/marts/loop_a.sql; remove one of these ref() calls")


def test_jinja_syntax_error_names_line(basic_project, own_models):
    (own_models / "marts" / "broken.sql").write_text("-- a broken model\nselect 1\n{% if %}\n")
    build = _build_with_models(basic_project, own_models)
    assert build.exit_code == 1
    assert build.stderr.strip().splitlines()[-1].startswith("error: sql/marts/broken.sql line 3: Jinja syntax error:")


def test_model_in_new_folder_lands_in_schema(basic_project, own_models):
    (own_models / "reports").mkdir()
    (own_models / "reports" / "open_trainings.sql").write_text(
        "-- One row per training not yet complete.\n"
        "select training_id from {{ ref('fct_training_progress') }} where status <> 'completed'\n")
    build = _build_with_models(basic_project, own_models)
    assert build.exit_code == 0, build.stderr
    assert sorted(build.query("select * from reports.open_trainings")) == [("py_basics",), ("sql_basics",)]
    comment = build.query("select comment from duckdb_tables() where table_name = 'open_trainings'")
    assert comment == [("One row per training not yet complete.",)]


def test_view_materialisation(basic_project, own_models):
    (own_models / "marts" / "step_count.sql").write_text(
        "{{ config(materialized='view') }}\nselect count(*) as steps from {{ source('spec', 'steps') }}\n")
    build = _build_with_models(basic_project, own_models)
    assert build.exit_code == 0, build.stderr
    assert build.query("select table_type from information_schema.tables where table_name = 'step_count'") == [("VIEW",)]


def test_bad_var_value_exits_2(basic_project):
    build = basic_project.build("--var", "stale_after_days=soon")
    assert build.exit_code == 2
    assert build.stderr == "error: --var stale_after_days=soon: stale_after_days must be a whole number\n"


def test_var_without_equals_is_usage_error(basic_project):
    build = basic_project.build("--var", "stale_after_days")
    assert build.exit_code == 2
    assert "is not KEY=VALUE" in build.stderr


def test_unwritable_signals_dir_exits_2(built_project):
    if os.geteuid() == 0:
        pytest.skip("root can write to a read-only folder")
    signals = built_project.root / "signals"
    signals.chmod(0o500)
    try:
        build = built_project.build()
    finally:
        signals.chmod(0o700)
    assert build.exit_code == 2
    assert "signals: folder is not writable" in build.stderr


def test_signals_path_that_is_a_file_exits_2(basic_project):
    (basic_project.root / "signals").write_text("not a folder")
    build = basic_project.build()
    assert build.exit_code == 2
    assert build.stderr.startswith("error: signals: cannot create folder")


def test_repo_cli_script_runs_build(basic_project):
    result = subprocess.run(
        [sys.executable, str(REPO / "cli.py"), "build", "--as-of", "2025-10-21", "-q"],
        cwd=basic_project.root / "data", capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "across 2 trainings" in result.stdout
    assert (basic_project.root / "signals" / "funnel_progress.json").is_file()


def test_build_help_lists_options():
    result = CliRunner().invoke(cli, ["build", "--help"])
    assert result.exit_code == 0
    for option in ("--funnel-spec", "--input-dir", "--signals-dir", "--warehouse", "--as-of", "--var",
                   "--dry-run", "--quiet", "--verbose"):
        assert option in result.output


def test_build_verbose_lists_orphans_and_findings(basic_project):
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,sprot,2025-10-01,True", "Bad,SQL_2,active,2025-10-01,")
    build = basic_project.build("-v")
    assert "  orphan  steps.csv:3  step 'SQL_2': unknown_step (did you mean SQL-2?)" in build.stdout.splitlines()
    assert ('  unknown_status  steps.csv:2  step_status "sprot" is not a status word of the spec '
            '(did you mean sprout?)') in build.stdout.splitlines()


def test_unknown_var_names_template_line(basic_project, own_models):
    (own_models / "marts" / "uses_var.sql").write_text("-- Uses a variable nobody set.\nselect\n    {{ var('nope') }} as x\n")
    build = _build_with_models(basic_project, own_models)
    assert build.exit_code == 1
    assert build.stderr.strip().splitlines()[-1].startswith(
        "error: sql/marts/uses_var.sql line 3: var('nope') is not set; pass --var nope=VALUE")


def test_first_rebuild_is_byte_identical(basic_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1761000000")
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True", "Bad,NOPE,active,2025-10-01,")
    basic_project.build()
    first = {name: data for name, data in _snapshot(basic_project.root).items() if name.startswith("signals/")}
    basic_project.build()
    second = {name: data for name, data in _snapshot(basic_project.root).items() if name.startswith("signals/")}
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], name


def test_disk_error_in_model_exits_2(basic_project, monkeypatch):
    import duckdb

    from trainer import models

    real_run = models.run_model

    class FullDiskConnection:
        def __init__(self, con):
            self.con = con

        def execute(self, sql, *args):
            if sql.startswith("create or replace table marts.fct_orphans"):
                raise duckdb.IOException("Could not write file: No space left on device")
            return self.con.execute(sql, *args)

    monkeypatch.setattr(models, "run_model", lambda con, model, existing=None: real_run(FullDiskConnection(con), model, existing))
    build = basic_project.build()
    assert build.exit_code == 2
    message = build.stderr.strip().splitlines()[-1]
    assert message.startswith("error: ")
    assert message.endswith(
        "sql/marts/fct_orphans.sql: cannot write its table (Could not write file: No space left on device); "
        "free disk space or fix the folder's permissions, then build again")


def test_var_as_of_is_rejected(basic_project):
    build = basic_project.build("--var", "as_of=2025-10-01")
    assert build.exit_code == 2
    assert build.stderr == "error: --var as_of=2025-10-01: set the as-of date with --as-of 2025-10-01\n"


def test_var_bad_timezone_exits_2(basic_project):
    build = basic_project.build("--var", "timezone=Mars/Olympus")
    assert build.exit_code == 2
    assert build.stderr == ("error: --var timezone=Mars/Olympus: unknown time zone; "
                            "use an IANA name such as UTC or Europe/Paris\n")


def test_unused_var_is_a_warning(basic_project):
    build = basic_project.build("--var", "stale_after_day=3")
    assert build.exit_code == 0, build.stderr
    assert "warning: --var stale_after_day: no model or test uses it; check the spelling (used: " in build.stderr


def test_model_lines_count_rows_in_number(basic_project, own_models):
    (own_models / "marts" / "one_row.sql").write_text("-- One row.\nselect 1 as one\n")
    (own_models / "marts" / "two_rows.sql").write_text("-- Two rows.\nselect * from range(2)\n")
    build = _build_with_models(basic_project, own_models)
    assert build.exit_code == 0, build.stderr
    lines = build.stderr.splitlines()
    [one_row] = [line for line in lines if " marts.one_row " in line]
    [two_rows] = [line for line in lines if " marts.two_rows " in line]
    assert re.search(r" \[1 row in \d+\.\d\ds\]$", one_row), one_row
    assert re.search(r" \[2 rows in \d+\.\d\ds\]$", two_rows), two_rows


@pytest.mark.parametrize("rows, more", [(2, " (and 1 more row)"), (3, " (and 2 more rows)")])
def test_short_rows_warning_counts_rows(basic_project, rows, more):
    build = basic_project.log("steps.csv", STEP_HEADER, *["Select,SQL-1,completed"] * rows).build()
    assert build.exit_code == 0, build.stderr
    assert f"steps.csv line 2: 3 fields, header has 5; missing fields read as empty{more}\n" in build.stderr


@pytest.mark.parametrize("rows, more", [(2, " (and 1 more row)"), (3, " (and 2 more rows)")])
def test_trailing_empty_field_warning_counts_rows(basic_project, rows, more):
    build = basic_project.log("steps.csv", STEP_HEADER, *["Select,SQL-1,completed,2025-10-01,True,"] * rows).build()
    assert build.exit_code == 0, build.stderr
    assert f"steps.csv line 2: 6 fields, header has 5; trailing empty field ignored{more}\n" in build.stderr


@pytest.mark.parametrize("rows, more", [(2, " (1 more row like it)"), (3, " (2 more rows like it)")])
def test_extra_field_error_counts_rows(basic_project, rows, more):
    build = basic_project.log("steps.csv", STEP_HEADER, *["Select,SQL-1,completed,2025-10-01,True,x"] * rows).build()
    assert build.exit_code == 2
    assert build.stderr == (f"error: data/internal/steps.csv line 2: 6 fields, header has 5{more}; "
                            "remove the extra value or quote the field that holds a comma\n")


def test_impossible_as_of_is_usage_error(basic_project):
    build = basic_project.build(as_of="2025-02-30")
    assert build.exit_code == 2
    assert "Invalid value for '--as-of': '2025-02-30' is not a date; write YYYY-MM-DD, e.g. 2025-10-21" in build.stderr
