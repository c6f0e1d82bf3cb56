"""Reading CSV logs into the raw schema (trainer/logs.py): dialects, encodings and odd files."""

from __future__ import annotations

from conftest import STEP_HEADER


def _step_balance(build, name="steps.csv"):
    [entry] = [log for log in build.progress["logs"] if log["file"] == name]
    return entry


def test_blank_lines_are_counted_skips(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,completed,2025-10-01,True", "", "   ", ",,,,", "",
        "Joins,SQL-2,completed,2025-10-02,True",
    ).build()
    entry = _step_balance(build)
    assert (entry["rows_read"], entry["attributed"], entry["blank_lines"]) == (2, 2, 4)
    rows = build.drilldown("steps.json")["rows"]
    assert [(row["row"], row["line"]) for row in rows] == [(1, 2), (2, 7)]
    skipped = build.drilldown("steps.json")["skipped_lines"]
    assert skipped == [{"line": 3, "reason": "blank_line"}, {"line": 4, "reason": "blank_row"},
                       {"line": 5, "reason": "blank_row"}, {"line": 6, "reason": "blank_line"}]


def test_quoted_fields_keep_commas_quotes_newlines(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        '"Select, with ""quotes""",SQL-1,completed,2025-10-01,True',
        '"Two\nline title",SQL-2,completed,2025-10-02,True',
        "Window,SQL-10,completed,2025-10-03,True",
    ).build()
    rows = build.drilldown("steps.json")["rows"]
    assert rows[0]["fields"]["step_id_name"] == 'Select, with "quotes"'
    assert rows[1]["fields"]["step_id_name"] == "Two\nline title"
    assert [row["line"] for row in rows] == [2, 3, 5]
    assert build.training("sql_basics")["percent_complete"] == 100.0


def test_crlf_and_bom_are_handled(basic_project):
    text = ("\ufeff" + STEP_HEADER + "\r\nSelect,SQL-1,completed,2025-10-01,True\r\n\r\n"
            "Joins,SQL-2,active,2025-10-02,False\r\n")
    build = basic_project.log_bytes("steps.csv", text.encode("utf-8")).build()
    rows = build.drilldown("steps.json")["rows"]
    assert [row["fields"]["step_is_completed"] for row in rows] == ["True", "False"]
    assert [row["line"] for row in rows] == [2, 4]
    assert _step_balance(build)["encoding"] == "utf-8-sig"


def test_utf16_log_is_read(basic_project):
    text = STEP_HEADER + "\nSélect,SQL-1,completed,2025-10-01,True\n"
    build = basic_project.log_bytes("steps.csv", text.encode("utf-16")).build()
    assert build.exit_code == 0, build.stderr
    assert build.drilldown("steps.json")["rows"][0]["fields"]["step_id_name"] == "Sélect"
    assert _step_balance(build)["encoding"] == "utf-16"


def test_semicolon_delimiter_is_detected(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER.replace(",", ";"), "Select;SQL-1;completed;2025-10-01;True").build()
    assert build.training("sql_basics")["steps_completed"] == 1


def test_binary_file_is_rejected(basic_project):
    build = basic_project.log_bytes("steps.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").build()
    assert build.exit_code == 2
    assert build.stderr.strip().splitlines()[-1] == (
        "error: data/internal/steps.csv: binary file (contains NUL bytes), not a CSV log; "
        "move it out of the input folder")


def test_unrecognised_log_is_a_warning(basic_project):
    build = basic_project.log("notes.csv", "date,note", "2025-10-01,hello", "2025-10-02,world").build()
    assert build.exit_code == 0, build.stderr
    assert "data/internal/notes.csv: unrecognised log (2 rows)" in build.stderr
    assert {"kind": "unrecognised_log", "source_file": "notes.csv", "rows": 2} in build.progress["warnings"]
    entry = _step_balance(build, "notes.csv")
    assert (entry["kind"], entry["rows_read"], entry["skipped_rows"]) == ("unrecognised", 2, 2)
    assert len(build.drilldown("notes.json")["rows"]) == 2


def test_headerless_log_warns_header_looks_like_data(basic_project):
    build = basic_project.log("steps.csv", "Select,SQL-1,completed,2025-10-01,True",
                              "Joins,SQL-2,completed,2025-10-02,True").build()
    assert "data/internal/steps.csv line 1: the header row looks like data" in build.stderr


def test_missing_key_column_is_an_error(basic_project):
    build = basic_project.log("steps.csv", "step_id_name,step_status,step_is_completed", "Select,done,True").build()
    assert build.exit_code == 2
    assert build.stderr.strip().splitlines()[-1] == (
        "error: data/internal/steps.csv line 1: looks like a step log (step_id_name, step_status, "
        "step_is_completed) but has no step_id column; add it or rename the id column to step_id")


def test_extra_and_duplicate_columns_are_kept(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER + ",note,note", "Select,SQL-1,completed,2025-10-01,True,a,b").build()
    assert build.exit_code == 0, build.stderr
    assert "column 'note' appears more than once; column 7 is read as 'note_2'" in build.stderr
    fields = build.drilldown("steps.json")["rows"][0]["fields"]
    assert (fields["note"], fields["note_2"]) == ("a", "b")


def test_missing_optional_column_reads_empty(basic_project):
    build = basic_project.log("steps.csv", "step_id,step_status", "SQL-1,completed").build()
    assert build.exit_code == 0, build.stderr
    assert "step log without columns step_id_name, step_last_update_date, step_is_completed" in build.stderr
    assert build.training("sql_basics")["steps"][0]["completed"] is True


def test_short_rows_read_missing_fields_empty(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed").build()
    assert "line 2: 3 fields, header has 5; missing fields read as empty" in build.stderr
    assert build.training("sql_basics")["steps"][0]["completed"] is True


def test_very_long_field_is_read(basic_project):
    title = "x" * 1_000_000
    build = basic_project.log("steps.csv", STEP_HEADER, f"{title},SQL-1,completed,2025-10-01,True").build()
    assert build.exit_code == 0, build.stderr
    assert len(build.drilldown("steps.json")["rows"][0]["fields"]["step_id_name"]) == 1_000_000


def test_many_blank_lines_are_counted(basic_project):
    rows = ["Select,SQL-1,completed,2025-10-01,True"] + [""] * 30_000 + ["Joins,SQL-2,completed,2025-10-02,True"]
    build = basic_project.log("steps.csv", STEP_HEADER, *rows).build()
    entry = _step_balance(build)
    assert (entry["rows_read"], entry["blank_lines"]) == (2, 30_000)
    assert build.drilldown("steps.json")["rows"][1]["line"] == 30_003


def test_raw_rows_keep_file_and_row(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True").build()
    assert build.query("select source_file, row_number, line_number, step_id from raw.steps") == [
        ("steps.csv", 1, 2, "SQL-1")]
    assert build.query("select count(*) from raw.step_log") == [(1,)]


def test_quoted_header_warns_single_column(basic_project):
    build = basic_project.log("steps.csv", f'"{STEP_HEADER}"', '"Select,SQL-1,completed,2025-10-01,True"').build()
    assert build.exit_code == 0, build.stderr
    assert "data/internal/steps.csv line 1: the whole header is one quoted field" in build.stderr
    assert {"kind": "unrecognised_log", "source_file": "steps.csv", "rows": 1} in build.progress["warnings"]


def test_unclosed_quote_is_an_error(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER,
        "Select,SQL-1,completed,2025-10-01,True",
        '"Joins,SQL-2,completed,2025-10-02,True',
        "Window,SQL-10,completed,2025-10-03,True",
    ).build()
    assert build.exit_code == 2
    assert build.stderr.strip().splitlines()[-1] == (
        "error: data/internal/steps.csv line 3: a quote opens a field here and is never closed, so the rest "
        "of the file would be read as one value; close the quote or remove it")


def test_doubled_quotes_are_closed(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER, '"Say ""hi"", ""bye""",SQL-1,completed,2025-10-01,True').build()
    assert build.exit_code == 0, build.stderr
    assert build.drilldown("steps.json")["rows"][0]["fields"]["step_id_name"] == 'Say "hi", "bye"'


def test_header_trailing_delimiter_is_ignored(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER.replace(",", ";") + ";", "Select;SQL-1;completed;2025-10-01;True",
                              "Joins;SQL-2;completed;2025-10-02;True;").build()
    assert build.exit_code == 0, build.stderr
    assert "data/internal/steps.csv line 1: the header ends with 1 empty field (a trailing semicolon); ignored" in build.stderr
    assert "missing fields" not in build.stderr
    assert build.drilldown("steps.json")["columns"] == STEP_HEADER.split(",")
    assert build.training("sql_basics")["steps_completed"] == 2


def test_utf16_without_bom_is_read(basic_project):
    text = STEP_HEADER + "\nSélect,SQL-1,completed,2025-10-01,True\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        build = basic_project.log_bytes("steps.csv", text.encode(encoding)).build()
        assert build.exit_code == 0, build.stderr
        assert build.drilldown("steps.json")["rows"][0]["fields"]["step_id_name"] == "Sélect"
        assert _step_balance(build)["encoding"] == encoding
