{#-
    The version of every entity that was current at `as_of` in a snapshot
    (dbt_valid_from <= as_of < dbt_valid_to, or still current):

        {{ segments_as_of(ref('customer_segments_snapshot'),
                          '2026-11-01 00:00:00') }}
-#}
{% macro segments_as_of(snapshot_relation, as_of) -%}
    select *
    from {{ snapshot_relation }}
    where
        dbt_valid_from <= {{ dbt.cast("'" ~ as_of ~ "'", dbt.type_timestamp()) }}
        and (
            dbt_valid_to is null
            or dbt_valid_to
            > {{ dbt.cast("'" ~ as_of ~ "'", dbt.type_timestamp()) }}
        )
{%- endmacro %}


{#-
    Rollback: print the customer segments that were current at `as_of` as
    rows for seeds/reference/customer_segment_overrides.csv, so an earlier
    assignment can be restored (with an approver and an expiry) and audited:

        dbt run-operation print_overrides_as_of \
            --args '{as_of: "2026-11-01 00:00:00", approver: "CFO",
                     valid_to: "2026-12-31"}'
-#}
{% macro print_overrides_as_of(
    as_of, approver, valid_to, reason='restored from snapshot'
) %}
    {%- set query -%}
        {{ segments_as_of(ref('customer_segments_snapshot'), as_of) }}
        order by customer_id
    {%- endset -%}
    {%- set rows = run_query(query) -%}
    {{ print('customer_id,segment,reason,approver,valid_from,valid_to') }}
    {%- for row in rows -%}
        {{ print(row['customer_id'] ~ ',"' ~ row['segment'] ~ '",'
            ~ reason ~ ' ' ~ as_of ~ ',' ~ approver ~ ','
            ~ modules.datetime.date.today().isoformat() ~ ',' ~ valid_to) }}
    {%- endfor -%}
{% endmacro %}
