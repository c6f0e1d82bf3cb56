"""`trainer query`: run one read-only statement against the warehouse and format the result.

The warehouse is opened with `read_only=True`. A build writes a new file and renames it over the
old one, so a query keeps reading the file it opened and never holds a lock a build waits for.
Statements are also checked before they run, so a write is rejected with a message naming the
statement type rather than DuckDB's error about the attached database.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import InputError, TrainerError

FORMATS = ("table", "csv", "json", "markdown")

# Statement types that only read. COPY, ATTACH, SET and the like are rejected even though some
# would not change the warehouse, so a query can never write a file or change the session.
READ_ONLY_TYPES = ("SELECT", "EXPLAIN", "PRAGMA", "CALL")


class QueryError(InputError):
    """A statement was rejected or DuckDB failed to run it."""


@dataclass
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple]


def open_warehouse(warehouse: Path, display_path: str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; InputError when there is no warehouse yet."""
    if not warehouse.is_file():
        raise InputError(f"{display_path}: warehouse not found; run trainer build first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as err:
        raise InputError(f"{display_path}: cannot open the warehouse: {first_line(err)}") from err


def check_read_only(sql: str) -> str:
    """Return the one statement in `sql`, or raise QueryError for none, several, or a write."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as err:
        raise QueryError(f"invalid SQL: {first_line(err)}") from err
    if not statements:
        raise QueryError("no SQL statement given; pass one, e.g. trainer query \"select 1\"")
    if len(statements) > 1:
        raise QueryError(f"{len(statements)} statements given; trainer query runs one statement at a time")
    statement = statements[0]
    kind = _statement_name(statement)
    if kind not in READ_ONLY_TYPES:
        raise QueryError(f"{kind} statements are rejected: trainer query is read-only. "
                         "Change the models in sql/ and run trainer build to change the warehouse")
    return statement.query


def _statement_name(statement) -> str:
    """Return the statement's type name, made precise where DuckDB's type hides a write.

    DuckDB 2.0.1 types INSTALL as LOAD, and CHECKPOINT, a write of the database file, as CALL.
    """
    words = _words(statement.query)
    kind = statement.type.name
    if kind == "LOAD" and "install" in words[:2]:
        return "INSTALL"
    if kind in ("CALL", "SELECT") and _calls_checkpoint(words):
        return "CHECKPOINT"
    return kind


def _words(sql: str) -> list[str]:
    """Return the lower-case tokens of `sql` without comments, as DuckDB's tokenizer splits them."""
    tokens = duckdb.tokenize(sql)
    words = []
    for index, (start, token_type) in enumerate(tokens):
        end = tokens[index + 1][0] if index + 1 < len(tokens) else len(sql)
        if token_type.name != "comment":
            words.append(sql[start:end].strip().lower())
    return words


def _calls_checkpoint(words: list[str]) -> bool:
    """Return True when the tokens form a CHECKPOINT statement or call checkpoint() or force_checkpoint()."""
    if words[:1] == ["checkpoint"] or words[:2] == ["force", "checkpoint"]:
        return True
    return any(word in ("checkpoint", "force_checkpoint") and following.startswith("(")
               for word, following in zip(words, words[1:]))


def run_query(con, sql: str) -> QueryResult:
    statement = check_read_only(sql)
    try:
        cursor = con.execute(statement)
        rows = cursor.fetchall()
    except duckdb.Error as err:
        raise QueryError(first_line(err)) from err
    description = cursor.description or []
    return QueryResult([column[0] for column in description], [str(column[1]) for column in description], rows)


def first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def format_result(result: QueryResult, output_format: str, width: int | None = None) -> str:
    if output_format == "csv":
        return _csv(result)
    if output_format == "json":
        return _json(result)
    if output_format == "markdown":
        return _markdown(result)
    return _table(result, width or shutil.get_terminal_size((100, 24)).columns)


def _text(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([["" if value is None else _text(value) for value in row] for row in result.rows])
    return buffer.getvalue().rstrip("\n")


def _json(result: QueryResult) -> str:
    records = [dict(zip(result.columns, row)) for row in result.rows]
    return json.dumps(records, indent=2, ensure_ascii=False, default=_json_value)


def _markdown(result: QueryResult) -> str:
    def cell(value) -> str:
        return _text(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(name) for name in result.columns) + " |",
             "|" + "|".join("---" for _ in result.columns) + "|"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in result.rows]
    return "\n".join(lines)


def _table(result: QueryResult, width: int) -> str:
    """Format a boxed text table that fits `width` columns: the widest columns are cut, ending in '…'."""
    cells = [[_text(value).replace("\n", " ") for value in row] for row in result.rows]
    widths = [max([len(name)] + [len(row[index]) for row in cells]) for index, name in enumerate(result.columns)]
    # Each column costs its width plus three characters of separators ("| " and the closing " ").
    while widths and sum(widths) + 3 * len(widths) + 1 > width and max(widths) > 4:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def fit(text: str, size: int) -> str:
        return text if len(text) <= size else text[:size - 1] + "…"

    def line(values) -> str:
        return "| " + " | ".join(fit(value, size).ljust(size) for value, size in zip(values, widths)) + " |"

    rule = "+" + "+".join("-" * (size + 2) for size in widths) + "+"
    lines = [rule, line(result.columns), rule, *(line(row) for row in cells), rule]
    noun = "row" if len(result.rows) == 1 else "rows"
    lines.append(f"({len(result.rows)} {noun})")
    return "\n".join(lines)


PROMPT = "trainer> "
CONTINUATION = "    ...> "
HELP = ".tables lists the tables, .schema NAME describes one, .quit leaves; end a statement with ';'"


def run_prompt(con, read_line, write, output_format: str = "table", history: Path | None = None):
    """Read statements until `.quit` or end of input; each ends with ';' and may span lines.

    `read_line(prompt)` returns a line or raises EOFError (the built-in `input` does). A failing
    statement prints its error and the prompt goes on, and so does Ctrl-C (KeyboardInterrupt),
    which drops the lines typed so far or cancels the running statement. With `history`,
    readline keeps the lines.
    """
    if history is not None:
        _load_history(history)
    write(HELP)
    pending: list[str] = []
    try:
        while True:
            try:
                line = read_line(CONTINUATION if pending else PROMPT)
            except EOFError:
                break
            except KeyboardInterrupt:
                # As in sqlite3 and psql, Ctrl-C drops the statement being typed and the prompt
                # goes on. The newline moves the next prompt past the terminal's "^C".
                pending = []
                write("")
                continue
            stripped = line.strip()
            try:
                if not pending and stripped.startswith("."):
                    if not _run_command(con, stripped, write):
                        break
                    continue
                if stripped:
                    pending.append(line)
                if not stripped.endswith(";"):
                    continue
                statement, pending = "\n".join(pending), []
                write(format_result(run_query(con, statement), output_format))
            except TrainerError as err:
                write(f"error: {err}")
            except KeyboardInterrupt:
                write("error: interrupted; the statement was cancelled")
    finally:
        if history is not None:
            _save_history(history)


def _run_command(con, command: str, write) -> bool:
    """Run a dot command; return False when it ends the prompt."""
    name, _, argument = command.partition(" ")
    if name in (".quit", ".exit"):
        return False
    if name == ".tables":
        write(format_result(run_query(con, TABLES_SQL), "table"))
    elif name == ".schema" and argument.strip():
        write(describe_relation(con, argument.strip()))
    else:
        write(f"error: unknown command {command!r}; {HELP}")
    return True


TABLES_SQL = """
    select schema_name as schema, table_name as name, 'table' as kind, estimated_size as rows, comment
    from duckdb_tables()
    union all
    select schema_name, view_name, 'view', null, comment
    from duckdb_views()
    where not internal and schema_name <> 'pg_catalog'
    order by schema, name
"""


def describe_relation(con, name: str) -> str:
    """Return the columns of one table or view (`schema.name` or a unique bare name) with their comments."""
    schema, _, table = name.rpartition(".")
    rows = con.execute(
        """
        select schema_name || '.' || table_name, column_name, data_type, comment
        from duckdb_columns()
        where table_name = $table and ($schema = '' or schema_name = $schema)
        order by schema_name, column_index
        """,
        {"table": table, "schema": schema},
    ).fetchall()
    if not rows:
        return f"error: no table or view named {name!r}; .tables lists them"
    relations = sorted({row[0] for row in rows})
    if len(relations) > 1:
        return f"error: {name!r} is ambiguous ({', '.join(relations)}); name the schema too"
    result = QueryResult(["column", "type", "description"], ["", "", ""], [row[1:] for row in rows])
    return f"{relations[0]}\n{format_result(result, 'table')}"


def _load_history(path: Path):
    try:
        import readline
    except ImportError:  # Windows has no readline; the prompt works without history
        return
    try:
        readline.read_history_file(str(path))
    except OSError:
        pass


def _save_history(path: Path):
    try:
        import readline
    except ImportError:
        return
    try:
        readline.write_history_file(str(path))
    except OSError:
        pass
