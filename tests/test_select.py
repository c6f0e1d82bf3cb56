"""`trainer build --select`: which models are rebuilt and which are reused from the warehouse."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import CHAPTER_HEADER, REPO, STEP_HEADER


@pytest.fixture
def built(basic_project):
    """basic_project with a step and a chapter log, built once."""
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True")
    basic_project.log("chapters.csv", CHAPTER_HEADER, "Joins one,SQL-2-1,2025-10-03,True")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    return basic_project


def models_by_status(project) -> dict[str, dict]:
    document = json.loads((project.root / "signals" / "run_results.json").read_text(encoding="utf-8"))
    return {model["name"]: model for model in document["models"]}


def built_names(project) -> set[str]:
    return {name for name, model in models_by_status(project).items() if model["status"] == "success"}


MARTS = {"fct_findings", "fct_log_balance", "fct_log_rows", "fct_orphans", "fct_step_progress",
         "fct_training_progress", "fct_weekly_activity"}
DOWNSTREAM_OF_CHAPTERS = {"int_chapters_attributed", "int_log_rows_attributed", "int_findings", "int_learners"} | MARTS


def test_select_builds_model_and_downstream(built):
    build = built.build("--select", "int_chapters_attributed")
    assert build.exit_code == 0, build.stderr
    assert built_names(built) == DOWNSTREAM_OF_CHAPTERS
    models = models_by_status(built)
    assert models["stg_chapters"]["status"] == "reused"
    assert models["stg_chapters"]["seconds"] == 0.0
    assert models["stg_chapters"]["rows"] == 1
    assert models["int_chapters_attributed"]["seconds"] > 0
    assert "REUSED table staging.stg_chapters" in build.stderr


def test_select_with_upstream(built):
    build = built.build("--select", "+int_chapters_attributed")
    assert build.exit_code == 0, build.stderr
    # int_step_keys is upstream, so int_steps_attributed, downstream of it, is rebuilt as well.
    assert built_names(built) == DOWNSTREAM_OF_CHAPTERS | {"stg_chapters", "int_step_keys", "int_steps_attributed"}


def test_select_folder(built):
    build = built.build("--select", "folder:marts")
    assert build.exit_code == 0, build.stderr
    assert built_names(built) == MARTS
    document = json.loads((built.root / "signals" / "run_results.json").read_text(encoding="utf-8"))
    assert document["selection"] == ["folder:marts"]
    assert document["totals"]["models_built"] == 7
    assert document["totals"]["models_reused"] == 13


def test_select_rebuilds_models_of_changed_logs(built):
    """A model reading a changed log is rebuilt even when not selected, so reused rows are never stale."""
    built.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True", "Joins,SQL-2,completed,2025-10-05,True")
    build = built.build("--select", "folder:marts")
    assert build.exit_code == 0, build.stderr
    assert ("warning: --select: the spec, logs, as-of date or --var values changed since the last build, "
            "so 4 more models are rebuilt, with everything downstream") in build.stderr
    models = models_by_status(built)
    assert models["stg_steps"]["status"] == "success"
    assert models["int_step_keys"]["status"] == "reused"
    assert models["fct_log_rows"]["rows"] == 4
    assert build.query("select count(*) from marts.fct_log_rows") == [(4,)]


def test_select_unknown_model_exits_2(built):
    build = built.build("--select", "fct_nowhere")
    assert build.exit_code == 2
    assert build.stderr.splitlines()[-1] == "error: --select fct_nowhere: no model named 'fct_nowhere'; trainer models lists them"


def test_select_unknown_folder_exits_2(built):
    build = built.build("--select", "folder:gold")
    assert build.exit_code == 2
    assert build.stderr.splitlines()[-1] == (
        "error: --select folder:gold: no models in folder 'gold'; folders: attribution, marts, staging")


def test_select_without_warehouse_exits_2(basic_project):
    build = basic_project.build("--select", "fct_orphans")
    assert build.exit_code == 2
    assert build.stderr.splitlines()[-1] == (
        "error: warehouse/trainer.duckdb: --select reuses the warehouse, which does not exist yet; "
        "run trainer build without --select first")


def test_select_works_beside_open_writer(tmp_path):
    """DuckDB's CLI opens a warehouse for writing by default; --select must still build."""
    project = tmp_path / "writer"
    shutil.copytree(REPO / "tests" / "fixtures" / "cases" / "10-duplicate-and-conflicting-step-rows", project)
    command = [sys.executable, str(REPO / "cli.py"), "build", "--as-of", "2025-10-21", "-q", "--models", str(REPO / "sql")]
    subprocess.run(command, cwd=project, check=True, capture_output=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
                               "sys.stdin.read()", str(project / "warehouse" / "trainer.duckdb")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = subprocess.run([*command, "--select", "fct_orphans"], cwd=project, capture_output=True, text=True)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert "across 1 training" in result.stdout


def test_select_rebuilds_all_after_as_of_change(basic_project):
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True")
    assert basic_project.build(as_of="2025-09-01").exit_code == 0
    full = basic_project.build().progress
    reselected = basic_project.build("--select", "int_chapters_attributed", as_of="2025-09-01")
    assert reselected.exit_code == 0, reselected.stderr
    assert "--select: the spec, logs, as-of date or --var values changed since the last build" in reselected.stderr
    again = basic_project.build("--select", "int_chapters_attributed")
    assert again.exit_code == 0, again.stderr
    assert again.progress["summary"] == full["summary"]
    assert again.progress["findings"] == full["findings"]
