-- One row per data row of every recognised log, whatever its kind: how it was attributed or
-- why it is an orphan. Read by int_findings and the marts.
with trainings_attributed as (
    select * from {{ ref('int_trainings_attributed') }}
),

steps_attributed as (
    select * from {{ ref('int_steps_attributed') }}
),

chapters_attributed as (
    select * from {{ ref('int_chapters_attributed') }}
),

skills_attributed as (
    select * from {{ ref('int_skills_attributed') }}
),

-- Kinds lack some columns (a chapter has no status, a skill no training): by name fills nulls.
all_rows as (
    select * from trainings_attributed
    union all by name
    select * from steps_attributed
    union all by name
    select * from chapters_attributed
    union all by name
    select * from skills_attributed
),

final as (
    select
        -- ids
        learner_id,
        source_file,
        row_number,
        line_number,
        log_kind,
        logged_id,
        entity_key,  -- what a duplicate is judged on: the spec id, or the chapter code in lower case
        training_id,
        step_id,
        chapter_id,
        skill_id,

        -- attribution
        attributed_by,
        attributed_key,
        orphan_reason,
        orphan_hint,

        -- attributes
        logged_title,
        status,
        status_text,
        completion_flag_text,
        activity_date_text,

        -- flags
        is_completed_flag,
        is_complete,
        is_counted,

        -- dates
        activity_date,
        valid_activity_date
    from all_rows
)

select * from final
