"""`trainer models` and `trainer docs`: run order, lineage tree, and descriptions of every table."""

from __future__ import annotations


import pytest

from conftest import STEP_HEADER, invoke_in


@pytest.fixture
def built(basic_project):
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    return basic_project


def run(project, *args):
    return invoke_in(project.root / "data", *args)  # any subfolder: the project is found by walking up


def test_models_lists_run_order(built):
    result = run(built, "models")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 20
    assert lines[0].split() == ["1.", "int_step_keys", "attribution", "table", "5", "rows", "<-",
                                "source", "spec.steps,", "source", "spec.aliases"]
    line = next(line for line in lines if " fct_log_rows " in line)
    assert line.split()[1:] == ["fct_log_rows", "marts", "table", "2", "rows", "<-",
                                "int_log_rows_attributed,", "int_findings"]


def test_models_tree(built):
    result = run(built, "models", "--tree")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "int_step_keys"
    assert lines[1] == "├── int_chapters_attributed"
    assert "    └── fct_training_progress" in lines
    assert "└── int_chapters_attributed (see above)" in lines


def test_docs_lists_every_table(built, tmp_path):
    out = tmp_path / "dictionary.md"
    result = run(built, "docs", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    tables = built.build().query(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database()")
    assert len(tables) == 34
    for (table,) in tables:
        assert f"### `{table}` (table)" in text, table
    assert "(no description)" not in text
    assert "Upstream: int_log_rows_attributed, int_findings. Downstream: none." in text
    assert ("| attributed_by | VARCHAR | Rule that attributed the row: id (the logged id is a spec id), alias "
            "(a spec alias) or prefix (a chapter code starts with a step id or alias and '-'); null for an orphan. |"
            ) in text


def test_every_column_has_description(built):
    missing = built.build().query("""
        select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()
        where database_name = current_database() and comment is null
    """)
    assert missing == []


def test_describe_shows_description(built):
    rows = built.build().query(
        "select comment from duckdb_columns() where table_name = 'fct_orphans' and column_name = 'orphan_hint'")
    assert rows == [("For an unknown id, the spec id or alias within two edits of it; a hint only, "
                     "never used to attribute.",)]
