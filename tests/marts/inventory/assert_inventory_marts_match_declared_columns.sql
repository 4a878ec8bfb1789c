{#-
    The inventory marts are dbt Python models, on which dbt cannot enforce a
    contract. This test stands in for it: every column declared in
    models/marts/inventory/_inventory__models.yml exists in the
    built table with its declared data_type, and the table has no other
    column. Returns the mismatches (model, column, declared, actual type).
-#}
{%- set model_names = [
    'inventory_policies',
    'inventory_policy_scenarios',
] -%}
{%- set relations = {} -%}
{%- for model_name in model_names -%}
    {%- do relations.update({model_name: ref(model_name)}) -%}
{%- endfor -%}
{%- set declared_rows = [] -%}
{%- set actual_rows = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.name in model_names -%}
        {%- for column in node.columns.values() -%}
            {%- do declared_rows.append(
                [node.name, column.name, (column.data_type or '') | lower]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for model_name in model_names -%}
        {%- for column in adapter.get_columns_in_relation(
            relations[model_name]) -%}
            {%- do actual_rows.append(
                [model_name, column.name, column.dtype | lower]) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif -%}

with declared as (
    select
        {{ dbt.cast('null', dbt.type_string()) }} as model_name,
        {{ dbt.cast('null', dbt.type_string()) }} as column_name,
        {{ dbt.cast('null', dbt.type_string()) }} as data_type
    {%- for row in declared_rows %}
        union all
        select
            '{{ row[0] }}' as model_name,
            '{{ row[1] }}' as column_name,
            '{{ row[2] }}' as data_type
    {%- endfor %}
),

actual as (
    select
        {{ dbt.cast('null', dbt.type_string()) }} as model_name,
        {{ dbt.cast('null', dbt.type_string()) }} as column_name,
        {{ dbt.cast('null', dbt.type_string()) }} as data_type
    {%- for row in actual_rows %}
        union all
        select
            '{{ row[0] }}' as model_name,
            '{{ row[1] }}' as column_name,
            '{{ row[2] }}' as data_type
    {%- endfor %}
),

final as (
    select
        coalesce(declared.model_name, actual.model_name) as model_name,
        coalesce(declared.column_name, actual.column_name) as column_name,
        declared.data_type as declared_type,
        actual.data_type as actual_type
    from declared
    full outer join actual
        on
            declared.model_name = actual.model_name
            and declared.column_name = actual.column_name
    where
        coalesce(declared.model_name, actual.model_name) is not null
        and (
            declared.data_type is null
            or actual.data_type is null
            or declared.data_type <> actual.data_type
        )
)

select * from final
