-- One row per training-log row, fields cleaned and parsed from text; read by int_trainings_attributed.
with training_log as (
    select * from {{ source('training_log') }}
),

parsed as (
    select
        -- ids
        coalesce(normalised_id(learner_id), {{ var('learner') }}) as learner_id,
        source_file,
        row_number,
        line_number,
        nullif(clean_text(training_id), '') as training_id,
        normalised_id(training_id) as training_key,

        -- attributes
        clean_text(training_id_name) as training_title,
        normalised_id(training_status) as status,
        training_status as status_text,

        -- flags
        log_flag(training_is_completed) as is_completed_flag,
        training_is_completed as completion_flag_text,

        -- dates
        log_date(last_update_date, {{ var('timezone') }}) as activity_date,
        last_update_date as activity_date_text
    from training_log
)

select * from parsed
