"""Property-based tests: generated specs and logs build cleanly and every row is accounted for.

The examples are derandomized, so every run tries the same inputs; raise FUZZ_EXAMPLES to try
more of them locally.
"""

from __future__ import annotations

import csv
import io
import os
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Project

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ_SETTINGS = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                HealthCheck.data_too_large])

ORPHAN_REASONS = {"missing_id", "unknown_training", "unknown_step", "unknown_chapter_step", "unknown_skill"}
STEP_COLUMNS = ["step_id_name", "step_id", "step_status", "step_last_update_date", "step_is_completed"]
TRAINING_COLUMNS = ["training_id_name", "training_id", "training_status", "last_update_date",
                    "training_is_completed"]
# Text that must stay data: SQL quotes and comments, statement ends and Jinja.
HOSTILE_PARTS = ["", "", "'", '"', ";", "--", "/*", "{{ 1 }}", "{% x %}", "$as_of"]
# Every character here is in Windows-1252, so any title can be saved in each encoding below.
TITLE_ALPHABET = string.ascii_letters + string.digits + " ,;|\t\n\"'-éü–’"
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]


@st.composite
def spec_ids(draw, count):
    base = st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=8)
    ids = draw(st.lists(st.tuples(base, st.sampled_from(HOSTILE_PARTS)).map("".join), min_size=count,
                        max_size=count, unique_by=lambda value: value.strip().lower()))
    return ids


@st.composite
def specs(draw):
    """Return (spec document, training ids, step ids)."""
    trainings = draw(st.integers(1, 3))
    steps_per_training = draw(st.lists(st.integers(0, 3), min_size=trainings, max_size=trainings))
    ids = draw(spec_ids(trainings + sum(steps_per_training)))
    training_ids, step_ids = ids[:trainings], ids[trainings:]
    funnels, taken = [], 0
    for training_id, count in zip(training_ids, steps_per_training):
        steps = [{"id": step_id, "label": f"Step {step_id}"} for step_id in step_ids[taken:taken + count]]
        taken += count
        funnels.append({"id": training_id, "label": f"Training {training_id}", "entity": "training",
                        "steps": steps})
    document = {"version": 1, "defaults": {"timezone": "UTC", "valid_from": "2025-01-01",
                                          "statuses": ["active", "completed"]},
                "funnels": funnels}
    return document, training_ids, step_ids


def id_variants(known):
    """A logged id: a spec id in another case or with spaces around it, an unknown id, or none."""
    options = [st.text(string.ascii_letters + "-_ ;'", max_size=6)]
    if known:
        known_id = st.sampled_from(known)
        options += [known_id, known_id.map(str.upper), known_id.map(str.lower), known_id.map(lambda value: f"  {value} ")]
    return st.one_of(*options)


def log_rows(ids):
    dates = st.one_of(st.dates().map(str), st.sampled_from(["", "2025/10/01", "2025-13-01", "not a date",
                                                             "2025-10-09T23:30:00-05:00"]))
    flags = st.sampled_from(["True", "false", "YES", "n", "1", "", "maybe"])
    statuses = st.sampled_from(["active", "Completed ", "", "done"])
    titles = st.text(TITLE_ALPHABET, min_size=1, max_size=20).map(lambda value: f"T{value}")
    return st.lists(st.tuples(titles, id_variants(ids), statuses, dates, flags), max_size=25)


@st.composite
def log_files(draw, columns, ids):
    """Return (file bytes, data rows written, blank lines written) for one log."""
    rows = draw(log_rows(ids))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    order = draw(st.permutations(range(len(columns))))
    header = [draw(st.sampled_from([name, name.upper(), f" {name} "])) for name in columns]
    blank_before = draw(st.lists(st.integers(0, 2), min_size=len(rows) + 1, max_size=len(rows) + 1))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending)
    writer.writerow([header[index] for index in order])
    for row, blanks in zip(rows, blank_before):
        buffer.write(ending * blanks)
        writer.writerow([row[index] for index in order])
    buffer.write(ending * blank_before[-1])
    encoding = draw(st.sampled_from(ENCODINGS))
    return buffer.getvalue().encode(encoding), len(rows), sum(blank_before)


@st.composite
def projects(draw):
    document, training_ids, step_ids = draw(specs())
    logs = {"steps.csv": draw(log_files(STEP_COLUMNS, step_ids))}
    if draw(st.booleans()):
        logs["trainings.csv"] = draw(log_files(TRAINING_COLUMNS, training_ids))
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True), logs


def build_project(root, spec_text, logs):
    project = Project(root)
    (root / "seeds" / "funnel_spec.yml").write_text(spec_text, encoding="utf-8")
    for name, (data, _, _) in logs.items():
        project.log_bytes(name, data)
    return project.build()


def _signal_bytes(root):
    signals = root / "signals"
    return {path.relative_to(signals).as_posix(): path.read_bytes() for path in sorted(signals.rglob("*.json"))}


@FUZZ_SETTINGS
@given(project=projects())
def test_generated_project_builds_with_rows_accounted(tmp_path_factory, monkeypatch, project):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1761000000")
    spec_text, logs = project
    first = build_project(tmp_path_factory.mktemp("fuzz"), spec_text, logs)
    assert first.exit_code == 0, first.stderr
    progress = first.progress
    balance = {entry["file"]: entry for entry in progress["logs"]}
    for name, (_, rows, blank_lines) in logs.items():
        entry = balance[name]
        assert entry["rows_read"] == rows, name
        assert entry["blank_lines"] == blank_lines, name
        assert entry["rows_read"] == entry["attributed"] + entry["orphans"] + entry["skipped_rows"], name
    assert {orphan["reason"] for orphan in progress["orphans"]} <= ORPHAN_REASONS
    for training in progress["trainings"].values():
        assert 0 <= training["percent_complete"] <= 100, training["id"]
    written = _signal_bytes(first.root)
    rebuild = Project(first.root).build()
    assert rebuild.exit_code == 0, rebuild.stderr
    assert _signal_bytes(first.root) == written


@FUZZ_SETTINGS
@given(data=st.binary(max_size=300) | st.text(string.printable + "é\x00\ufeff", max_size=300).map(str.encode),
       header=st.sampled_from([b"", b"step_id,step_status\n", b"training_id;training_is_completed\r\n"]))
def test_arbitrary_log_bytes_build_or_fail_cleanly(tmp_path_factory, data, header):
    root = tmp_path_factory.mktemp("fuzz")
    project = Project(root).spec(yaml.safe_dump({"version": 1, "funnels": [{"id": "t", "label": "T",
                                                                          "steps": [{"id": "s", "label": "S"}]}]}))
    project.log_bytes("steps.csv", header + data)
    build = project.build()
    assert build.exit_code in (0, 2), build.stderr
    errors = [line for line in build.stderr.splitlines() if line.startswith("error: ")]
    assert "Traceback" not in build.stderr
    if build.exit_code:
        assert len(errors) == 1
        assert build.stderr.splitlines()[-1] == errors[0]
    else:
        for entry in build.progress["logs"]:
            assert entry["rows_read"] == entry["attributed"] + entry["orphans"] + entry["skipped_rows"]


@FUZZ_SETTINGS
@given(text=st.text(string.printable + "\t{}[]&*!|>'\"%@`é", max_size=400))
def test_arbitrary_spec_text_is_valid_or_one_error(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("fuzz")
    project = Project(root)
    (root / "seeds" / "funnel_spec.yml").write_text(text, encoding="utf-8")
    project.log("steps.csv", ",".join(STEP_COLUMNS), "Select,s,active,2025-10-01,True")
    build = project.build()
    assert build.exit_code in (0, 2), build.stderr
    assert "Traceback" not in build.stderr
    if build.exit_code:
        lines = build.stderr.splitlines()
        [first] = [index for index, line in enumerate(lines) if line.startswith("error: ")]
        assert lines[first].startswith("error: seeds/funnel_spec.yml")
        for line in lines[first + 1:]:  # every further problem of the spec, one line each
            assert line.startswith(("seeds/funnel_spec.yml", "... and ")), line
