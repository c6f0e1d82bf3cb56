-- One row per log row that is neither an orphan nor carries the rule (attributed_by) and key
-- (attributed_key) that attributed it; trainer explain needs both.
with log_rows as (
    select source_file, row_number, logged_id, attributed_by, attributed_key, orphan_reason
    from {{ ref('fct_log_rows') }}
),

final as (
    select *
    from log_rows
    where (orphan_reason is null and (attributed_by is null or attributed_key is null))
        or (orphan_reason is not null and attributed_by is not null)
)

select * from final
