"""The signal files' contracts, and the real logs in ../shared/real when that folder exists."""

from __future__ import annotations

import re
import shutil

import jsonschema
import pytest
import yaml

from conftest import REAL_LOGS, STEP_HEADER, Project

# The constellation's contract for latest.json, kept here so the test runs without ../shared.
LATEST_CONTRACT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "ts_utc", "module", "repo", "title", "summary", "rating", "origin", "links", "payload"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z0-9\-T:Z_]+$"},
        "ts_utc": {"type": "string", "format": "date-time"},
        "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "module": {"type": "string"},
        "repo": {"type": "string", "pattern": r"^[a-z0-9\-]+$"},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "rating": {"enum": ["critical", "high", "normal", "mundane"]},
        "origin": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "url", "emoji"],
            "properties": {"name": {"type": "string"}, "url": {"type": "string"}, "emoji": {"type": "string"}},
        },
        "links": {
            "type": "object",
            "additionalProperties": False,
            "properties": {key: {"type": "string"} for key in ("readme", "page", "data", "runbook")},
        },
        "payload": {"type": "object"},
        "checksum": {"type": "string"},
        "version": {"type": "string"},
    },
}


@pytest.fixture
def small_build(basic_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1761000000")
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True", "Bad,NOPE,active,2025-10-01,")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    return build


def test_latest_matches_contract(small_build):
    jsonschema.validate(small_build.latest, LATEST_CONTRACT, format_checker=jsonschema.FormatChecker())


def test_latest_matches_published_schema(small_build):
    schema_path = REAL_LOGS / "schema" / "latest.schema.yml"
    if not schema_path.is_file():
        pytest.skip("../shared/real/trainer-model/schema/latest.schema.yml is not present")
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    jsonschema.validate(small_build.latest, schema, format_checker=jsonschema.FormatChecker())


def test_latest_summary_is_one_sentence(small_build):
    latest = small_build.latest
    assert latest["summary"] == (
        "1 of 4 steps complete (25%) across 2 trainings as of 2025-10-21: 0 completed, 1 in progress, "
        "0 cooled, 1 not started; 1 orphan row, 0 findings.")
    assert latest["id"] == "20251020T224000Z-trainer-model-funnel-progress"
    assert latest["rating"] == "high"
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", latest["checksum"])


def test_progress_training_fields(small_build):
    training = small_build.training("sql_basics")
    assert list(training) == [
        "id", "title", "provider", "skills", "status", "logged_status", "training_flag", "steps_total",
        "steps_completed", "completed_step_ids", "percent_complete", "last_activity", "days_since_activity",
        "notes", "steps"]
    assert (training["title"], training["provider"], training["skills"]) == ("SQL Basics", "Acme", ["SK-SQL"])
    assert training["steps"][0] == {
        "id": "SQL-1", "title": "Select", "position": 1, "completed": True, "status": "completed",
        "last_activity": "2025-10-01", "chapters_logged": 0, "chapters_completed": 0}


def test_drilldown_index_lists_logs(small_build):
    index = small_build.drilldown("index.json")
    assert [(log["file"], log["kind"], log["rows"], log["orphans"]) for log in index["logs"]] == [
        ("steps.csv", "step", 2, 1), ("training.csv", "training", 1, 0)]
    assert index["logs"][0]["drilldown"] == "funnel_logs/steps.json"


def test_drilldown_rows_carry_orphan_reason(small_build):
    rows = small_build.drilldown("steps.json")["rows"]
    assert rows[1]["orphan_reason"] == "unknown_step"
    assert rows[1]["fields"] == {"step_id_name": "Bad", "step_id": "NOPE", "step_status": "active",
                                 "step_last_update_date": "2025-10-01", "step_is_completed": ""}


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    if not (REAL_LOGS / "data" / "internal").is_dir():
        pytest.skip("../shared/real/trainer-model is not present")
    root = tmp_path_factory.mktemp("real") / "project"
    shutil.copytree(REAL_LOGS / "seeds", root / "seeds")
    shutil.copytree(REAL_LOGS / "data", root / "data")
    build = Project(root).build()
    assert build.exit_code == 0, build.stderr
    return build


def test_real_logs_totals(real_build):
    summary = real_build.progress["summary"]
    assert summary["trainings"] == 24
    assert (summary["steps_completed"], summary["steps_total"]) == (48, 179)
    assert summary["orphans"] == 0


@pytest.mark.parametrize(("training_id", "percent"), [
    ("coursera_aws", 100.0), ("datacamp_excel", 40.0), ("ibm_bi", 10.0), ("sololearn_js", 75.0), ("word_workout", 0.0),
])
def test_real_logs_percent(real_build, training_id, percent):
    assert real_build.training(training_id)["percent_complete"] == percent


def test_real_logs_statuses(real_build):
    assert real_build.training("coursera_aws")["status"] == "completed"
    assert real_build.training("word_workout")["status"] == "not_started"


def test_real_logs_rows_attributed(real_build):
    logs = {log["file"]: log for log in real_build.progress["logs"]}
    assert (logs["steps_df.csv"]["rows_read"], logs["steps_df.csv"]["attributed"]) == (55, 55)
    assert (logs["chapters_df.csv"]["rows_read"], logs["chapters_df.csv"]["attributed"]) == (187, 187)


def test_real_logs_findings(real_build):
    assert real_build.progress["summary"]["findings_by_kind"] == {
        "bad_date": 1, "bad_flag": 0, "date_out_of_range": 1, "unknown_status": 1,
        "conflicting_completion": 6, "duplicate_id": 0}


def test_progress_lists_skill_labels(small_build):
    assert small_build.progress["skills"] == {"SK-SQL": "SQL", "SK-PY": "Python"}
