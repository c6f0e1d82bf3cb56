-- One row per chapter-log row: the step and training it counts toward, or why it is an orphan.
-- Read by fct_step_progress, int_log_rows_attributed and int_findings.
with stg_chapters as (
    select * from {{ ref('stg_chapters') }}
),

step_keys as (
    select match_key, step_id, training_id, attributed_by, attributed_key from {{ ref('int_step_keys') }}
),

-- The prefix rule: a chapter belongs to the step whose id (or alias) followed by '-' starts the
-- chapter code, so DC-EXCEL-1-2 belongs to DC-EXCEL-1. When several steps match, the longest
-- id wins: DC-EXCEL-10-1 goes to DC-EXCEL-10, not DC-EXCEL-1.
candidate_steps as (
    select
        stg_chapters.source_file,
        stg_chapters.row_number,
        step_keys.step_id,
        step_keys.training_id,
        step_keys.attributed_key,
        row_number() over (
            partition by stg_chapters.source_file, stg_chapters.row_number
            order by length(step_keys.match_key) desc, step_keys.match_key
        ) as match_rank
    from stg_chapters
    inner join step_keys on starts_with(stg_chapters.chapter_key, step_keys.match_key || '-')
),

rows_matched_to_steps as (
    select
        stg_chapters.*,
        candidate_steps.step_id as matched_step_id,
        candidate_steps.training_id,
        case when candidate_steps.step_id is not null then 'prefix' end as attributed_by,
        candidate_steps.attributed_key
    from stg_chapters
    left join candidate_steps
        on candidate_steps.source_file = stg_chapters.source_file
        and candidate_steps.row_number = stg_chapters.row_number
        and candidate_steps.match_rank = 1
),

rows_classified as (
    select
        *,
        case
            when chapter_key is null then 'missing_id'
            when matched_step_id is null then 'unknown_chapter_step'
        end as orphan_reason
    from rows_matched_to_steps
),

-- A chapter is complete when its flag is true. A date before valid_from or after the as-of
-- date stays in the row but is not used.
rows_with_completion as (
    select
        *,
        coalesce(is_completed_flag, false) as is_complete,
        case
            when activity_date between {{ var('valid_from') }} and {{ var('as_of') }} then activity_date
        end as valid_activity_date
    from rows_classified
),

-- A chapter logged more than once: the latest valid date counts, then the later row.
rows_ranked as (
    select
        *,
        orphan_reason is null and row_number() over (
            partition by learner_id, chapter_key
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
        'chapter' as log_kind,
        chapter_id as logged_id,
        chapter_key as entity_key,
        training_id,
        matched_step_id as step_id,
        chapter_id,

        -- attribution
        attributed_by,
        attributed_key,
        orphan_reason,
        null::varchar as orphan_hint,

        -- attributes
        chapter_title as logged_title,
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
