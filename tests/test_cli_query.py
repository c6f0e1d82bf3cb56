"""`trainer query`: formats, files, read-only enforcement and the interactive prompt."""

from __future__ import annotations

import json

import duckdb
import pytest

from conftest import STEP_HEADER, invoke_in

ORPHANS_SQL = "select source_file, line_number, logged_id, orphan_reason from marts.fct_orphans"


@pytest.fixture
def built(basic_project):
    """basic_project with one attributed step row and one orphan, built."""
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True",
                      "Mystery,NOPE-9,active,2025-10-02,")
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    return basic_project


def query(project, *args, input=None):
    return invoke_in(project.root, "query", *args, input=input)


def test_query_csv(built):
    result = query(built, ORPHANS_SQL, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("source_file,line_number,logged_id,orphan_reason\n"
                             "steps.csv,3,NOPE-9,unknown_step\n")


def test_query_json(built):
    result = query(built, "select training_id, steps_completed, last_activity_date from marts.fct_training_progress "
                          "order by funnel_position", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"training_id": "sql_basics", "steps_completed": 1, "last_activity_date": "2025-10-10"},
        {"training_id": "py_basics", "steps_completed": 0, "last_activity_date": None},
    ]


def test_query_markdown(built):
    result = query(built, "select 'a|b' as text, null as nothing", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout == "| text | nothing |\n|---|---|\n| a\\|b | null |\n"


def test_query_table_fits_width(built):
    from trainer.query import QueryResult, format_result

    result = QueryResult(["id", "text"], ["", ""], [(1, "x" * 200)])
    lines = format_result(result, "table", width=40).splitlines()
    assert max(len(line) for line in lines[:-1]) == 40
    assert lines[3].endswith("… |")
    assert lines[-1] == "(1 row)"


def test_query_reads_file(built, tmp_path):
    path = tmp_path / "orphans.sql"
    path.write_text(ORPHANS_SQL + ";\n", encoding="utf-8")
    result = query(built, "-f", str(path), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "steps.csv,3,NOPE-9,unknown_step"


@pytest.mark.parametrize("statement, kind", [
    ("delete from marts.fct_orphans", "DELETE"),
    ("create table marts.extra as select 1", "CREATE"),
    ("copy marts.fct_orphans to 'orphans.csv'", "COPY"),
    ("attach 'other.duckdb'", "ATTACH"),
    ("checkpoint", "CHECKPOINT"),
    ("/* flush */ force checkpoint", "CHECKPOINT"),
    ("call force_checkpoint()", "CHECKPOINT"),
    ("select * from checkpoint()", "CHECKPOINT"),
    ("install httpfs", "INSTALL"),
    ("force install httpfs", "INSTALL"),
    ("load httpfs", "LOAD"),
])
def test_query_rejects_writes(built, statement, kind):
    result = query(built, statement)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {kind} statements are rejected: trainer query is read-only. "
                             "Change the models in sql/ and run trainer build to change the warehouse\n")
    assert built.root.joinpath("orphans.csv").exists() is False


def test_query_rejects_two_statements(built):
    result = query(built, "select 1; select 2")
    assert result.exit_code == 2
    assert result.stderr == "error: 2 statements given; trainer query runs one statement at a time\n"


def test_query_sql_error_exits_2(built):
    result = query(built, "select no_such_column from marts.fct_orphans")
    assert result.exit_code == 2
    assert result.stderr.startswith('error: Binder Error: Referenced column "no_such_column" not found')


def test_query_without_warehouse(basic_project):
    result = query(basic_project, "select 1")
    assert result.exit_code == 2
    assert result.stderr == "error: warehouse/trainer.duckdb: warehouse not found; run trainer build first\n"


def test_query_during_open_build_connection(built):
    """A build writes a staged file beside the warehouse; a query reads the published one meanwhile."""
    staged = built.root / "warehouse" / ".trainer.duckdb.tmp-1"
    with duckdb.connect(str(staged)) as writer:
        writer.execute("begin transaction")
        writer.execute("create table busy as select 1")
        result = query(built, "select count(*) as orphans from marts.fct_orphans", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "orphans\n1\n"


def test_query_reads_while_build_runs(built):
    with duckdb.connect(str(built.root / "warehouse" / "trainer.duckdb"), read_only=True) as reader:
        build = built.build()
        assert build.exit_code == 0, build.stderr
        assert reader.execute("select count(*) from marts.fct_orphans").fetchone() == (1,)


def test_prompt_runs_statements_and_commands(built):
    script = "\n".join([
        ".tables",
        "select logged_id",
        "from marts.fct_orphans;",
        ".schema fct_orphans",
        "select nope;",
        ".quit",
        "select 'never reached';",
    ]) + "\n"
    result = query(built, "--format", "csv", input=script)
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if "| marts " in line and "| fct_orphans " in line]
    assert "logged_id\nNOPE-9\n" in result.stdout
    assert "marts.fct_orphans\n" in result.stdout
    assert "| orphan_reason " in result.stdout
    assert 'error: Binder Error: Referenced column "nope" was not found' in result.stdout
    assert "never reached" not in result.stdout


def test_prompt_ends_at_end_of_input(built):
    result = query(built, input="select 41 + 1 as answer;\n")
    assert result.exit_code == 0, result.output
    assert "| 42     |" in result.stdout


def test_query_allows_column_named_checkpoint(built):
    result = query(built, "select 'checkpoint()' as checkpoint", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "checkpoint\ncheckpoint()\n"


def scripted_input(*lines):
    """Return a read_line for run_prompt that gives `lines` in order, raising KeyboardInterrupt for None."""
    remaining = list(lines)
    prompts = []

    def read_line(prompt):
        prompts.append(prompt)
        if not remaining:
            raise EOFError
        line = remaining.pop(0)
        if line is None:
            raise KeyboardInterrupt
        return line

    return read_line, prompts


def test_prompt_ctrl_c_drops_pending_lines(built):
    from trainer.query import CONTINUATION, HELP, PROMPT, run_prompt

    read_line, prompts = scripted_input("select 'dropped'", "from marts.fct_orphans", None,
                                        "select logged_id from marts.fct_orphans;", ".quit")
    output = []
    with duckdb.connect(str(built.root / "warehouse" / "trainer.duckdb"), read_only=True) as con:
        run_prompt(con, read_line, output.append, "csv")

    assert prompts == [PROMPT, CONTINUATION, CONTINUATION, PROMPT, PROMPT]
    assert output == [HELP, "", "logged_id\nNOPE-9"]


def test_prompt_ctrl_c_then_end_of_input(built):
    from trainer.query import HELP, PROMPT, run_prompt

    read_line, prompts = scripted_input(None, None)
    output = []
    with duckdb.connect(str(built.root / "warehouse" / "trainer.duckdb"), read_only=True) as con:
        run_prompt(con, read_line, output.append, "csv")

    assert prompts == [PROMPT, PROMPT, PROMPT]
    assert output == [HELP, "", ""]


def test_prompt_ctrl_c_cancels_running_statement(built):
    from trainer.query import HELP, run_prompt

    class InterruptedConnection:
        """A connection whose first statement is interrupted, as Ctrl-C during a long query does."""

        def __init__(self, con):
            self.con = con
            self.interrupted = False

        def execute(self, *args):
            if not self.interrupted:
                self.interrupted = True
                raise KeyboardInterrupt
            return self.con.execute(*args)

    read_line, _ = scripted_input("select 1 as slow;", "select 2 as fast;")
    output = []
    with duckdb.connect(str(built.root / "warehouse" / "trainer.duckdb"), read_only=True) as con:
        run_prompt(InterruptedConnection(con), read_line, output.append, "csv")

    assert output == [HELP, "error: interrupted; the statement was cancelled", "fast\n2"]
