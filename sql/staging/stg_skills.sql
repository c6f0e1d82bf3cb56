-- One row per skill-log row, fields cleaned and parsed from text; read by int_skills_attributed.
with skill_log as (
    select * from {{ source('skill_log') }}
),

parsed as (
    select
        -- ids
        coalesce(normalised_id(learner_id), {{ var('learner') }}) as learner_id,
        source_file,
        row_number,
        line_number,
        nullif(clean_text(skill_track_code), '') as skill_id,
        normalised_id(skill_track_code) as skill_key,

        -- attributes
        clean_text(skill_track_name) as skill_title,
        normalised_id(skill_status) as status,
        skill_status as status_text,

        -- flags
        log_flag(skill_is_completed) as is_completed_flag,
        skill_is_completed as completion_flag_text,

        -- dates
        log_date(skill_track_last_update_date, {{ var('timezone') }}) as activity_date,
        skill_track_last_update_date as activity_date_text
    from skill_log
)

select * from parsed
