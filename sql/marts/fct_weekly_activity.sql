-- One row per learner and week (Monday start) with a completed step or chapter; read by the
-- dashboard's activity chart. A completion is dated by the valid date of the row that counts.
with log_rows as (
    select learner_id, log_kind, is_complete, is_counted, valid_activity_date
    from {{ ref('int_log_rows_attributed') }}
    where orphan_reason is null
),

completions as (
    select
        learner_id,
        date_trunc('week', valid_activity_date)::date as week_start,
        log_kind
    from log_rows
    where is_counted and is_complete and valid_activity_date is not null and log_kind in ('step', 'chapter')
),

completions_per_week as (
    select
        learner_id,
        week_start,
        count(*) filter (where log_kind = 'step') as steps_completed,
        count(*) filter (where log_kind = 'chapter') as chapters_completed
    from completions
    group by learner_id, week_start
),

final as (
    select
        learner_id,
        week_start,
        steps_completed,
        chapters_completed,
        sum(steps_completed) over (partition by learner_id order by week_start) as steps_completed_to_date
    from completions_per_week
)

select * from final
