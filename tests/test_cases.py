"""The inputs under tests/fixtures/cases/, each taken from a public bug report about the same kind
of logs (CSV sniffing, YAML typing, funnel attribution), built with --as-of 2025-10-21."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, copy_case


@pytest.fixture
def case(tmp_path):
    def build_case(name: str, *extra: str):
        return copy_case(name, tmp_path / "case").build(*extra)
    return build_case


def test_date_typo_is_one_bad_date_finding(case):
    build = case("01-step-date-typo-column-turns-varchar")
    assert build.exit_code == 0, build.stderr
    [finding] = build.findings()
    assert finding["kind"] == "bad_date"
    assert (finding["source_file"], finding["row"], finding["line"]) == ("steps_df.csv", 2, 3)
    assert finding["column"] == "step_last_update_date"
    assert finding["value"] == "2025=09-28"
    assert "did you mean 2025-09-28?" in finding["detail"]


def test_date_typo_row_still_counts(case):
    build = case("01-step-date-typo-column-turns-varchar")
    training = build.training("sololearn_csharp")
    assert training["steps_total"] == 3
    assert training["completed_step_ids"] == ["SL-CSHARP-1", "SL-CSHARP-2"]
    assert training["percent_complete"] == 66.67
    assert training["last_activity"] == "2025-10-20"
    assert training["status"] == "in_progress"
    assert training["steps"][1]["last_activity"] is None
    assert build.progress["orphans"] == []


def test_date_typo_keeps_date_column_typed(case):
    build = case("01-step-date-typo-column-turns-varchar")
    types = dict(build.query("select column_name, data_type from information_schema.columns "
                             "where table_schema = 'staging' and table_name = 'stg_steps'"))
    assert types["activity_date"] == "DATE"
    dates = build.query("select activity_date from staging.stg_steps order by row_number")
    assert [str(row[0]) for row in dates] == ["2025-10-11", "None", "2025-10-20"]


def test_cp1252_log_is_decoded_with_warning(case):
    build = case("02-cp1252-and-bom-excel-exports/a-cp1252")
    assert build.exit_code == 0, build.stderr
    assert "data/internal/training_df.csv line 3: not UTF-8 (byte 0xE7); read as Windows-1252" in build.stderr
    titles = [row["fields"]["training_id_name"] for row in build.drilldown("training_df.json")["rows"]]
    assert titles == ["Excel Fundamentals", "Introdução ao SQL", "A Beginner\u2019s Guide to R"]
    assert build.progress["summary"]["rows_attributed"] == 6


def test_cp1252_undecodable_byte_fails_cleanly(case, tmp_path):
    project = copy_case("02-cp1252-and-bom-excel-exports/a-cp1252", tmp_path / "undecodable")
    good = project.build()
    assert good.exit_code == 0
    before = (project.root / "signals" / "funnel_progress.json").read_bytes()
    # 0x81 is undefined in Windows-1252, so the file is neither UTF-8 nor Windows-1252.
    path = project.root / "data" / "internal" / "training_df.csv"
    path.write_bytes(path.read_bytes().replace(b"\xe7", b"\x81"))
    bad = project.build()
    assert bad.exit_code == 2
    assert bad.stderr.strip().splitlines()[-1] == (
        "error: data/internal/training_df.csv line 3: not UTF-8 (byte 0x81) nor Windows-1252; "
        "save the file as UTF-8")
    assert (project.root / "signals" / "funnel_progress.json").read_bytes() == before


def test_bom_crlf_log_reads_clean_titles(case):
    build = case("02-cp1252-and-bom-excel-exports/b-utf8-bom-crlf")
    assert build.exit_code == 0, build.stderr
    drilldown = build.drilldown("training_df.json")
    assert drilldown["columns"][0] == "training_id_name"
    titles = [row["fields"]["training_id_name"] for row in drilldown["rows"]]
    assert titles == ["Excel Fundamentals", "Introdução ao SQL", "A Beginner\u2019s Guide to R"]
    flags = [row["fields"]["training_is_completed"] for row in drilldown["rows"]]
    assert flags == ["False", "False", "False"]
    percents = {key: value["percent_complete"] for key, value in build.progress["trainings"].items()}
    assert percents == {"datacamp_excel": 100.0, "sololearn_sql": 100.0, "datacamp_r": 0.0}
    assert build.progress["orphans"] == []


def test_trailing_comma_is_tolerated_with_warning(case):
    build = case("03-trailing-comma-collapses-columns")
    assert build.exit_code == 0, build.stderr
    assert ("data/internal/steps_df.csv line 2: 6 fields, header has 5; trailing empty field ignored"
            in build.stderr)
    training = build.training("sololearn_sql")
    assert training["percent_complete"] == 75.0
    assert training["last_activity"] == "2025-10-17"
    [steps_log] = [log for log in build.progress["logs"] if log["file"] == "steps_df.csv"]
    assert (steps_log["kind"], steps_log["rows_read"], steps_log["attributed"]) == ("step", 4, 4)


def test_trailing_non_empty_field_is_an_error(case, tmp_path):
    project = copy_case("03-trailing-comma-collapses-columns", tmp_path / "extra")
    path = project.root / "data" / "internal" / "steps_df.csv"
    path.write_text(path.read_text().replace("True,\n", "True,oops\n"))
    build = project.build()
    assert build.exit_code == 2
    assert build.stderr.strip() == (
        "error: data/internal/steps_df.csv line 2: 6 fields, header has 5; "
        "remove the extra value or quote the field that holds a comma")


def test_header_only_chapter_log_has_typed_columns(case):
    build = case("04-header-only-and-zero-byte-chapter-log/a-header-only")
    assert build.exit_code == 0, build.stderr
    training = build.training("datacamp_excel")
    assert (training["percent_complete"], training["status"]) == (100.0, "completed")
    assert training["last_activity"] == "2025-10-19"
    assert [step["chapters_logged"] for step in training["steps"]] == [0, 0]
    types = dict(build.query("select column_name, data_type from information_schema.columns "
                             "where table_schema = 'staging' and table_name = 'stg_chapters'"))
    assert types["activity_date"] == "DATE"
    [entry] = [log for log in build.drilldown("index.json")["logs"] if log["file"] == "chapters_df.csv"]
    assert (entry["kind"], entry["rows"]) == ("chapter", 0)


def test_zero_byte_log_is_skipped_with_warning(case):
    build = case("04-header-only-and-zero-byte-chapter-log/b-zero-byte")
    assert build.exit_code == 0, build.stderr
    assert "warning: data/internal/chapters_df.csv: empty file (0 bytes), skipped" in build.stderr
    assert build.progress["summary"]["files_skipped"] == 1
    assert build.training("datacamp_excel")["percent_complete"] == 100.0
    assert "column0" not in build.stdout + build.stderr


def test_reordered_columns_bind_by_name(case):
    build = case("05-reordered-columns-explicit-schema")
    assert build.exit_code == 0, build.stderr
    training = build.training("datacamp_excel")
    assert (training["steps_completed"], training["percent_complete"]) == (1, 50.0)
    assert training["last_activity"] == "2025-10-19"
    second = training["steps"][1]
    assert (second["completed"], second["status"]) == (False, "sprout")
    assert build.findings() == []
    first_row = build.drilldown("steps_df.json")["rows"][0]["fields"]
    assert first_row["step_id"] == "DC-EXCEL-1"
    assert first_row["step_id_name"] == "Introduction to Excel"


def test_flag_spellings_are_read(case):
    build = case("06-completion-flag-spellings")
    assert build.exit_code == 0, build.stderr
    training = build.training("sololearn_coding")
    assert training["completed_step_ids"] == ["SL-CODE-1", "SL-CODE-2", "SL-CODE-3", "SL-CODE-4"]
    assert training["percent_complete"] == 66.67
    assert training["last_activity"] == "2025-10-20"
    [finding] = build.findings()
    assert (finding["kind"], finding["row"], finding["line"]) == ("bad_flag", 5, 6)
    assert (finding["column"], finding["value"]) == ("step_is_completed", "Ture")


def test_norway_ids_stay_strings(case):
    build = case("07-yaml-norway-ids-and-status-words")
    assert build.exit_code == 0, build.stderr
    training = build.training("duolingo_norwegian")
    assert training["skills"] == ["NO"]
    assert (training["steps_completed"], training["percent_complete"]) == (1, 33.33)
    assert training["last_activity"] == "2025-10-18"
    assert build.findings("unknown_status") == []


def test_duplicate_steps_key_is_rejected(case, tmp_path):
    build = case("08-yaml-duplicate-keys-and-tabs/a-duplicate-steps-key")
    assert build.exit_code == 2
    assert build.stderr.strip().endswith(
        "funnel_spec.yml line 25: duplicate key 'steps' in funnels[0] (first at line 19)")
    assert not (build.root / "signals" / "funnel_progress.json").exists()


def test_tab_indent_is_rejected(case):
    build = case("08-yaml-duplicate-keys-and-tabs/b-tab-indent")
    assert build.exit_code == 2
    assert build.stderr.strip().endswith(
        "funnel_spec.yml line 23 column 1: tab character used for indentation; indent with spaces")
    assert "Traceback" not in build.stderr


def test_same_day_completions_all_count(case):
    build = case("09-same-day-step-completions")
    assert build.exit_code == 0, build.stderr
    training = build.training("becoming_a_data_head")
    assert training["completed_step_ids"] == ["BADH-1", "BADH-2", "BADH-3"]
    assert (training["percent_complete"], training["status"]) == (75.0, "in_progress")
    assert training["last_activity"] == "2025-10-19"
    assert build.findings() == []
    assert build.progress["orphans"] == []


def test_duplicate_rows_never_exceed_hundred_percent(case):
    build = case("10-duplicate-and-conflicting-step-rows")
    assert build.exit_code == 0, build.stderr
    training = build.training("datacamp_sql")
    assert (training["steps_completed"], training["percent_complete"]) == (2, 100.0)
    assert (training["status"], training["last_activity"]) == ("completed", "2025-10-19")
    duplicates = build.findings("duplicate_id")
    assert [(finding["id"], finding["row"]) for finding in duplicates] == [("DC-SQL-1", 1), ("DC-SQL-2", 3)]
    assert "rows 3, 4); row 4 counts" in duplicates[1]["detail"]
    assert build.progress["summary"]["rows_attributed"] == 5


def test_id_case_and_spaces_are_normalised(case):
    build = case("11-step-ids-case-whitespace-typo")
    assert build.exit_code == 0, build.stderr
    rows = build.drilldown("steps_df.json")["rows"]
    assert [(row["step_id"], row["attributed_by"]) for row in rows[:2]] == [("SL-CSHARP-1", "id"), ("SL-CSHARP-2", "id")]
    assert rows[0]["fields"]["step_id"] == "SL-CSHARP-1 "
    [orphan] = build.progress["orphans"]
    assert (orphan["row"], orphan["line"], orphan["id"]) == (3, 4, "SL-CSHARP=3")
    assert (orphan["reason"], orphan["hint"]) == ("unknown_step", "SL-CSHARP-3")
    assert build.training("sololearn_csharp")["percent_complete"] == 66.67
    training_row = build.drilldown("training_df.json")["rows"][0]
    assert training_row["training_id"] == "sololearn_csharp"


def _build_with_tz(tmp_path, tz: str) -> dict[str, bytes]:
    project = copy_case("12-offset-timestamps-shift-the-day", tmp_path / tz.replace("/", "_"))
    env = {**os.environ, "TZ": tz, "SOURCE_DATE_EPOCH": "1761000000"}
    subprocess.run([sys.executable, str(REPO / "cli.py"), "build", "--as-of", "2025-10-21", "-q"],
                   cwd=project.root, env=env, check=True, capture_output=True)
    signals = project.root / "signals"
    return {str(path.relative_to(signals)): path.read_bytes() for path in sorted(signals.rglob("*.json"))}


def test_offset_timestamps_ignore_machine_zone(tmp_path):
    outputs = [_build_with_tz(tmp_path, tz) for tz in ("UTC", "America/Los_Angeles", "Asia/Tokyo")]
    assert outputs[0] == outputs[1] == outputs[2]
    progress = json.loads(outputs[0]["funnel_progress.json"])
    training = progress["trainings"]["the_art_of_statistics"]
    assert [step["last_activity"] for step in training["steps"]] == ["2025-10-10", "2025-10-10", "2025-10-17"]
    assert (training["steps_completed"], training["percent_complete"]) == (2, 66.67)
    assert training["last_activity"] == "2025-10-17"
