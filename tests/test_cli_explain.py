"""`trainer explain`: a row's rule and key, its orphan reason, findings and training."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from cli import cli
from conftest import CHAPTER_HEADER, STEP_HEADER


@pytest.fixture
def built(basic_project):
    """Rows attributed by id, by alias and by prefix, plus an orphan with a hint and a finding."""
    basic_project.log("steps.csv", STEP_HEADER,
                      "Select,SQL-1,completed,2025-10-01,True",
                      "Old select,SQL-101,active,2025-10-02,",
                      "Typo,SQL_2,active,2025-10-03,maybe")
    basic_project.log("chapters.csv", CHAPTER_HEADER, "Window one,SQL-10-1,2025-10-04,True")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    return basic_project


def explain(project, target):
    previous = os.getcwd()
    os.chdir(project.root)
    try:
        return CliRunner().invoke(cli, ["explain", target], catch_exceptions=False)
    finally:
        os.chdir(previous)


def test_explain_id_row(built):
    result = explain(built, "steps.csv:2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "steps.csv:2 (data row 1 of a step log)",
        "  fields:      step_id_name='Select', step_id='SQL-1', step_status='completed', "
        "step_last_update_date='2025-10-01', step_is_completed='True'",
        "  attributed:  by id on key 'SQL-1': the logged id 'SQL-1' is the step id (trimmed, case ignored)",
        "  counts:      step SQL-1 (Select) of training sql_basics (SQL Basics)",
        "  counted:     no, a later row of the same id counts instead; complete",
        "  findings:    step SQL-1 appears on 2 rows of this log (rows 1, 2); row 2 counts (latest date, then last row)",
    ]


def test_explain_alias_row(built):
    result = explain(built, "steps.csv:3")
    assert result.exit_code == 0, result.output
    assert "  attributed:  by alias on key 'SQL-101': the logged id 'SQL-101' is an alias of step SQL-1 in the spec" \
        in result.stdout.splitlines()
    assert "  counted:     yes; not complete" in result.stdout.splitlines()


def test_explain_prefix_row(built):
    result = explain(built, "chapters.csv:2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2] == ("  attributed:  by prefix on key 'SQL-10': the chapter code 'SQL-10-1' starts with 'SQL-10-'; "
                        "of the step ids and aliases that match, the longest wins")
    assert lines[3] == "  counts:      step SQL-10 (Window functions) of training sql_basics (SQL Basics)"


def test_explain_orphan_row(built):
    result = explain(built, "steps.csv:4")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        "  orphan:      unknown_step: no step id or alias in the spec matches the logged id ('SQL_2')",
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
