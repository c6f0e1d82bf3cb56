-- One row per learner and spec training: steps done, percent, last activity and status.
-- Read by funnel_progress.json and latest.json.
with funnels as (
    select training_id, label, provider, notes, funnel_position, steps_total from {{ source('spec', 'funnels') }}
),

step_progress as (
    select learner_id, training_id, step_id, step_position, is_completed, last_activity_date
    from {{ ref('fct_step_progress') }}
),

trainings_attributed as (
    select learner_id, training_id, status_text, is_complete, is_counted, valid_activity_date
    from {{ ref('int_trainings_attributed') }}
    where orphan_reason is null
),

learners as (
    select learner_id from {{ ref('int_learners') }}
),

steps_per_training as (
    select
        learner_id,
        training_id,
        count(*) filter (where is_completed) as steps_completed,
        coalesce(list(step_id order by step_position) filter (where is_completed), []) as completed_step_ids,
        max(last_activity_date) as last_step_activity_date
    from step_progress
    group by learner_id, training_id
),

training_rows as (
    select
        learner_id,
        training_id,
        max(valid_activity_date) as last_training_row_date,
        bool_or(is_counted and is_complete) as is_completed_flag,
        first(status_text order by is_counted desc) as logged_status
    from trainings_attributed
    group by learner_id, training_id
),

progress as (
    select
        learners.learner_id,
        funnels.*,
        coalesce(steps_per_training.steps_completed, 0) as steps_completed,
        coalesce(steps_per_training.completed_step_ids, []) as completed_step_ids,
        coalesce(training_rows.is_completed_flag, false) as is_completed_flag,
        training_rows.logged_status,
        greatest(training_rows.last_training_row_date, steps_per_training.last_step_activity_date) as last_activity_date
    from learners
    cross join funnels
    left join steps_per_training
        on steps_per_training.learner_id = learners.learner_id
        and steps_per_training.training_id = funnels.training_id
    left join training_rows
        on training_rows.learner_id = learners.learner_id
        and training_rows.training_id = funnels.training_id
),

-- Percent counts steps. A training with no steps in the spec is 100 when its training flag is
-- true and 0 otherwise, and is never complete by the every-step rule.
-- Status, first match wins: completed (flag true, or every step complete), in_progress
-- (activity within stale_after_days of the as-of date), cooled (older), not_started (none).
progress_with_status as (
    select
        *,
        case
            when steps_total = 0 then case when is_completed_flag then 100.0 else 0.0 end
            else round(100.0 * steps_completed / steps_total, 2)
        end as percent_complete,
        case
            when is_completed_flag or (steps_total > 0 and steps_completed = steps_total) then 'completed'
            when last_activity_date is null then 'not_started'
            when {{ var('as_of') }} - last_activity_date <= {{ var('stale_after_days') }} then 'in_progress'
            else 'cooled'
        end as status
    from progress
),

final as (
    select
        -- ids
        learner_id,
        training_id,

        -- attributes
        label as title,
        provider,
        notes,
        funnel_position,
        status,
        logged_status,
        completed_step_ids,

        -- flags
        is_completed_flag,

        -- measures
        steps_total,
        steps_completed,
        percent_complete::decimal(5, 2) as percent_complete,

        -- dates
        last_activity_date,
        case when last_activity_date is not null then {{ var('as_of') }} - last_activity_date end
            as days_since_activity
    from progress_with_status
)

select * from final
