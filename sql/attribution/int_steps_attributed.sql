-- One row per step-log row: the step and training it counts toward, or why it is an orphan.
-- Read by fct_step_progress, int_log_rows_attributed and int_findings.
with stg_steps as (
    select * from {{ ref('stg_steps') }}
),

step_keys as (
    select match_key, step_id, training_id, attributed_by, attributed_key from {{ ref('int_step_keys') }}
),

-- A row matches the step whose id or alias equals the row's step_id, both trimmed and lower
-- case. The spec check rejects an id or alias claimed twice, so at most one key matches.
rows_matched_to_steps as (
    select
        stg_steps.*,
        step_keys.step_id as matched_step_id,
        step_keys.training_id,
        step_keys.attributed_by,
        step_keys.attributed_key
    from stg_steps
    left join step_keys on step_keys.match_key = stg_steps.step_key
),

-- The else bucket: no row is dropped, a row no key matched is an orphan with a reason.
rows_classified as (
    select
        *,
        case
            when step_key is null then 'missing_id'
            when matched_step_id is null then 'unknown_step'
        end as orphan_reason
    from rows_matched_to_steps
),

-- An unknown id within two edits of a spec id or alias gets a hint; it is never attributed.
orphan_hints as (
    select
        rows_classified.source_file,
        rows_classified.row_number,
        first(step_keys.attributed_key order by levenshtein(rows_classified.step_key, step_keys.match_key),
              step_keys.attributed_key) as hint_key,
        min(levenshtein(rows_classified.step_key, step_keys.match_key)) as hint_distance
    from rows_classified
    cross join step_keys
    where rows_classified.orphan_reason = 'unknown_step'
    group by rows_classified.source_file, rows_classified.row_number
),

rows_with_hints as (
    select
        rows_classified.*,
        case when orphan_hints.hint_distance <= 2 then orphan_hints.hint_key end as orphan_hint
    from rows_classified
    left join orphan_hints
        on orphan_hints.source_file = rows_classified.source_file
        and orphan_hints.row_number = rows_classified.row_number
),

-- A step is complete when its flag is true or its status is 'completed'. A date before
-- valid_from or after the as-of date stays in the row but is not used.
rows_with_completion as (
    select
        *,
        coalesce(is_completed_flag, false) or status = 'completed' as is_complete,
        case
            when activity_date between {{ var('valid_from') }} and {{ var('as_of') }} then activity_date
        end as valid_activity_date
    from rows_with_hints
),

-- A step logged more than once: the row with the latest valid date counts; on equal dates
-- the later row (by file name, then row number) counts, so the choice never varies by run.
rows_ranked as (
    select
        *,
        orphan_reason is null and row_number() over (
            partition by learner_id, matched_step_id
            order by valid_activity_date desc nulls last, source_file desc, row_number desc
        ) = 1 as is_counted
    from rows_with_completion
),

final as (
    select
        -- ids
        learner_id,
        source_file,
        row_number,
        line_number,
        'step' as log_kind,
        step_id as logged_id,
        matched_step_id as entity_key,
        training_id,
        matched_step_id as step_id,

        -- attribution
        attributed_by,
        attributed_key,
        orphan_reason,
        orphan_hint,

        -- attributes
        step_title as logged_title,
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
    from rows_ranked
)

select * from final
