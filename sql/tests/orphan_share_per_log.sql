-- One row per log whose orphans are more than max_orphan_share (default 5%) of its data rows.
-- A warning by default: set severity='error' to stop a build from publishing such logs.
{{ config(severity='warn') }}
with log_balance as (
    select source_file, log_kind, rows_read, rows_orphaned from {{ ref('fct_log_balance') }}
),

logs_with_share as (
    select
        *,
        round(rows_orphaned / rows_read, 4) as orphan_share
    from log_balance
    where rows_read > 0
),

final as (
    select source_file, log_kind, rows_read, rows_orphaned, orphan_share
    from logs_with_share
    where orphan_share > {{ var('max_orphan_share', 0.05) }}::double
)

select * from final
