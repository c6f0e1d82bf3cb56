-- One row per problem found in a log row; a finding never drops or re-attributes the row.
-- Read by fct_findings and fct_log_rows.
with log_rows as (
    select * from {{ ref('int_log_rows_attributed') }}
),

known_statuses as (
    select normalised_id(status) as status from {{ source('spec', 'statuses') }}
),

-- The column each kind of log keeps its date, flag and status in, for the finding's detail,
-- and whether its status word can mark a row complete (only a step's can).
log_columns (log_kind, date_column, flag_column, status_column, status_marks_completion) as (
    values
        ('training', 'last_update_date', 'training_is_completed', 'training_status', false),
        ('step', 'step_last_update_date', 'step_is_completed', 'step_status', true),
        ('chapter', 'chapter_last_update_date', 'chapter_is_completed', null, false),
        ('skill', 'skill_track_last_update_date', 'skill_is_completed', 'skill_status', false)
),

rows_with_columns as materialized (
    select
        log_rows.*,
        log_columns.date_column,
        log_columns.flag_column,
        log_columns.status_column,
        log_columns.status_marks_completion
    from log_rows
    inner join log_columns on log_columns.log_kind = log_rows.log_kind
),

bad_dates as (
    select
        *,
        'bad_date' as finding_kind,
        date_column as column_name,
        activity_date_text as value,
        format('{} {} is not a date{}; it is not used for last activity', date_column,
               to_json(activity_date_text),
               coalesce(' (did you mean ' || log_date_suggestion(activity_date_text) || '?)', '')) as detail
    from rows_with_columns
    where activity_date is null and clean_text(activity_date_text) <> ''
),

dates_out_of_range as (
    select
        *,
        'date_out_of_range' as finding_kind,
        date_column as column_name,
        activity_date_text as value,
        format('{} {} is {}; it is not used for last activity', date_column, activity_date::varchar,
               case
                   when activity_date < {{ var('valid_from') }}
                       then 'before valid_from ' || {{ var('valid_from') }}::varchar
                   else 'after the as-of date ' || {{ var('as_of') }}::varchar
               end) as detail
    from rows_with_columns
    where activity_date is not null and valid_activity_date is null
),

bad_flags as (
    select
        *,
        'bad_flag' as finding_kind,
        flag_column as column_name,
        completion_flag_text as value,
        format('{} {} is not a completion flag (true/false, t/f, yes/no, y/n, 1/0); read as not given',
               flag_column, to_json(completion_flag_text)) as detail
    from rows_with_columns
    where is_completed_flag is null and clean_text(completion_flag_text) <> ''
),

-- Only checked when the spec lists its status words (defaults.statuses). A known word within
-- two edits of the unknown one is offered as a hint.
rows_with_unknown_status as (
    select *
    from rows_with_columns
    where status is not null
        and exists (select 1 from known_statuses)
        and status not in (select status from known_statuses)
),

status_hints as (
    select
        rows_with_unknown_status.source_file,
        rows_with_unknown_status.row_number,
        first(known_statuses.status
              order by levenshtein(rows_with_unknown_status.status, known_statuses.status), known_statuses.status)
            as hint
    from rows_with_unknown_status
    inner join known_statuses
        on levenshtein(rows_with_unknown_status.status, known_statuses.status) <= 2
    group by rows_with_unknown_status.source_file, rows_with_unknown_status.row_number
),

unknown_statuses as (
    select
        rows_with_unknown_status.*,
        'unknown_status' as finding_kind,
        status_column as column_name,
        status_text as value,
        format('{} {} is not a status word of the spec{}', status_column, to_json(status_text),
               coalesce(' (did you mean ' || status_hints.hint || '?)', '')) as detail
    from rows_with_unknown_status
    left join status_hints
        on status_hints.source_file = rows_with_unknown_status.source_file
        and status_hints.row_number = rows_with_unknown_status.row_number
),

-- Flag and status disagree where both decide completion: the row counts complete, because
-- either one is enough.
conflicting_completions as (
    select
        *,
        'conflicting_completion' as finding_kind,
        flag_column as column_name,
        completion_flag_text as value,
        format('{} {} but {} {}; counted {}', status_column, to_json(status_text), flag_column,
               to_json(completion_flag_text), case when is_complete then 'complete' else 'not complete' end) as detail
    from rows_with_columns
    where status_marks_completion
        and is_completed_flag is not null
        and status is not null
        and is_completed_flag <> (status = 'completed')
),

-- The same id logged more than once, in one log or across logs of the same kind: one finding
-- on each row that does not count (is_counted marks the row that does). Aggregated per id, not per
-- row, so a log with thousands of rows under one id stays linear.
duplicate_groups as (
    select
        learner_id,
        log_kind,
        entity_key,
        count(*) as rows_with_same_id,
        count(distinct source_file) as files_with_same_id,
        list(row_number order by row_number)[1:10] as first_rows,
        list(source_file || ' row ' || row_number order by source_file, row_number)[1:10] as first_places,
        max(case when is_counted then row_number end) as counted_row,
        max(case when is_counted then source_file || ' row ' || row_number end) as counted_place
    from rows_with_columns
    where orphan_reason is null
    group by learner_id, log_kind, entity_key
    having count(*) > 1
),

duplicate_ids as (
    select
        rows_with_columns.*,
        'duplicate_id' as finding_kind,
        null as column_name,
        rows_with_columns.logged_id as value,
        case
            when duplicate_groups.files_with_same_id = 1 then format(
                '{} {} appears on {} rows of this log (rows {}{}); row {} counts (latest date, then last row)',
                rows_with_columns.log_kind, rows_with_columns.logged_id, duplicate_groups.rows_with_same_id,
                array_to_string(duplicate_groups.first_rows, ', '),
                case when duplicate_groups.rows_with_same_id > 10 then ', ...' else '' end,
                duplicate_groups.counted_row)
            else format(
                '{} {} is logged {} times ({}{}); {} counts (latest date, then last file and row)',
                rows_with_columns.log_kind, rows_with_columns.logged_id, duplicate_groups.rows_with_same_id,
                array_to_string(duplicate_groups.first_places, ', '),
                case when duplicate_groups.rows_with_same_id > 10 then ', ...' else '' end,
                duplicate_groups.counted_place)
        end as detail
    from rows_with_columns
    inner join duplicate_groups
        on duplicate_groups.learner_id = rows_with_columns.learner_id
        and duplicate_groups.log_kind = rows_with_columns.log_kind
        and duplicate_groups.entity_key = rows_with_columns.entity_key
    where rows_with_columns.orphan_reason is null
        and not rows_with_columns.is_counted
),

all_findings as (
    select * from duplicate_ids
    union all by name select * from bad_dates
    union all by name select * from dates_out_of_range
    union all by name select * from bad_flags
    union all by name select * from unknown_statuses
    union all by name select * from conflicting_completions
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
    from all_findings
)

select * from final
