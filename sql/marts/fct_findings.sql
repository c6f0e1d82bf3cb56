-- One row per finding (bad_date, bad_flag, date_out_of_range, unknown_status,
-- conflicting_completion, duplicate_id); read by funnel_progress.json.
with findings as (
    select * from {{ ref('int_findings') }}
),

final as (
    select
        learner_id,
        source_file,
        row_number,
        line_number,
        log_kind,
        logged_id,
        finding_kind,
        column_name,
        value,
        detail
    from findings
)

select * from final
