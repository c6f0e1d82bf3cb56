-- One row per training-log row: the training it counts toward, or why it is an orphan.
-- Read by fct_training_progress, int_log_rows_attributed and int_findings.
with stg_trainings as (
    select * from {{ ref('stg_trainings') }}
),

training_keys as (
    select match_key, training_id, attributed_by, attributed_key from {{ ref('int_training_keys') }}
),

-- A row matches the training whose id or alias equals the row's training_id, both trimmed
-- and lower case. The spec check rejects an id or alias claimed twice.
rows_matched_to_trainings as (
    select
        stg_trainings.*,
        training_keys.training_id as matched_training_id,
        training_keys.attributed_by,
        training_keys.attributed_key
    from stg_trainings
    left join training_keys on training_keys.match_key = stg_trainings.training_key
),

rows_classified as (
    select
        *,
        case
            when training_key is null then 'missing_id'
            when matched_training_id is null then 'unknown_training'
        end as orphan_reason
    from rows_matched_to_trainings
),

-- An unknown id within two edits of a spec id or alias gets a hint; it is never attributed.
orphan_hints as (
    select
        rows_classified.source_file,
        rows_classified.row_number,
        first(training_keys.attributed_key
              order by levenshtein(rows_classified.training_key, training_keys.match_key),
              training_keys.attributed_key) as hint_key,
        min(levenshtein(rows_classified.training_key, training_keys.match_key)) as hint_distance
    from rows_classified
    cross join training_keys
    where rows_classified.orphan_reason = 'unknown_training'
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

-- The training flag alone marks a training complete; its status word is reported, not used.
-- A date before valid_from or after the as-of date stays in the row but is not used.
rows_with_completion as (
    select
        *,
        coalesce(is_completed_flag, false) as is_complete,
        case
            when activity_date between {{ var('valid_from') }} and {{ var('as_of') }} then activity_date
        end as valid_activity_date
    from rows_with_hints
),

-- A training logged more than once: the latest valid date counts, then the later row.
rows_ranked as (
    select
        *,
        orphan_reason is null and row_number() over (
            partition by learner_id, matched_training_id
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
        'training' as log_kind,
        training_id as logged_id,
        matched_training_id as entity_key,
        matched_training_id as training_id,

        -- attribution
        attributed_by,
        attributed_key,
        orphan_reason,
        orphan_hint,

        -- attributes
        training_title as logged_title,
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
