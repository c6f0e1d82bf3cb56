-- One row per step-log row, fields cleaned and parsed from text; read by int_steps_attributed.
with step_log as (
    select * from {{ source('step_log') }}
),

parsed as (
    select
        -- ids
        coalesce(normalised_id(learner_id), {{ var('learner') }}) as learner_id,
        source_file,
        row_number,
        line_number,
        nullif(clean_text(step_id), '') as step_id,
        normalised_id(step_id) as step_key,

        -- attributes
        clean_text(step_id_name) as step_title,
        normalised_id(step_status) as status,
        step_status as status_text,

        -- flags
        log_flag(step_is_completed) as is_completed_flag,
        step_is_completed as completion_flag_text,

        -- dates
        log_date(step_last_update_date, {{ var('timezone') }}) as activity_date,
        step_last_update_date as activity_date_text
    from step_log
)

select * from parsed
