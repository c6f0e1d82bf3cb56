"""Load a validated funnel spec into the warehouse's `spec` schema.

Spec values reach SQL only as bound parameters, so an id holding a quote, a semicolon or
`{{ }}` is data, never SQL or template text.
"""

from __future__ import annotations

from .spec import Spec
from .sql import insert_columns, literal

SPEC_TABLES = {
    "funnels": "training_id varchar, label varchar, entity varchar, provider varchar, notes varchar, "
               "funnel_position integer, steps_total integer",
    "steps": "step_id varchar, training_id varchar, label varchar, step_position integer",
    "aliases": "alias varchar, alias_of varchar, target_id varchar",
    "skills": "skill_id varchar, label varchar, skill_position integer",
    "funnel_skills": "training_id varchar, skill_id varchar, skill_position integer",
    "statuses": "status varchar, status_position integer",
}

TABLE_COMMENTS = {
    "funnels": "One row per training (funnel) in the funnel spec, in spec order.",
    "steps": "One row per step of a training, with its 1-based position in the spec.",
    "aliases": "One row per legacy id: alias_of is 'training' or 'step', target_id the id it stands for.",
    "skills": "One row per skill declared in the spec.",
    "funnel_skills": "One row per skill a training teaches.",
    "statuses": "The known status words (defaults.statuses); others are unknown_status findings.",
}


def load_spec_tables(con, spec: Spec):
    con.execute("create schema if not exists spec")
    for table, columns in SPEC_TABLES.items():
        con.execute(f"create or replace table spec.{table} ({columns})")
        con.execute(f"comment on table spec.{table} is {literal(TABLE_COMMENTS[table])}")

    funnels = spec.funnels
    insert_columns(con, "spec.funnels", {
        "training_id": [funnel.training_id for funnel in funnels],
        "label": [funnel.label for funnel in funnels],
        "entity": [funnel.entity for funnel in funnels],
        "provider": [funnel.provider for funnel in funnels],
        "notes": [funnel.notes for funnel in funnels],
        "funnel_position": [funnel.position for funnel in funnels],
        "steps_total": [len(funnel.steps) for funnel in funnels],
    })
    insert_columns(con, "spec.steps", {
        "step_id": [step.step_id for _, step in spec.steps],
        "training_id": [funnel.training_id for funnel, _ in spec.steps],
        "label": [step.label for _, step in spec.steps],
        "step_position": [step.position for _, step in spec.steps],
    })
    aliases = [(alias, "training", funnel.training_id) for funnel in funnels for alias in funnel.aliases]
    aliases += [(alias, "step", step.step_id) for _, step in spec.steps for alias in step.aliases]
    insert_columns(con, "spec.aliases", {
        "alias": [alias for alias, _, _ in aliases],
        "alias_of": [alias_of for _, alias_of, _ in aliases],
        "target_id": [target for _, _, target in aliases],
    })
    insert_columns(con, "spec.skills", {
        "skill_id": [skill.skill_id for skill in spec.skills],
        "label": [skill.label for skill in spec.skills],
        "skill_position": list(range(1, len(spec.skills) + 1)),
    })
    links = [(funnel.training_id, skill, index) for funnel in funnels
             for index, skill in enumerate(funnel.skills, start=1)]
    insert_columns(con, "spec.funnel_skills", {
        "training_id": [training for training, _, _ in links],
        "skill_id": [skill for _, skill, _ in links],
        "skill_position": [index for _, _, index in links],
    })
    insert_columns(con, "spec.statuses", {
        "status": list(spec.defaults.statuses),
        "status_position": list(range(1, len(spec.defaults.statuses) + 1)),
    })
