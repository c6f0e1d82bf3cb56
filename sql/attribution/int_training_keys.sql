-- One row per text a training-log id may match: each training id and each training alias.
-- Read by int_trainings_attributed. To attribute another legacy id, add it to the spec's aliases.
with funnels as (
    select training_id from {{ source('spec', 'funnels') }}
),

training_aliases as (
    select alias, target_id from {{ source('spec', 'aliases') }}
    where alias_of = 'training'
),

training_ids_as_keys as (
    select
        normalised_id(training_id) as match_key,
        training_id,
        'id' as attributed_by,
        training_id as attributed_key
    from funnels
),

aliases_as_keys as (
    select
        normalised_id(training_aliases.alias) as match_key,
        funnels.training_id,
        'alias' as attributed_by,
        training_aliases.alias as attributed_key
    from training_aliases
    inner join funnels on funnels.training_id = training_aliases.target_id
),

final as (
    select match_key, training_id, attributed_by, attributed_key from training_ids_as_keys
    union all
    select match_key, training_id, attributed_by, attributed_key from aliases_as_keys
)

select * from final
