{#- The parts of the rule-based segment name: the tiers named in
    var rule_segment_grid (volume_tier, margin_tier, risk_tier), qualified by
    `relation` and separated by '_', ready for dbt.concat. -#}
{% macro rule_grid_parts(relation) -%}
    {%- set allowed = ['volume_tier', 'margin_tier', 'risk_tier'] -%}
    {%- set parts = [] -%}
    {%- for tier in var('rule_segment_grid') -%}
        {%- if tier not in allowed -%}
            {%- do exceptions.raise_compiler_error(
                'var rule_segment_grid: unknown tier ' ~ tier
                ~ ' (allowed: ' ~ allowed | join(', ') ~ ')') -%}
        {%- endif -%}
        {%- if not loop.first -%}{%- do parts.append("'_'") -%}{%- endif -%}
        {%- do parts.append(relation ~ '.' ~ tier) -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
