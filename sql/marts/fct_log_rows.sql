-- One row per data row of every recognised log, with its attribution and finding kinds;
-- read by the per-log drilldowns in signals/funnel_logs/.
with log_rows as (
    select * from {{ ref('int_log_rows_attributed') }}
),

findings as (
    select source_file, row_number, finding_kind, detail from {{ ref('int_findings') }}
),

findings_per_row as (
    select
        source_file,
        row_number,
        list(finding_kind order by finding_kind, detail) as finding_kinds,
        list(detail order by finding_kind, detail) as finding_details
    from findings
    group by source_file, row_number
),

final as (
    select
        -- ids
        log_rows.learner_id,
        log_rows.source_file,
        log_rows.row_number,
        log_rows.line_number,
        log_rows.log_kind,
        log_rows.logged_id,
        log_rows.training_id,
        log_rows.step_id,
        log_rows.skill_id,

        -- attribution
        log_rows.attributed_by,
        log_rows.attributed_key,
        log_rows.orphan_reason,
        log_rows.orphan_hint,

        -- flags
        log_rows.is_complete,
        log_rows.is_counted,

        -- findings
        coalesce(findings_per_row.finding_kinds, []) as finding_kinds,
        coalesce(findings_per_row.finding_details, []) as finding_details
    from log_rows
    left join findings_per_row
        on findings_per_row.source_file = log_rows.source_file
        and findings_per_row.row_number = log_rows.row_number
)

select * from final
