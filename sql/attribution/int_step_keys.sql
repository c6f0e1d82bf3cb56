-- One row per text a step id or chapter code may match: each step id and each step alias.
-- Read by int_steps_attributed and int_chapters_attributed. To attribute a legacy id, add it
-- to the step's aliases in the spec.
with steps as (
    select step_id, training_id from {{ source('spec', 'steps') }}
),

step_aliases as (
    select alias, target_id from {{ source('spec', 'aliases') }}
    where alias_of = 'step'
),

step_ids_as_keys as (
    select
        normalised_id(step_id) as match_key,
        step_id,
        training_id,
        'id' as attributed_by,
        step_id as attributed_key
    from steps
),

aliases_as_keys as (
    select
        normalised_id(step_aliases.alias) as match_key,
        steps.step_id,
        steps.training_id,
        'alias' as attributed_by,
        step_aliases.alias as attributed_key
    from step_aliases
    inner join steps on steps.step_id = step_aliases.target_id
),

final as (
    select match_key, step_id, training_id, attributed_by, attributed_key from step_ids_as_keys
    union all
    select match_key, step_id, training_id, attributed_by, attributed_key from aliases_as_keys
)

select * from final
