"""signals/run_results.json and the change list between two builds."""

from __future__ import annotations

import hashlib
import json

from conftest import STEP_HEADER


def run_results(project) -> dict:
    return json.loads((project.root / "signals" / "run_results.json").read_text(encoding="utf-8"))


def test_run_results_content(basic_project):
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    document = run_results(basic_project)
    assert document["as_of"] == "2025-10-21"
    assert document["selection"] is None
    spec_bytes = (basic_project.root / "seeds" / "funnel_spec.yml").read_bytes()
    assert document["fingerprints"]["spec"] == "sha256:" + hashlib.sha256(spec_bytes).hexdigest()
    assert sorted(document["fingerprints"]["inputs"]) == ["steps.csv", "training.csv"]
    models = {model["name"]: model for model in document["models"]}
    assert len(models) == 20
    assert models["fct_log_rows"]["rows"] == 2
    assert models["fct_log_rows"]["status"] == "success"
    assert models["fct_log_rows"]["refs"] == ["int_log_rows_attributed", "int_findings"]
    assert all(model["seconds"] > 0 for model in document["models"])
    tests = {test["name"]: test for test in document["tests"]}
    assert tests["unique_fct_log_balance_source_file"] == {
        "name": "unique_fct_log_balance_source_file", "kind": "unique", "model": "fct_log_balance",
        "column": "source_file", "severity": "error", "status": "pass", "failing_rows": 0,
        "failing_rows_table": None, "seconds": tests["unique_fct_log_balance_source_file"]["seconds"]}
    assert document["totals"]["models"] == 20
    assert document["totals"]["tests"] == len(tests)
    assert document["totals"]["tests_passed"] == len(tests)
    assert document["totals"]["seconds"] > 0


def test_run_results_reproducible(basic_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1761000000")
    assert basic_project.build().exit_code == 0
    document = run_results(basic_project)
    assert document["generated_at"] == "2025-10-20T22:40:00Z"
    assert document["totals"]["seconds"] is None
    assert {model["seconds"] for model in document["models"]} == {None}


def test_first_build_has_no_changes(basic_project):
    build = basic_project.build()
    assert "Changes: none to show, no previous build to compare with." in build.stdout
    assert all(entries == [] for entries in build.latest["payload"]["changes"].values())


def test_change_list_between_builds(basic_project):
    basic_project.log("steps.csv", STEP_HEADER,
                      "Select,SQL-1,active,2025-10-01,False",
                      "Typo,SQL_2,active,2025-10-02,",
                      "Py,PY-1,active,2025-09-01,")
    assert basic_project.build(as_of="2025-09-10").exit_code == 0
    basic_project.log("steps.csv", STEP_HEADER,
                      "Select,SQL-1,completed,2025-10-01,True",
                      "Joins,SQL-2,active,2025-10-02,",
                      "Py,PY-1,active,2025-09-01,",
                      "Later,NOPE-3,active,2025-10-03,maybe")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    lines = build.stdout.splitlines()
    start = lines.index("Changes since the previous build (as of 2025-09-10):")
    assert lines[start + 1:start + 6] == [
        "  completed  step SQL-1 of sql_basics",
        "  stale      training py_basics (last activity 2025-09-01)",
        "  new orphan steps.csv:5 step 'NOPE-3': unknown_step",
        "  resolved orphan steps.csv:3 step 'SQL_2': unknown_step",
        '  new finding steps.csv:5 bad_flag: step_is_completed "maybe" is not a completion flag '
        "(true/false, t/f, yes/no, y/n, 1/0); read as not given",
    ]
    changes = build.latest["payload"]["changes"]
    assert changes["completed_steps"] == [{"training_id": "sql_basics", "step_id": "SQL-1"}]
    assert changes["went_stale"] == [{"training_id": "py_basics", "last_activity": "2025-09-01"}]
    assert [orphan["id"] for orphan in changes["new_orphans"]] == ["NOPE-3"]
    assert [orphan["id"] for orphan in changes["resolved_orphans"]] == ["SQL_2"]
    assert [finding["kind"] for finding in changes["new_findings"]] == ["bad_flag"]
    # The first build, as of 2025-09-10, found the October dates out of range.
    assert {finding["kind"] for finding in changes["resolved_findings"]} == {"date_out_of_range"}
    assert build.progress["changes"] == changes
    assert run_results(basic_project)["changes"] == changes
