{#-
    on-run-end hook: a failed test says what failed, not only "Got N
    results". For every test of this run that failed and stored its
    failures (config store_failures, set for the money and input tests in
    dbt_project.yml), prints its first var('explain_failure_rows') rows as
    column=value lists, and where the rest can be read:

      FAIL assert_allocated_costs_tie_to_gl: 1 row(s) in dbt_test__audit.assert_allocated_costs_tie_to_gl
        posting_month=2025-03-01, gl_account=6150, cost_center=DC02, gl_amount=812.40, allocated_amount=0, reason=unallocated
-#}
{% macro explain_failures(results) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set limit = var('explain_failure_rows') -%}
    {%- for result in results
        if result.node.resource_type == 'test'
        and result.status in ['fail', 'warn']
        and result.node.config.store_failures -%}
        {%- set relation = result.node.relation_name -%}
        {%- if relation -%}
            {%- set rows = run_query(
                'select * from ' ~ relation ~ ' limit ' ~ limit) -%}
            {%- do log(
                (result.status | upper) ~ ' ' ~ result.node.name ~ ': '
                ~ result.failures ~ ' row(s) in ' ~ relation, info=true) -%}
            {%- for row in rows.rows -%}
                {%- set parts = [] -%}
                {%- for column in rows.column_names -%}
                    {%- do parts.append(column ~ '=' ~ row[column]) -%}
                {%- endfor -%}
                {%- do log('    ' ~ parts | join(', '), info=true) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
