"""Odd and hostile inputs and failing output paths: each builds with every row accounted for or
fails with one clear line, and a failure leaves the previous outputs as they were."""

from __future__ import annotations

import errno
import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import REPO, STEP_HEADER

ROW = "Select,SQL-1,completed,2025-10-01,True"


def _outputs(root):
    """Return every output file's bytes, to compare before and after a failed build."""
    paths = sorted((root / "signals").rglob("*")) + [root / "warehouse" / "trainer.duckdb"]
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in paths if path.is_file()}


@pytest.fixture
def built_project(basic_project):
    basic_project.log("steps.csv", STEP_HEADER, ROW)
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    return basic_project


def test_empty_line_inside_quoted_field_is_data(basic_project):
    build = basic_project.log(
        "steps.csv", STEP_HEADER, '"Select\n\nwith a blank line",SQL-1,completed,2025-10-01,True', "",
        "Joins,SQL-2,completed,2025-10-02,True",
    ).build()
    assert build.exit_code == 0, build.stderr
    drilldown = build.drilldown("steps.json")
    assert [(row["row"], row["line"]) for row in drilldown["rows"]] == [(1, 2), (2, 6)]
    assert drilldown["rows"][0]["fields"]["step_id_name"] == "Select\n\nwith a blank line"
    assert drilldown["skipped_lines"] == [{"line": 5, "reason": "blank_line"}]
    [entry] = [log for log in build.progress["logs"] if log["file"] == "steps.csv"]
    assert (entry["rows_read"], entry["blank_lines"]) == (2, 1)


def test_header_ending_in_delimiter_builds(basic_project):
    build = basic_project.log("steps.csv", STEP_HEADER + ",", ROW + ",", "Joins,SQL-2,completed,2025-10-02,True,").build()
    assert build.exit_code == 0, build.stderr
    [entry] = [log for log in build.progress["logs"] if log["file"] == "steps.csv"]
    assert (entry["rows_read"], entry["attributed"]) == (2, 2)
    assert build.training("sql_basics")["steps_completed"] == 2


def test_nul_byte_late_in_utf8_log_is_data(basic_project):
    rows = [ROW] * 400 + ["Join\x00s,SQL-2,completed,2025-10-02,True"]
    build = basic_project.log("steps.csv", STEP_HEADER, *rows).build()
    assert build.exit_code == 0, build.stderr
    drilldown = build.drilldown("steps.json")
    assert len(drilldown["rows"]) == 401
    assert drilldown["rows"][-1]["fields"]["step_id_name"] == "Join\x00s"


def test_log_changing_while_read_is_retried(basic_project, monkeypatch):
    path = basic_project.root / "data" / "internal" / "steps.csv"
    basic_project.log("steps.csv", STEP_HEADER, ROW)
    reads = []
    original = Path.read_bytes

    def read_while_saving(self):
        data = original(self)
        if sys._getframe(1).f_code.co_name != "read_stable":
            return data  # another reader, e.g. the fingerprint of the inputs
        if not reads:
            # The spreadsheet finishes saving just after the first read.
            path.write_text(f"{STEP_HEADER}\n{ROW}\nJoins,SQL-2,completed,2025-10-02,True\n", encoding="utf-8")
        reads.append(self.name)
        return data

    monkeypatch.setattr(Path, "read_bytes", read_while_saving)
    build = basic_project.build()
    assert build.exit_code == 0, build.stderr
    assert reads.count("steps.csv") == 2
    assert build.training("sql_basics")["steps_completed"] == 2


def test_log_always_changing_is_an_error(basic_project, monkeypatch):
    path = basic_project.root / "data" / "internal" / "steps.csv"
    basic_project.log("steps.csv", STEP_HEADER, ROW)
    original = Path.read_bytes

    def read_while_appending(self):
        data = original(self)
        if sys._getframe(1).f_code.co_name == "read_stable":
            with open(path, "a", encoding="utf-8") as log:
                log.write(ROW + "\n")
        return data

    monkeypatch.setattr(Path, "read_bytes", read_while_appending)
    build = basic_project.build()
    assert build.exit_code == 2
    assert build.stderr == ("error: data/internal/steps.csv: the file changed while being read; "
                            "build again once it is saved\n")


def test_fifty_megabyte_spec_is_rejected(basic_project):
    spec = basic_project.root / "seeds" / "funnel_spec.yml"
    with open(spec, "a", encoding="utf-8") as handle:
        handle.write(("# " + "x" * 1022 + "\n") * 50 * 1024)
    build = basic_project.build()
    assert build.exit_code == 2
    assert build.stderr == ("error: seeds/funnel_spec.yml: file is 50.0 MB; "
                            "a funnel spec may be at most 10 MB\n")


def test_form_feed_in_spec_names_line(basic_project):
    spec = basic_project.root / "seeds" / "funnel_spec.yml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("  label: SQL Basics", "  label: SQL\x0cBasics"),
                    encoding="utf-8")
    build = basic_project.build()
    assert build.exit_code == 2
    assert build.stderr == ("error: seeds/funnel_spec.yml line 14: character U+000C is not allowed in YAML; "
                            "remove it\n")


@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "No space left on device"),
                                          (errno.EACCES, "Permission denied")])
def test_unwritable_signal_keeps_previous_outputs(built_project, monkeypatch, code, reason):
    root = built_project.root
    before = _outputs(root)
    import trainer.publish

    original = trainer.publish._write_synced

    def write_until_latest(path, content):
        if path.name == "latest.json":
            raise OSError(code, reason, str(path))
        original(path, content)

    monkeypatch.setattr(trainer.publish, "_write_synced", write_until_latest)
    built_project.log("steps.csv", STEP_HEADER, ROW, "Joins,SQL-2,completed,2025-10-02,True")
    build = built_project.build("-q")
    assert build.exit_code == 2
    assert build.stderr == f"error: signals/latest.json: cannot write ({reason}); the previous outputs are unchanged\n"
    assert _outputs(root) == before
    assert [path.name for path in (root / "signals").iterdir() if ".tmp-" in path.name] == []


def test_unreadable_journal_is_an_error(built_project):
    journal = built_project.root / "warehouse" / ".trainer.duckdb.publish"
    journal.write_text("{not json", encoding="utf-8")
    build = built_project.build()
    assert build.exit_code == 2
    assert build.stderr.startswith("error: warehouse/.trainer.duckdb.publish: unreadable publish journal (")
    assert build.stderr.endswith("; delete it and build again\n")


def test_model_repeating_rows_fails_balance(built_project):
    models = built_project.root / "sql"
    shutil.copytree(REPO / "sql", models)
    model = models / "attribution" / "int_log_rows_attributed.sql"
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("select * from final", "select * from final\nunion all\n(select * from final limit 1)"),
                     encoding="utf-8")
    before = _outputs(built_project.root)
    build = built_project.build("--models", str(models))
    assert build.exit_code == 1
    assert build.stderr.splitlines()[-1].startswith("error: ")
    assert "rows read but" in build.stderr.splitlines()[-1]
    assert "a model drops or repeats rows" in build.stderr.splitlines()[-1]
    assert _outputs(built_project.root) == before


def test_journal_lists_relative_moves(built_project, monkeypatch):
    """The journal names paths relative to the warehouse folder, so a moved project still recovers."""
    import trainer.publish

    seen = []
    original = trainer.publish._complete_moves

    def read_journal(warehouse):
        seen.append(json.loads(trainer.publish.journal_path(warehouse).read_text(encoding="utf-8")))
        original(warehouse)

    monkeypatch.setattr(trainer.publish, "_complete_moves", read_journal)
    build = built_project.build()
    assert build.exit_code == 0, build.stderr
    [journal] = seen
    destinations = [destination for _, destination in journal["moves"]]
    assert destinations[-1] == "trainer.duckdb"
    assert set(destinations[:-1]) >= {"../signals/funnel_logs", "../signals/funnel_progress.json",
                                      "../signals/latest.json"}
