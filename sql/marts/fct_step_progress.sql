-- One row per learner and spec step: complete or not, last activity and chapters.
-- Read by fct_training_progress and the steps of funnel_progress.json.
with spec_steps as (
    select step_id, training_id, label, step_position from {{ source('spec', 'steps') }}
),

learners as (
    select learner_id from {{ ref('int_learners') }}
),

steps_attributed as (
    select learner_id, step_id, status, is_complete, is_counted, valid_activity_date
    from {{ ref('int_steps_attributed') }}
    where orphan_reason is null
),

chapters_attributed as (
    select learner_id, step_id, is_complete, is_counted, valid_activity_date
    from {{ ref('int_chapters_attributed') }}
    where orphan_reason is null
),

counted_step_rows as (
    select learner_id, step_id, status, is_complete
    from steps_attributed
    where is_counted
),

step_row_dates as (
    select learner_id, step_id, max(valid_activity_date) as last_step_row_date
    from steps_attributed
    group by learner_id, step_id
),

chapters_per_step as (
    select
        learner_id,
        step_id,
        count(*) filter (where is_counted) as chapters_logged,
        count(*) filter (where is_counted and is_complete) as chapters_completed,
        max(valid_activity_date) as last_chapter_date
    from chapters_attributed
    group by learner_id, step_id
),

final as (
    select
        -- ids
        learners.learner_id,
        spec_steps.training_id,
        spec_steps.step_id,

        -- attributes
        spec_steps.label as title,
        spec_steps.step_position,
        counted_step_rows.status,

        -- flags
        coalesce(counted_step_rows.is_complete, false) as is_completed,

        -- measures
        coalesce(chapters_per_step.chapters_logged, 0) as chapters_logged,
        coalesce(chapters_per_step.chapters_completed, 0) as chapters_completed,

        -- dates
        greatest(step_row_dates.last_step_row_date, chapters_per_step.last_chapter_date) as last_activity_date
    from learners
    cross join spec_steps
    left join counted_step_rows
        on counted_step_rows.learner_id = learners.learner_id
        and counted_step_rows.step_id = spec_steps.step_id
    left join step_row_dates
        on step_row_dates.learner_id = learners.learner_id
        and step_row_dates.step_id = spec_steps.step_id
    left join chapters_per_step
        on chapters_per_step.learner_id = learners.learner_id
        and chapters_per_step.step_id = spec_steps.step_id
)

select * from final
