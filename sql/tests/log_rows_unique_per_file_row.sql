-- One row per file and data row that appears more than once in fct_log_rows: a model repeats
-- rows, so some row would be counted twice.
with log_rows as (
    select source_file, row_number from {{ ref('fct_log_rows') }}
),

final as (
    select source_file, row_number, count(*) as occurrences
    from log_rows
    group by source_file, row_number
    having count(*) > 1
)

select * from final
