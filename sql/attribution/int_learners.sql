-- One row per learner: everyone named in a log's learner_id column, and the default learner
-- (defaults.learner, or --var learner=...) even before any log names them. Read by the marts.
with log_rows as (
    select learner_id from {{ ref('int_log_rows_attributed') }}
),

final as (
    select distinct learner_id from log_rows
    union
    select {{ var('learner') }} as learner_id
)

select * from final
