"""Attribution rules of sql/attribution/: one row each rule claims, one just outside, and orphans."""

from __future__ import annotations

from conftest import CHAPTER_HEADER, SKILL_HEADER, STEP_HEADER, TRAINING_HEADER


def _rows(build, log_name):
    return build.drilldown(log_name)["rows"]


def test_step_id_attributes_by_id(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True").build()
    [row] = _rows(build, "steps.json")
    assert (row["training_id"], row["step_id"], row["attributed_by"], row["attributed_key"]) == (
        "sql_basics", "SQL-1", "id", "SQL-1")


def test_step_alias_attributes_by_alias(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,sql-101 ,completed,2025-10-01,True").build()
    [row] = _rows(build, "steps.json")
    assert (row["step_id"], row["attributed_by"], row["attributed_key"]) == ("SQL-1", "alias", "SQL-101")
    assert build.training("sql_basics")["completed_step_ids"] == ["SQL-1"]


def test_training_alias_attributes_by_alias(project):
    project.spec(open_basic_spec())
    build = project.log("training.csv", TRAINING_HEADER, "Old,OLD_SQL,active,2025-10-10,False").build()
    [row] = _rows(build, "training.json")
    assert (row["training_id"], row["attributed_by"], row["attributed_key"]) == ("sql_basics", "alias", "old_sql")


def test_unknown_step_is_orphan_with_hint(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Joins,SQL_2,completed,2025-10-01,True").build()
    [orphan] = build.progress["orphans"]
    assert (orphan["reason"], orphan["id"], orphan["hint"]) == ("unknown_step", "SQL_2", "SQL-2")
    assert build.training("sql_basics")["steps_completed"] == 0


def test_far_unknown_step_gets_no_hint(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "X,COMPLETELY-DIFFERENT,completed,2025-10-01,True").build()
    [orphan] = build.progress["orphans"]
    assert (orphan["reason"], orphan["hint"]) == ("unknown_step", None)


def test_missing_step_id_is_orphan(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Nameless,  ,completed,2025-10-01,True").build()
    [orphan] = build.progress["orphans"]
    assert (orphan["reason"], orphan["row"], orphan["line"]) == ("missing_id", 1, 2)


def test_unknown_training_is_orphan(project):
    project.spec(open_basic_spec())
    build = project.log("training.csv", TRAINING_HEADER, "Mystery,mystery_course,active,2025-10-10,False").build()
    [orphan] = build.progress["orphans"]
    assert (orphan["reason"], orphan["log_kind"]) == ("unknown_training", "training")


def test_chapter_prefix_takes_longest_step(basic_project):
    build = basic_project.log(
        "chapters.csv", CHAPTER_HEADER,
        "One,SQL-1-1,2025-10-01,True",
        "Ten,SQL-10-1,2025-10-02,True",
    ).build()
    rows = _rows(build, "chapters.json")
    assert [(row["step_id"], row["attributed_by"], row["attributed_key"]) for row in rows] == [
        ("SQL-1", "prefix", "SQL-1"), ("SQL-10", "prefix", "SQL-10")]
    steps = {step["id"]: step for step in build.training("sql_basics")["steps"]}
    assert (steps["SQL-1"]["chapters_logged"], steps["SQL-10"]["chapters_logged"]) == (1, 1)


def test_chapter_prefix_needs_separator(basic_project):
    build = basic_project.log("chapters.csv", CHAPTER_HEADER, "Glued,SQL-1X,2025-10-01,True").build()
    [orphan] = build.progress["orphans"]
    assert (orphan["reason"], orphan["id"]) == ("unknown_chapter_step", "SQL-1X")


def test_chapter_prefix_matches_step_alias(basic_project):
    build = basic_project.log("chapters.csv", CHAPTER_HEADER, "Legacy,SQL-101-3,2025-10-01,True").build()
    [row] = _rows(build, "chapters.json")
    assert (row["step_id"], row["attributed_by"], row["attributed_key"]) == ("SQL-1", "prefix", "SQL-101")


def test_chapter_code_equal_to_step_is_orphan(basic_project):
    build = basic_project.log("chapters.csv", CHAPTER_HEADER, "Bare,SQL-2,2025-10-01,True").build()
    assert [orphan["reason"] for orphan in build.progress["orphans"]] == ["unknown_chapter_step"]


def test_unknown_skill_is_orphan(basic_project):
    build = basic_project.log(
        "skills.csv", SKILL_HEADER,
        "SQL,sk-sql,False,active,2025-10-01",
        "Rust,SK-RUST,False,active,2025-10-01",
    ).build()
    rows = _rows(build, "skills.json")
    assert (rows[0]["skill_id"], rows[0]["attributed_by"]) == ("SK-SQL", "id")
    assert (rows[1]["orphan_reason"], rows[1]["skill_id"]) == ("unknown_skill", None)


def test_every_row_is_attributed_or_orphan(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,completed,2025-10-01,True",
        "Bad,NOPE,completed,2025-10-01,True",
        "Empty,,completed,2025-10-01,True",
    ).build()
    [balance] = [log for log in build.progress["logs"] if log["file"] == "steps.csv"]
    assert (balance["rows_read"], balance["attributed"], balance["orphans"]) == (3, 1, 2)
    summary = build.progress["summary"]
    assert summary["rows_read"] == summary["rows_attributed"] + summary["orphans"] + summary["rows_skipped"]


def test_rows_carry_the_default_learner(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True").build()
    learners = build.query("select distinct learner_id from attribution.int_log_rows_attributed")
    assert learners == [("me",)]
    assert build.progress["learner"] == "me"


def open_basic_spec() -> str:
    from conftest import BASIC_SPEC
    return BASIC_SPEC
