"""`trainer explain`: a row's rule and key, its orphan reason, findings and training."""

from __future__ import annotations

import shutil

import pytest

from conftest import CHAPTER_HEADER, REPO, STEP_HEADER, invoke_in


@pytest.fixture
def built(basic_project):
    """Rows attributed by id, by alias and by prefix, an orphan with a hint and a finding, two skipped lines."""
    basic_project.log("steps.csv", STEP_HEADER,
                      "Select,SQL-1,completed,2025-10-01,True",
                      "Old select,SQL-101,active,2025-10-02,",
                      "Typo,SQL_2,active,2025-10-03,maybe",
                      "",
                      ",,,,",
                      "Window,SQL-10,active,2025-10-05,")
    basic_project.log("chapters.csv", CHAPTER_HEADER, "Window one,SQL-10-1,2025-10-04,True")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    return basic_project


def explain(project, target):
    return invoke_in(project.root, "explain", target)


def test_explain_id_row(built):
    result = explain(built, "steps.csv:2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "steps.csv:2 (data row 1 of a step log)",
        "  fields:      step_id_name='Select', step_id='SQL-1', step_status='completed', "
        "step_last_update_date='2025-10-01', step_is_completed='True'",
        "  attributed:  matched by the id rule in sql/attribution/int_steps_attributed.sql on key 'SQL-1'",
        "  counts:      step SQL-1 (Select) of training sql_basics (SQL Basics)",
        "  counted:     no, a later row of the same id counts instead; complete",
        "  findings:    step SQL-1 appears on 2 rows of this log (rows 1, 2); row 2 counts (latest date, then last row)",
    ]


def test_explain_alias_row(built):
    result = explain(built, "steps.csv:3")
    assert result.exit_code == 0, result.output
    assert "  attributed:  matched by the alias rule in sql/attribution/int_steps_attributed.sql on key 'SQL-101'" \
        in result.stdout.splitlines()
    assert "  counted:     yes; not complete" in result.stdout.splitlines()


def test_explain_prefix_row(built):
    result = explain(built, "chapters.csv:2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2] == ("  attributed:  matched by the prefix rule in sql/attribution/int_chapters_attributed.sql "
                        "on key 'SQL-10'")
    assert lines[3] == "  counts:      step SQL-10 (Window functions) of training sql_basics (SQL Basics)"


def test_explain_orphan_row(built):
    result = explain(built, "steps.csv:4")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        "  orphan:      unknown_step: no rule in sql/attribution/int_steps_attributed.sql "
        "matched the logged id 'SQL_2'",
        "  hint:        did you mean SQL-2? Add it as an alias in the spec if the logged id is right",
        '  findings:    step_is_completed "maybe" is not a completion flag (true/false, t/f, yes/no, y/n, 1/0); '
        "read as not given",
    ]


def test_explain_by_logged_id(built):
    result = explain(built, "sql-10-1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "chapters.csv:2 (data row 1 of a chapter log)"


def test_explain_unknown_line_exits_2(built):
    result = explain(built, "steps.csv:99")
    assert result.exit_code == 2
    assert result.stderr == ("error: steps.csv:99: no data row at that line; give FILE:LINE as trainer build -v "
                             "prints it, or a logged id\n")


def test_explain_finds_rows_by_spec_id(built):
    result = explain(built, "sql-1")
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert headers == ["steps.csv:2 (data row 1 of a step log)", "", "steps.csv:3 (data row 2 of a step log)"]


def test_explain_by_step_id_skips_chapters(built):
    result = explain(built, "SQL-10")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "steps.csv:7 (data row 4 of a step log)"
    assert "chapters.csv" not in result.stdout


def test_explain_blank_line(built):
    result = explain(built, "steps.csv:5")
    assert result.exit_code == 0, result.output
    assert result.stdout == "steps.csv:5: this line is blank and was skipped, so no data row comes from it\n"


def test_explain_line_of_empty_fields(built):
    result = explain(built, "steps.csv:6")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("steps.csv:6: this line has only empty fields and was skipped, "
                             "so no data row comes from it\n")


def test_explain_unknown_log_exits_2(built):
    result = explain(built, "nope.csv:3")
    assert result.exit_code == 2
    assert result.stderr == ("error: nope.csv:3: no log named nope.csv in the warehouse "
                             "(logs: chapters.csv, steps.csv, training.csv); "
                             "give one of those names, as trainer build -v prints it\n")


def test_explain_unknown_id_exits_2(built):
    result = explain(built, "SQL-99")
    assert result.exit_code == 2
    assert result.stderr == ("error: SQL-99: no log row logs that id or is attributed to it; "
                             "give FILE:LINE as trainer build -v prints it, or a logged id\n")


def test_explain_after_rule_edit(basic_project, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(REPO / "sql", models)
    rule = models / "attribution" / "int_chapters_attributed.sql"
    old_join = "starts_with(stg_chapters.chapter_key, step_keys.match_key || '-')"
    text = rule.read_text(encoding="utf-8")
    assert old_join in text
    rule.write_text(text.replace(old_join, f"({old_join} or starts_with(stg_chapters.chapter_key, "
                                           "step_keys.match_key || '.'))"), encoding="utf-8")
    basic_project.log("chapters.csv", CHAPTER_HEADER, "Dotted,SQL-10.1,2025-10-04,True", "Unknown,SQL-7-1,2025-10-04,")
    build = invoke_in(basic_project.root, "build", "--models", str(models), "--as-of", "2025-10-21")
    assert build.exit_code == 0, build.stderr

    dotted = explain(basic_project, "chapters.csv:2").stdout.splitlines()
    orphan = explain(basic_project, "chapters.csv:3").stdout.splitlines()

    assert dotted[2] == ("  attributed:  matched by the prefix rule in sql/attribution/int_chapters_attributed.sql "
                         "on key 'SQL-10'")
    assert orphan[2] == ("  orphan:      unknown_chapter_step: no rule in sql/attribution/int_chapters_attributed.sql "
                         "matched the logged id 'SQL-7-1'")
