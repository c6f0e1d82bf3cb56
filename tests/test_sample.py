"""The shipped sample (seeds/funnel_spec.yml and data/internal/*.csv) built at 2025-10-21.

Every expected value below was worked out by hand from the sample's CSV rows and the rules in
sql/ before the build was run. A step counts complete when its flag is true or its status is
`completed`. A training is completed when its flag is true or every step is complete. Otherwise
it is in_progress when its last activity is at most 14 days before the as-of date, cooled when
the activity is older, and not_started when there is none.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli import cli
from conftest import AS_OF, REPO, Build

SAMPLE_SPEC = REPO / "seeds" / "funnel_spec.yml"
SAMPLE_LOGS = REPO / "data" / "internal"
SAMPLE_FILES = ("chapters.csv", "skills.csv", "steps.csv", "trainings.csv")

# training id, steps total, steps completed, percent complete, status, last activity, days since.
TRAINING_PROGRESS = [
    ("openquad_stats", 5, 5, 100.0, "completed", "2025-09-14", 37),
    ("harbor_sqlbook", 6, 3, 50.0, "in_progress", "2025-10-16", 5),
    # Last activity 15 days before the as-of date: one day past stale_after_days.
    ("pixelcast_pandas", 5, 2, 40.0, "cooled", "2025-10-06", 15),
    # Last activity exactly 14 days before the as-of date: still in progress.
    ("nimbus_cloud_associate", 5, 2, 40.0, "in_progress", "2025-10-07", 14),
    ("palabrita_spanish", 4, 2, 50.0, "in_progress", "2025-10-19", 2),
    ("openquad_ml", 6, 0, 0.0, "not_started", None, None),
    # The training flag is true while GIT-4 was never logged.
    ("harbor_gitbook", 4, 3, 75.0, "completed", "2025-08-02", 80),
    ("pixelcast_dataviz", 5, 1, 20.0, "cooled", "2025-07-06", 107),
    # No steps in the spec and a false training flag: 0 percent, status from the training row.
    ("katarun_python", 0, 0, 0.0, "in_progress", "2025-10-18", 3),
    # Every step is complete while the training flag is still false.
    ("openquad_linalg", 4, 4, 100.0, "completed", "2025-09-27", 24),
]

# file, rows read, attributed, orphans, blank lines skipped.
LOG_BALANCE = [
    ("chapters.csv", 81, 80, 1, 7),
    ("skills.csv", 8, 8, 0, 0),
    ("steps.csv", 33, 33, 0, 8),
    ("trainings.csv", 10, 10, 0, 0),
]

# finding kind, file, row, line, logged id, column, value.
PLANTED_FINDINGS = [
    ("conflicting_completion", "steps.csv", 8, 10, "SQLB-3", "step_is_completed", "False"),
    ("unknown_status", "steps.csv", 21, 26, "ESP-3", "step_status", "growng"),
    ("bad_date", "steps.csv", 25, 32, "GIT-2", "step_last_update_date", "2025-07=20"),
]


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory) -> Build:
    """The shipped sample built once into a temporary folder; the repository is not written."""
    root = tmp_path_factory.mktemp("sample")
    result = CliRunner().invoke(cli, [
        "build",
        "--funnel-spec", str(SAMPLE_SPEC),
        "--input-dir", str(SAMPLE_LOGS),
        "--models", str(REPO / "sql"),
        "--signals-dir", str(root / "signals"),
        "--warehouse", str(root / "warehouse" / "trainer.duckdb"),
        "--as-of", AS_OF,
    ], catch_exceptions=False)
    return Build(result.exit_code, result.stdout, result.stderr, root)


@pytest.fixture(scope="module")
def progress(sample_build) -> dict:
    """The sample's funnel_progress.json, parsed once."""
    return sample_build.progress


def step_of(progress: dict, training_id: str, step_id: str) -> dict:
    [step] = [step for step in progress["trainings"][training_id]["steps"] if step["id"] == step_id]
    return step


def test_sample_build_exits_zero(sample_build):
    assert sample_build.exit_code == 0, sample_build.stderr


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_log_is_utf8_without_bom(name):
    data = (SAMPLE_LOGS / name).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8").endswith("\n")


def test_sample_spec_has_ten_trainings(progress):
    assert progress["summary"]["trainings"] == 10


def test_sample_spec_has_44_steps(progress):
    assert progress["summary"]["steps_total"] == 44


def test_sample_completes_22_steps(progress):
    assert progress["summary"]["steps_completed"] == 22


def test_sample_percent_complete_is_half(progress):
    assert progress["summary"]["percent_complete"] == 50.0


def test_sample_statuses_cover_every_kind(progress):
    assert progress["summary"]["trainings_by_status"] == {
        "completed": 3, "in_progress": 4, "cooled": 2, "not_started": 1,
    }


@pytest.mark.parametrize(
    "training_id, steps_total, steps_completed, percent, status, last_activity, days_since",
    TRAINING_PROGRESS,
    ids=[row[0] for row in TRAINING_PROGRESS],
)
def test_training_progress_matches_design(progress, training_id, steps_total, steps_completed, percent,
                                          status, last_activity, days_since):
    training = progress["trainings"][training_id]
    assert training["steps_total"] == steps_total
    assert training["steps_completed"] == steps_completed
    assert training["percent_complete"] == percent
    assert training["status"] == status
    assert training["last_activity"] == last_activity
    assert training["days_since_activity"] == days_since


def test_training_list_follows_spec_order(progress):
    assert list(progress["trainings"]) == [row[0] for row in TRAINING_PROGRESS]


def test_training_title_keeps_non_ascii(progress):
    assert progress["trainings"]["palabrita_spanish"]["title"] == "Spanish for Travellers – Café Level"


def test_training_without_steps_warns(progress):
    [warning] = progress["warnings"]
    assert "training 'katarun_python' has no steps" in warning["message"]


def test_orphan_is_bonus_chapter_without_step(progress):
    assert progress["orphans"] == [{
        "source_file": "chapters.csv", "row": 29, "line": 31, "log_kind": "chapter",
        "id": "SQLB-7-1", "reason": "unknown_chapter_step", "hint": None,
    }]


def test_orphan_chapter_counts_toward_no_step(progress):
    chapters = [step["chapters_logged"] for step in progress["trainings"]["harbor_sqlbook"]["steps"]]
    assert chapters == [3, 4, 3, 3, 0, 0]


def test_alias_rows_are_attributed_by_alias(sample_build):
    rows = sample_build.query(
        "select source_file, row_number, logged_id, attributed_key, training_id, step_id "
        "from marts.fct_log_rows where attributed_by = 'alias' order by source_file, row_number"
    )
    assert rows == [
        ("steps.csv", 12, "PANDAS-2", "PANDAS-2", "pixelcast_pandas", "PDS-2"),
        ("trainings.csv", 8, "pixelcast_matplotlib", "pixelcast_matplotlib", "pixelcast_dataviz", None),
    ]


def test_alias_step_counts_complete(progress):
    assert step_of(progress, "pixelcast_pandas", "PDS-2")["completed"] is True


def test_findings_by_kind_are_planted_once(progress):
    assert progress["summary"]["findings_by_kind"] == {
        "bad_date": 1, "bad_flag": 0, "date_out_of_range": 0, "unknown_status": 1,
        "conflicting_completion": 1, "duplicate_id": 0,
    }


@pytest.mark.parametrize("kind, source_file, row, line, logged_id, column, value", PLANTED_FINDINGS,
                         ids=[finding[0] for finding in PLANTED_FINDINGS])
def test_finding_points_at_planted_row(progress, kind, source_file, row, line, logged_id, column, value):
    [finding] = [finding for finding in progress["findings"] if finding["kind"] == kind]
    assert (finding["source_file"], finding["row"], finding["line"]) == (source_file, row, line)
    assert finding["id"] == logged_id
    assert finding["column"] == column
    assert finding["value"] == value


def test_status_typo_suggests_growing(progress):
    [finding] = [finding for finding in progress["findings"] if finding["kind"] == "unknown_status"]
    assert "did you mean growing?" in finding["detail"]


def test_date_typo_suggests_intended_date(progress):
    [finding] = [finding for finding in progress["findings"] if finding["kind"] == "bad_date"]
    assert "did you mean 2025-07-20?" in finding["detail"]


def test_conflicting_step_counts_complete(progress):
    assert step_of(progress, "harbor_sqlbook", "SQLB-3")["completed"] is True


def test_date_typo_step_takes_chapter_date(progress):
    assert step_of(progress, "harbor_gitbook", "GIT-2")["last_activity"] == "2025-07-20"


def test_in_progress_step_counts_its_chapters(progress):
    step = step_of(progress, "harbor_sqlbook", "SQLB-4")
    assert (step["chapters_logged"], step["chapters_completed"]) == (3, 2)


@pytest.mark.parametrize("source_file, rows_read, attributed, orphans, blank_lines", LOG_BALANCE,
                         ids=[entry[0] for entry in LOG_BALANCE])
def test_log_balance_matches_design(progress, source_file, rows_read, attributed, orphans, blank_lines):
    [entry] = [entry for entry in progress["logs"] if entry["file"] == source_file]
    assert entry["rows_read"] == rows_read
    assert entry["attributed"] == attributed
    assert entry["orphans"] == orphans
    assert entry["rows_read"] == entry["attributed"] + entry["orphans"]
    assert entry["blank_lines"] == blank_lines


def test_blank_lines_skipped_total_fifteen(progress):
    assert progress["summary"]["blank_lines_skipped"] == 15


def test_blank_lines_are_recorded_by_line(sample_build):
    rows = sample_build.query(
        "select source_file, list(line_number order by line_number) from raw.skipped_lines "
        "where reason = 'blank_line' group by source_file order by source_file"
    )
    assert rows == [
        ("chapters.csv", [17, 32, 41, 52, 63, 73, 79]),
        ("steps.csv", [7, 13, 18, 23, 27, 30, 34, 38]),
    ]
