-- One row per CSV file in the input folder: rows read against rows attributed, orphaned and
-- skipped. The build fails if a file's rows_read differs from attributed + orphans + skipped_rows.
with log_files as (
    select * from {{ source('log_files') }}
),

log_rows as (
    select source_file, orphan_reason from {{ ref('int_log_rows_attributed') }}
),

findings as (
    select source_file from {{ ref('int_findings') }}
),

rows_per_file as (
    select
        source_file,
        count(*) filter (where orphan_reason is null) as rows_attributed,
        count(*) filter (where orphan_reason is not null) as rows_orphaned
    from log_rows
    group by source_file
),

findings_per_file as (
    select source_file, count(*) as findings
    from findings
    group by source_file
),

final as (
    select
        -- ids
        log_files.source_file,

        -- attributes
        log_files.log_kind,
        log_files.encoding,
        log_files.skipped_reason,

        -- measures
        log_files.rows_read,
        coalesce(rows_per_file.rows_attributed, 0) as rows_attributed,
        coalesce(rows_per_file.rows_orphaned, 0) as rows_orphaned,
        -- the rows of a log of no known kind are read but count toward nothing
        case when log_files.log_kind = 'unrecognised' then log_files.rows_read else 0 end as rows_skipped,
        log_files.blank_rows + log_files.blank_lines as blank_lines_skipped,
        coalesce(findings_per_file.findings, 0) as findings
    from log_files
    left join rows_per_file on rows_per_file.source_file = log_files.source_file
    left join findings_per_file on findings_per_file.source_file = log_files.source_file
)

select * from final
