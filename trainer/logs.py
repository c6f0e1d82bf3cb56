"""Read the CSV logs in the input folder into the warehouse's `raw` schema.

Every file is read as text with a dialect pinned from its header line, never left to the
sniffer: DuckDB's sniffer silently falls back to a single-column dialect when one row has an
extra field, types a whole date column VARCHAR when one value is mistyped, and names the only
column `column0` for an empty file. Types are parsed later, in the staging models.

For each file the build creates `raw.<file stem>` with every original column (as text) plus
`source_file`, `row_number` (1-based data row, header and blank lines excluded) and
`line_number` (1-based line in the file). Files of a known kind are then stacked into one
table per kind (`raw.step_log` and so on) with a fixed set of columns, so a model never
depends on which optional columns a file happens to have.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from .errors import LogError
from .log_files import (
    LOG_KINDS,
    OPTIONAL_COLUMNS,
    LogFile,
    check_header,
    check_quotes_closed,
    choose_delimiter,
    column_names,
    decode,
    delimiter_name,
    detect_kind,
    drop_trailing_empty_headers,
    find_logs,
    read_stable,
)
from .sql import quote_identifier

# A row may carry this many fields beyond its header before the read fails outright; the
# extra ones are checked afterwards (empty ones are tolerated, others are an error).
EXTRA_FIELDS_ALLOWED = 8
MAX_LINE_BYTES = 64 * 1024 * 1024


def load_logs(con: duckdb.DuckDBPyConnection, input_dir: Path, display_dir: str, scratch: Path) -> list[LogFile]:
    """Load every `*.csv` of `input_dir` into `raw`; return what was read, file by file."""
    con.execute("create schema if not exists raw")
    con.execute(
        "create or replace table raw.skipped_lines "
        "(source_file varchar, line_number bigint, reason varchar)"
    )
    logs = []
    used_tables = {kind.table for kind in LOG_KINDS} | {"log_files", "skipped_lines"}
    for path in find_logs(input_dir):
        log = LogFile(path.name, f"{display_dir}/{path.name}")
        log.table = _table_name(path.stem, used_tables)
        _load_file(con, path, log, scratch)
        logs.append(log)
    _stack_logs_by_kind(con, logs)
    _record_log_files(con, logs)
    return logs


def _table_name(stem: str, used: set[str]) -> str:
    name = re.sub(r"[^0-9a-z_]+", "_", stem.lower()).strip("_") or "log"
    if name[0].isdigit():
        name = f"log_{name}"
    candidate, suffix = name, 2
    while candidate in used:
        candidate, suffix = f"{name}_{suffix}", suffix + 1
    used.add(candidate)
    return candidate


def _load_file(con, path: Path, log: LogFile, scratch: Path):
    data = read_stable(path, log)
    if not data.strip():
        log.skipped_reason = "empty file (0 bytes)" if not data else "empty file (only blank lines)"
        log.warnings.append(f"{log.display_path}: {log.skipped_reason}, skipped")
        log.table = None
        return
    text = decode(data, log)
    header_line = next(line for line in text.splitlines() if line.strip())
    log.delimiter = choose_delimiter(header_line)
    header = drop_trailing_empty_headers(next(csv.reader([header_line], delimiter=log.delimiter)), log)
    log.headers = column_names(header, log)
    log.kind = detect_kind(log)
    check_header(header, log)

    # DuckDB reads a UTF-8 snapshot of exactly the bytes checked above.
    check_quotes_closed(text, log)
    snapshot = scratch / f"{log.table}.csv"
    snapshot.write_text(text, encoding="utf-8", newline="")
    _read_records(con, snapshot, log)
    _number_records(con, snapshot, log)
    _check_field_counts(con, log)
    _create_raw_table(con, snapshot, log)


def _read_records(con, snapshot: Path, log: LogFile):
    """Read every record of the snapshot, header included, into the temp table `csv_records`."""
    width = len(log.headers) + EXTRA_FIELDS_ALLOWED
    columns = ", ".join(f"'f{index}': 'VARCHAR'" for index in range(1, width + 1))
    # nullstr chr(0) keeps a present-but-empty field '' while a missing one is padded with NULL,
    # which is how the field count of each row is known.
    try:
        con.execute(
            f"""
            create or replace temp table csv_records as
            select * from read_csv(
                $path, auto_detect = false, header = false, delim = $delimiter,
                quote = '"', escape = '"', columns = {{{columns}}}, null_padding = true,
                parallel = false, nullstr = chr(0), max_line_size = {MAX_LINE_BYTES}
            )
            """,
            {"path": str(snapshot), "delimiter": log.delimiter},
        )
    except duckdb.Error as err:
        detail = str(err).splitlines()[0].replace("Invalid Input Error: ", "")
        found = re.search(r"Found: (\d+)", str(err))
        if found:
            detail = f"a row has {found.group(1)} fields, header has {len(log.headers)}"
        raise LogError(f"{log.display_path}: cannot read as CSV: {detail}") from err


def _number_records(con, snapshot: Path, log: LogFile):
    """Give each record its first line in the file, its field count and whether it is blank."""
    width = len(log.headers) + EXTRA_FIELDS_ALLOWED
    all_fields = ", ".join(f"coalesce(f{index}, '')" for index in range(1, width + 1))
    field_count = " + ".join(f"(f{index} is not null)::int" for index in range(1, width + 1))
    extra_fields = ", ".join(f"coalesce(f{index}, '')" for index in range(len(log.headers) + 1, width + 1))
    # The fields joined by a separator that no run of newlines crosses, with CRLF read as LF.
    joined = f"replace(concat_ws(chr(31), {all_fields}), chr(13) || chr(10), chr(10))"
    con.execute(
        f"""
        create or replace temp table numbered_records as
        with physical_lines as (
            select generate_subscripts(parts, 1) as line_number, unnest(parts) as line_text
            from (select string_split(content, chr(10)) as parts from read_text($path))
        ),

        -- DuckDB skips empty lines; every other line starts a record or continues a quoted field.
        non_empty_lines as (
            select line_number, row_number() over (order by line_number) - 1 as line_index
            from physical_lines
            where trim(line_text, chr(13)) <> ''
        ),

        records as (
            select
                row_number() over (order by rowid) - 1 as record_index,  -- rowids keep insertion order
                *,
                length(concat({all_fields})) - length(replace(concat({all_fields}), chr(10), '')) as newlines_inside,
                -- A quoted field's lines between its first and last are empty exactly where two
                -- newlines meet, i.e. newlines minus runs of newlines.
                length({joined}) - length(replace({joined}, chr(10), ''))
                    - len(regexp_extract_all({joined}, chr(10) || '+')) as empty_lines_inside
            from csv_records
        ),

        records_with_first_line as (
            select
                *,
                record_index + coalesce(sum(newlines_inside - empty_lines_inside) over (
                    order by record_index rows between unbounded preceding and 1 preceding
                ), 0) as first_line_index
            from records
        )

        select
            records_with_first_line.*,
            non_empty_lines.line_number,
            {field_count} as field_count,
            trim(concat({all_fields})) = '' as is_blank,
            trim(concat({extra_fields})) <> '' as has_extra_values
        from records_with_first_line
        left join non_empty_lines on non_empty_lines.line_index = records_with_first_line.first_line_index
        """,
        {"path": str(snapshot)},
    )


def _check_field_counts(con, log: LogFile):
    """Tolerate empty fields past the header (a trailing comma); reject any other extra field."""
    header_width = len(log.headers)
    rows = con.execute(
        """
        select line_number, field_count, has_extra_values
        from numbered_records
        where record_index > 0 and not is_blank and field_count <> $header_width
        order by record_index
        """,
        {"header_width": header_width},
    ).fetchall()
    extra = [row for row in rows if row[1] > header_width]
    bad = [row for row in extra if row[2]]
    if bad:
        line, field_count, _ = bad[0]
        more = f" ({len(bad) - 1} more {'row' if len(bad) == 2 else 'rows'} like it)" if len(bad) > 1 else ""
        raise LogError(
            f"{log.display_path} line {line}: {field_count} fields, header has {header_width}{more}; "
            f"remove the extra value or quote the field that holds a {delimiter_name(log.delimiter)}"
        )
    if extra:
        line, field_count, _ = extra[0]
        more = f" (and {len(extra) - 1} more {'row' if len(extra) == 2 else 'rows'})" if len(extra) > 1 else ""
        log.warnings.append(f"{log.display_path} line {line}: {field_count} fields, header has "
                            f"{header_width}; trailing empty field ignored{more}")
    short = [row for row in rows if row[1] < header_width]
    if short:
        line, field_count, _ = short[0]
        more = f" (and {len(short) - 1} more {'row' if len(short) == 2 else 'rows'})" if len(short) > 1 else ""
        log.warnings.append(f"{log.display_path} line {line}: {field_count} fields, header has "
                            f"{header_width}; missing fields read as empty{more}")


def _create_raw_table(con, snapshot: Path, log: LogFile):
    named = ",\n            ".join(
        f"f{position} as {quote_identifier(name)}" for position, (_, name) in enumerate(log.headers, start=1)
    )
    con.execute(
        f"""
        create or replace table raw.{quote_identifier(log.table)} as
        select
            $file_name as source_file,
            row_number() over (order by record_index) as row_number,
            line_number,
            {named}
        from numbered_records
        where record_index > 0 and not is_blank
        order by record_index
        """,
        {"file_name": log.file_name},
    )
    con.execute(
        """
        insert into raw.skipped_lines
        select $file_name, line_number, 'blank_row'
        from numbered_records
        where record_index > 0 and is_blank
        """,
        {"file_name": log.file_name},
    )
    log.rows, log.blank_rows = con.execute(
        "select count(*) filter (where not is_blank), count(*) filter (where is_blank) "
        "from numbered_records where record_index > 0"
    ).fetchone()
    log.blank_lines = _record_empty_lines(con, snapshot, log)
    if log.kind == "unrecognised":
        log.warnings.append(
            f"{log.display_path}: unrecognised log ({log.rows} rows): no training_id, step_id, "
            "chapter_id_code or skill_track_code column, so no row counts toward progress"
        )


def _record_empty_lines(con, snapshot: Path, log: LogFile) -> int:
    """Record the empty lines DuckDB skipped in raw.skipped_lines and return how many there were."""
    con.execute(
        """
        insert into raw.skipped_lines
        with empty_lines as (
            select line_number
            from (
                select generate_subscripts(parts, 1) as line_number, unnest(parts) as line_text, len(parts) as line_count
                from (select string_split(content, chr(10)) as parts from read_text($path))
            )
            -- the text after the final newline is not a line
            where trim(line_text, chr(13)) = '' and line_number < line_count
        ),

        record_lines as (
            select line_number as first_line, line_number + newlines_inside as last_line
            from numbered_records
            where line_number is not null
        )

        -- An empty line inside a quoted field belongs to its record and is not skipped.
        select $file_name, empty_lines.line_number, 'blank_line'
        from empty_lines
        asof left join record_lines on empty_lines.line_number >= record_lines.first_line
        where record_lines.last_line is null or empty_lines.line_number > record_lines.last_line
        """,
        {"file_name": log.file_name, "path": str(snapshot)},
    )
    return con.execute(
        "select count(*) from raw.skipped_lines where source_file = $file_name and reason = 'blank_line'",
        {"file_name": log.file_name},
    ).fetchone()[0]


def _stack_logs_by_kind(con, logs: list[LogFile]):
    """Create raw.<kind>_log for each kind: the files of that kind stacked, with fixed columns."""
    for kind in LOG_KINDS:
        columns = (*kind.columns, *OPTIONAL_COLUMNS)
        selects = []
        for log in logs:
            if log.kind != kind.name or log.table is None:
                continue
            present = {name for _, name in log.headers}
            fields = ", ".join(
                f"{quote_identifier(column)}" if column in present else f"null::varchar as {column}"
                for column in columns
            )
            selects.append(f"select source_file, row_number, line_number, {fields} "
                           f"from raw.{quote_identifier(log.table)}")
        if not selects:
            empty = ", ".join(f"null::varchar as {column}" for column in columns)
            selects.append(f"select null::varchar as source_file, null::bigint as row_number, "
                           f"null::bigint as line_number, {empty} limit 0")
        con.execute(f"create or replace table raw.{kind.table} as\n" + "\nunion all\n".join(selects))


def _record_log_files(con, logs: list[LogFile]):
    con.execute(
        """
        create or replace table raw.log_files (
            source_file varchar, log_kind varchar, table_name varchar, encoding varchar,
            delimiter varchar, rows_read bigint, blank_rows bigint, blank_lines bigint,
            skipped_reason varchar
        )
        """
    )
    if not logs:
        return
    con.execute(
        """
        insert into raw.log_files
        select * from (
            select
                unnest($files), unnest($kinds), unnest($tables), unnest($encodings), unnest($delimiters),
                unnest($rows), unnest($blank_rows), unnest($blank_lines), unnest($reasons)
        )
        """,
        {
            "files": [log.file_name for log in logs],
            "kinds": [log.kind for log in logs],
            "tables": [f"raw.{log.table}" if log.table else None for log in logs],
            "encodings": [log.encoding for log in logs],
            "delimiters": [log.delimiter for log in logs],
            "rows": [log.rows for log in logs],
            "blank_rows": [log.blank_rows for log in logs],
            "blank_lines": [log.blank_lines for log in logs],
            "reasons": [log.skipped_reason for log in logs],
        },
    )
