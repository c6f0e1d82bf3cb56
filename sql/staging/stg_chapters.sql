-- One row per chapter-log row, fields cleaned and parsed from text; read by int_chapters_attributed.
with chapter_log as (
    select * from {{ source('chapter_log') }}
),

parsed as (
    select
        -- ids
        coalesce(normalised_id(learner_id), {{ var('learner') }}) as learner_id,
        source_file,
        row_number,
        line_number,
        nullif(clean_text(chapter_id_code), '') as chapter_id,
        normalised_id(chapter_id_code) as chapter_key,

        -- attributes
        clean_text(chapter_id_name) as chapter_title,

        -- flags
        log_flag(chapter_is_completed) as is_completed_flag,
        chapter_is_completed as completion_flag_text,

        -- dates
        log_date(chapter_last_update_date, {{ var('timezone') }}) as activity_date,
        chapter_last_update_date as activity_date_text
    from chapter_log
)

select * from parsed
