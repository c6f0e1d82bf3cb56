"""Progress and findings rules of sql/marts/ and int_findings, each on a tiny project."""

from __future__ import annotations

import pytest

from conftest import CHAPTER_HEADER, STEP_HEADER, TRAINING_HEADER


def test_step_complete_by_flag_or_status(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,active,2025-10-01,yes",
        "Joins,SQL-2,completed,2025-10-02,",
        "Window,SQL-10,active,2025-10-03,no",
    ).build()
    steps = [step["completed"] for step in build.training("sql_basics")["steps"]]
    assert steps == [True, True, False]
    assert build.training("sql_basics")["percent_complete"] == 66.67


def test_status_completed_when_every_step_done(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,completed,2025-01-02,True",
        "Joins,SQL-2,completed,2025-01-02,True",
        "Window,SQL-10,completed,2025-01-02,True",
    ).build()
    assert build.training("sql_basics")["status"] == "completed"


def test_status_completed_by_training_flag(project):
    from conftest import BASIC_SPEC
    build = project.spec(BASIC_SPEC).log(
        "training.csv", TRAINING_HEADER, "SQL Basics,sql_basics,cooled,2025-03-01,True").build()
    training = build.training("sql_basics")
    assert (training["status"], training["percent_complete"]) == ("completed", 0.0)


@pytest.mark.parametrize(("date", "status"), [
    ("2025-10-07", "in_progress"),  # 14 days before the as-of date: still in progress
    ("2025-10-06", "cooled"),       # 15 days before
])
def test_status_in_progress_until_stale(project, date, status):
    from conftest import BASIC_SPEC
    build = project.spec(BASIC_SPEC).log(
        "training.csv", TRAINING_HEADER, f"SQL Basics,sql_basics,active,{date},False").build()
    assert build.training("sql_basics")["status"] == status


def test_status_not_started_without_activity(basic_project):
    build = basic_project.build()
    training = build.training("py_basics")
    assert (training["status"], training["last_activity"], training["percent_complete"]) == (
        "not_started", None, 0.0)


def test_stale_after_days_var_overrides_spec(project):
    from conftest import BASIC_SPEC
    project.spec(BASIC_SPEC).log("training.csv", TRAINING_HEADER, "SQL Basics,sql_basics,active,2025-10-01,False")
    assert project.build().training("sql_basics")["status"] == "cooled"
    assert project.build("--var", "stale_after_days=30").training("sql_basics")["status"] == "in_progress"


def test_last_activity_spans_training_steps_chapters(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER, "Select,SQL-1,active,2025-10-12,False",
    ).log(
        "chapters.csv", CHAPTER_HEADER, "Ch,SQL-2-1,2025-10-15,True",
    ).build()
    training = build.training("sql_basics")
    assert training["last_activity"] == "2025-10-15"
    steps = {step["id"]: step for step in training["steps"]}
    assert steps["SQL-1"]["last_activity"] == "2025-10-12"
    assert (steps["SQL-2"]["last_activity"], steps["SQL-2"]["chapters_completed"]) == ("2025-10-15", 1)


def test_training_without_steps_counts_by_flag(project):
    project.spec("""\
        version: 1
        funnels:
        - id: reading
          label: Reading
          steps: []
        - id: writing
          label: Writing
          steps: []
    """)
    build = project.log("training.csv", TRAINING_HEADER,
                        "Reading,reading,active,2025-10-10,True",
                        "Writing,writing,active,2025-10-10,False").build()
    assert build.exit_code == 0, build.stderr
    assert "training 'reading' has no steps" in build.stderr
    assert (build.training("reading")["percent_complete"], build.training("reading")["status"]) == (100.0, "completed")
    assert (build.training("writing")["percent_complete"], build.training("writing")["status"]) == (0.0, "in_progress")


def test_out_of_range_dates_are_findings(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,active,2015-10-01,False",
        "Joins,SQL-2,active,2025-12-01,False",
    ).build()
    details = [finding["detail"] for finding in build.findings("date_out_of_range")]
    assert details == [
        "step_last_update_date 2015-10-01 is before valid_from 2025-01-01; it is not used for last activity",
        "step_last_update_date 2025-12-01 is after the as-of date 2025-10-21; it is not used for last activity",
    ]
    assert build.training("sql_basics")["last_activity"] == "2025-10-10"


def test_unknown_status_suggests_nearest(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,sprot,2025-10-01,False").build()
    [finding] = build.findings("unknown_status")
    assert finding["value"] == "sprot"
    assert finding["detail"] == 'step_status "sprot" is not a status word of the spec (did you mean sprout?)'


def test_status_words_compare_case_insensitively(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1, Completed ,2025-10-01,").build()
    assert build.findings() == []
    assert build.training("sql_basics")["steps"][0]["completed"] is True


def test_conflicting_completion_counts_complete(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,False").build()
    [finding] = build.findings("conflicting_completion")
    assert finding["detail"] == 'step_status "completed" but step_is_completed "False"; counted complete'
    assert build.training("sql_basics")["steps"][0]["completed"] is True


def test_bad_flag_falls_back_to_status(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,active,2025-10-01,maybe").build()
    [finding] = build.findings()
    assert (finding["kind"], finding["column"], finding["value"]) == ("bad_flag", "step_is_completed", "maybe")
    assert build.training("sql_basics")["steps"][0]["completed"] is False


def test_duplicate_id_latest_date_counts(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,completed,2025-10-05,True",
        "Select,SQL-1,active,2025-10-01,False",
    ).build()
    [finding] = build.findings("duplicate_id")
    assert finding["row"] == 2
    assert build.training("sql_basics")["steps"][0]["completed"] is True


def test_duplicate_id_tie_later_row_counts(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,completed,2025-10-05,True",
        "Select,sql-1,active,2025-10-05,False",
    ).build()
    [finding] = build.findings("duplicate_id")
    assert finding["row"] == 1
    assert build.training("sql_basics")["steps"][0]["completed"] is False


def test_weekly_activity_counts_completions(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,completed,2025-10-06,True",
        "Joins,SQL-2,completed,2025-10-12,True",
        "Window,SQL-10,completed,2025-10-13,True",
    ).log("chapters.csv", CHAPTER_HEADER, "Ch,SQL-1-1,2025-10-07,True").build()
    weeks = build.progress["weekly_activity"]
    assert weeks == [
        {"week_start": "2025-10-06", "steps_completed": 2, "chapters_completed": 1, "steps_completed_to_date": 2},
        {"week_start": "2025-10-13", "steps_completed": 1, "chapters_completed": 0, "steps_completed_to_date": 3},
    ]


def test_summary_counts_trainings_and_steps(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True").build()
    summary = build.progress["summary"]
    assert (summary["trainings"], summary["steps_completed"], summary["steps_total"]) == (2, 1, 4)
    assert summary["trainings_by_status"] == {"completed": 0, "in_progress": 1, "cooled": 0, "not_started": 1}


def test_duplicate_across_logs_is_a_finding(basic_project):
    build = basic_project.log("a.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True").log(
        "b.csv", STEP_HEADER, "Select,SQL-1,active,2025-10-09,False").build()
    [finding] = build.findings("duplicate_id")
    assert (finding["source_file"], finding["row"]) == ("a.csv", 1)
    assert finding["detail"] == ("step SQL-1 is logged 2 times (a.csv row 1, b.csv row 1); b.csv row 1 counts "
                                 "(latest date, then last file and row)")
    assert build.training("sql_basics")["steps"][0]["completed"] is False
