-- One row per skill-log row: the spec skill it names, or why it is an orphan.
-- Read by int_log_rows_attributed and int_findings.
with stg_skills as (
    select * from {{ ref('stg_skills') }}
),

skills as (
    select skill_id, normalised_id(skill_id) as match_key from {{ source('spec', 'skills') }}
),

-- A row matches the skill whose id equals the row's skill_track_code, both trimmed and lower case.
rows_matched_to_skills as (
    select
        stg_skills.*,
        skills.skill_id as matched_skill_id,
        case when skills.skill_id is not null then 'id' end as attributed_by,
        skills.skill_id as attributed_key
    from stg_skills
    left join skills on skills.match_key = stg_skills.skill_key
),

rows_classified as (
    select
        *,
        case
            when skill_key is null then 'missing_id'
            when matched_skill_id is null then 'unknown_skill'
        end as orphan_reason
    from rows_matched_to_skills
),

-- An unknown id within two edits of a spec skill id gets a hint; it is never attributed.
orphan_hints as (
    select
        rows_classified.source_file,
        rows_classified.row_number,
        first(skills.skill_id order by levenshtein(rows_classified.skill_key, skills.match_key), skills.skill_id)
            as hint_key,
        min(levenshtein(rows_classified.skill_key, skills.match_key)) as hint_distance
    from rows_classified
    cross join skills
    where rows_classified.orphan_reason = 'unknown_skill'
    group by rows_classified.source_file, rows_classified.row_number
),

-- A skill track is complete when its flag is true. A date before valid_from or after the
-- as-of date stays in the row but is not used.
rows_with_completion as (
    select
        rows_classified.*,
        case when orphan_hints.hint_distance <= 2 then orphan_hints.hint_key end as orphan_hint,
        coalesce(is_completed_flag, false) as is_complete,
        case
            when activity_date between {{ var('valid_from') }} and {{ var('as_of') }} then activity_date
        end as valid_activity_date
    from rows_classified
    left join orphan_hints
        on orphan_hints.source_file = rows_classified.source_file
        and orphan_hints.row_number = rows_classified.row_number
),

-- A skill logged more than once: the latest valid date counts, then the later row.
rows_ranked as (
    select
        *,
        orphan_reason is null and row_number() over (
            partition by learner_id, matched_skill_id
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
        'skill' as log_kind,
        skill_id as logged_id,
        matched_skill_id as entity_key,
        matched_skill_id as skill_id,

        -- attribution
        attributed_by,
        attributed_key,
        orphan_reason,
        orphan_hint,

        -- attributes
        skill_title as logged_title,
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
