-- Macros that turn the text of a log field into a value. The staging models call these macros, and they
-- stay in the warehouse, so an ad-hoc query can run e.g. select log_date('2025=09-28', 'UTC').

-- Surrounding whitespace: spaces, tabs, carriage returns, newlines and no-break spaces.
create or replace macro clean_text(value) as (
    trim(value, chr(32) || chr(9) || chr(13) || chr(10) || chr(160))
);

-- Completion flags: these spellings in any case, surrounding spaces ignored. Anything else is
-- null here, and a bad_flag finding when the text was not empty.
create or replace macro log_flag(value) as (
    case
        when lower(clean_text(value)) in ('true', 't', 'yes', 'y', '1') then true
        when lower(clean_text(value)) in ('false', 'f', 'no', 'n', '0') then false
    end
);

-- Dates: a calendar date (YYYY-MM-DD or YYYY/MM/DD) is taken as written. A timestamp with an
-- offset or Z is converted to the given time zone before its date is taken. A timestamp without
-- one is read in the session's time zone, which the build sets to the spec's, so the date never
-- depends on the machine's time zone. Anything else is null here, and a bad_date finding when
-- the text was not empty.
create or replace macro log_date(value, time_zone) as (
    coalesce(
        try_strptime(clean_text(value), ['%Y-%m-%d', '%Y/%m/%d'])::date,
        timezone(time_zone, try_cast(clean_text(value) as timestamptz))::date
    )
);

-- The date a mistyped value probably meant ('2025=09-28' -> 2025-09-28), for the finding's
-- detail only: the value itself is never rewritten.
create or replace macro log_date_suggestion(value) as (
    try_strptime(regexp_replace(clean_text(value), '[^0-9]+', '-', 'g'), '%Y-%m-%d')::date
);

-- Ids and status words are compared in this form: surrounding spaces removed, lower case.
create or replace macro normalised_id(value) as (
    nullif(lower(clean_text(value)), '')
);
