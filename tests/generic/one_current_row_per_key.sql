{#-
    Passes when every key of a snapshot has exactly one current version
    (dbt_valid_to is null): the check strategy can duplicate current rows when
    a key part is null, and a key without a current row was lost.
-#}
{% test one_current_row_per_key(model, key) %}

with versions as (
    select
        {{ key }} as snapshot_key,
        sum(case when dbt_valid_to is null then 1 else 0 end) as current_rows
    from {{ model }}
    group by 1
)

select *
from versions
where current_rows <> 1

{% endtest %}
