"""Loading and validating the funnel spec (trainer/spec.py)."""

from __future__ import annotations

import textwrap

import pytest

from trainer.errors import SpecError
from trainer.spec import load_spec


def _load(tmp_path, text: str):
    path = tmp_path / "funnel_spec.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_spec(path, "funnel_spec.yml")


def _problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        _load(tmp_path, text)
    return caught.value.problems


def test_spec_keeps_yaml_one_one_booleans_as_text(tmp_path):
    spec = _load(tmp_path, """\
        version: 1
        defaults:
          statuses: [on, off, yes, no]
        skills:
        - {id: NO, label: Norwegian}
        - {id: 010, label: Octal}
        - {id: 1e3, label: Float}
        funnels:
        - id: y
          skills: [NO, 010, 1e3]
          steps:
          - id: n
    """)
    assert [skill.skill_id for skill in spec.skills] == ["NO", "010", "1e3"]
    assert spec.funnels[0].skills == ("NO", "010", "1e3")
    assert spec.defaults.statuses == ("on", "off", "yes", "no")
    assert (spec.funnels[0].training_id, spec.funnels[0].steps[0].step_id) == ("y", "n")


def test_spec_converts_numbers_and_dates(tmp_path):
    spec = _load(tmp_path, """\
        version: 1
        defaults: {valid_from: '2025-02-03', stale_after_days: 21, sla: {max_days_in_step: 9}, learner: Ada}
        funnels: [{id: t, steps: [{id: s}]}]
    """)
    assert (spec.defaults.valid_from.isoformat(), spec.defaults.stale_after_days) == ("2025-02-03", 21)
    assert (spec.defaults.max_days_in_step, spec.defaults.learner) == (9, "Ada")


def test_spec_step_positions_follow_order(tmp_path):
    spec = _load(tmp_path, "version: 1\nfunnels: [{id: t, steps: [{id: b}, {id: a}, {id: c}]}]\n")
    assert [(step.step_id, step.position) for step in spec.funnels[0].steps] == [("b", 1), ("a", 2), ("c", 3)]


def test_spec_wrong_type_names_key_path(tmp_path):
    problems = _problems(tmp_path, """\
        version: 1
        funnels:
        - id: t
          steps: {id: s}
    """)
    assert problems == ["line 4: funnels[0].steps: must be a list, not a mapping"]


def test_spec_missing_step_id_names_key_path(tmp_path):
    problems = _problems(tmp_path, """\
        version: 1
        funnels:
        - id: a
        - id: b
        - id: c
        - id: d
          steps:
          - id: s1
          - id: s2
          - label: no id here
    """)
    assert problems == ["line 10: funnels[3].steps[2].id: missing; expected a non-empty string"]


def test_spec_duplicate_training_id(tmp_path):
    problems = _problems(tmp_path, "version: 1\nfunnels:\n- id: t\n- id: ' T '\n")
    assert problems == ["line 4: funnels[1].id: duplicate training id 'T': already used by funnels[0]"]


def test_spec_duplicate_step_id_across_trainings(tmp_path):
    problems = _problems(tmp_path, """\
        version: 1
        funnels:
        - {id: a, steps: [{id: S-1}]}
        - {id: b, steps: [{id: s-1}]}
    """)
    assert problems == ["line 4: funnels[1].steps[0].id: duplicate step id 's-1': already used by funnels[0].steps[0]"]


def test_spec_alias_claimed_by_two_ids(tmp_path):
    problems = _problems(tmp_path, """\
        version: 1
        funnels:
        - {id: a, steps: [{id: s1, aliases: [old]}, {id: s2, aliases: [OLD]}]}
    """)
    assert problems == ["line 3: funnels[0].steps[1].aliases[0]: duplicate step alias 'OLD': "
                        "already used by funnels[0].steps[0].aliases[0] (s1)"]


def test_spec_alias_equal_to_other_id(tmp_path):
    problems = _problems(tmp_path, "version: 1\nfunnels:\n- {id: a, aliases: [b]}\n- {id: b}\n")
    assert problems == ["line 4: funnels[1].id: duplicate training id 'b': already used by funnels[0].aliases[0] (a)"]


def test_spec_unknown_skill_reference(tmp_path):
    problems = _problems(tmp_path, "version: 1\nskills: [{id: SQL}]\nfunnels:\n- {id: a, skills: [SQL, Rust]}\n")
    assert problems == ["line 4: funnels[0].skills[1]: unknown skill 'Rust'; add it under skills: or fix the reference"]


def test_spec_reports_all_problems_at_once(tmp_path):
    funnels = "\n".join(f"- {{id: t{index}, skills: [missing]}}" for index in range(12))
    with pytest.raises(SpecError) as caught:
        _load(tmp_path, f"version: 1\nfunnels:\n{funnels}\n")
    assert len(caught.value.problems) == 12
    message = str(caught.value).splitlines()
    assert len(message) == 11
    assert message[-1] == "... and 2 more problems in funnel_spec.yml"


def test_spec_duplicate_key_names_both_lines(tmp_path):
    problems = _problems(tmp_path, """\
        version: 1
        funnels:
        - id: a
          steps: [{id: s1}]
          notes: x
          steps: [{id: s2}]
    """)
    assert problems == ["line 6: duplicate key 'steps' in funnels[0] (first at line 4)"]


def test_spec_tab_indentation(tmp_path):
    problems = _problems(tmp_path, "version: 1\nfunnels:\n- id: a\n\tsteps: []\n")
    assert problems == ["line 4 column 1: tab character used for indentation; indent with spaces"]


def test_spec_top_level_must_be_mapping(tmp_path):
    assert _problems(tmp_path, "- a\n- b\n") == ["line 1: (top level): must be a mapping, not a list"]


def test_spec_anchor_loop_is_an_error(tmp_path):
    problems = _problems(tmp_path, "version: 1\nfunnels: &loop [*loop]\n")
    assert problems == ["line 2 column 10: invalid YAML: found unconstructable recursive node"]


def test_spec_merge_keys_are_rejected(tmp_path):
    problems = _problems(tmp_path, "version: 1\nbase: &b {id: x}\nfunnels:\n- <<: *b\n")
    assert problems == ["line 4: merge keys (<<) are not supported; write the keys out"]


def test_spec_version_must_be_one(tmp_path):
    assert _problems(tmp_path, "version: 2\nfunnels: []\n") == ["line 1: version: is 2; this tool reads version 1"]


def test_spec_bad_defaults(tmp_path):
    problems = _problems(tmp_path, """\
        version: 1
        defaults:
          timezone: Mars/Olympus
          valid_from: someday
          stale_after_days: -1
        funnels: []
    """)
    assert problems == [
        "line 3: defaults.timezone: unknown time zone 'Mars/Olympus'; use an IANA name such as UTC or Europe/Paris",
        "line 4: defaults.valid_from: 'someday' is not a date; write YYYY-MM-DD",
        "line 5: defaults.stale_after_days: must be at least 0, not -1",
    ]


def test_spec_empty_steps_is_a_warning(tmp_path):
    spec = _load(tmp_path, "version: 1\nfunnels:\n- {id: a, steps: []}\n")
    assert spec.warnings == ("line 3: funnels[0].steps: training 'a' has no steps; "
                             "it counts 100% only when its training flag is true",)


def test_spec_unknown_key_is_a_warning(tmp_path):
    spec = _load(tmp_path, "version: 1\nfunnels:\n- {id: a, step: []}\n")
    assert spec.warnings == ("line 3: funnels[0]: unknown key step ignored "
                             "(known: aliases, entity, id, label, notes, provider, skills, steps)",)


def test_spec_oversized_file_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setattr("trainer.spec_yaml.MAX_SPEC_BYTES", 100)
    problems = _problems(tmp_path, "version: 1\n# " + "x" * 200 + "\nfunnels: []\n")
    assert problems == ["file is 0.0 MB; a funnel spec may be at most 0 MB"]


def test_spec_hostile_ids_are_data(tmp_path):
    spec = _load(tmp_path, """\
        version: 1
        funnels:
        - id: "x'; drop table spec.steps; --"
          label: "{{ 7 * 7 }}"
          steps: [{id: "/* s */"}]
    """)
    assert spec.funnels[0].training_id == "x'; drop table spec.steps; --"
    assert spec.funnels[0].label == "{{ 7 * 7 }}"
