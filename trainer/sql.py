"""Small helpers for writing SQL text safely: identifiers are quoted, values are bound."""

from __future__ import annotations

import datetime as dt


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    """Render a Python value as a DuckDB literal, for Jinja's var(); strings are quoted safely."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return f"date '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def insert_columns(con, table: str, columns: dict[str, list]):
    """Insert rows given column by column, in one statement with the values bound as lists."""
    names = list(columns)
    if not columns or not columns[names[0]]:
        return
    selects = ", ".join(f"unnest(${index})" for index in range(1, len(names) + 1))
    con.execute(
        f"insert into {table} ({', '.join(quote_identifier(name) for name in names)}) select {selects}",
        [columns[name] for name in names],
    )
