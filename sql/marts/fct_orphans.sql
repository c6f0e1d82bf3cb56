-- One row per log row no rule attributed, with the reason; read by funnel_progress.json.
with log_rows as (
    select * from {{ ref('int_log_rows_attributed') }}
),

final as (
    select
        learner_id,
        source_file,
        row_number,
        line_number,
        log_kind,
        logged_id,
        orphan_reason,
        orphan_hint
    from log_rows
    where orphan_reason is not null
)

select * from final
