{#-
    Exponential time-decay weight of an event dated `event_date` as of
    `as_of_date`: 0.5 ^ (age in days / half-life). An event on the as-of date
    weighs 1, one half-life earlier 0.5, two half-lives 0.25. Events after
    the as-of date weigh 0 (they are not known yet). One macro serves every
    time-decayed feature (product value, customer revenue, margins, ...).

        sum(net_revenue * {{ time_decay_weight('order_date') }})
-#}
{% macro time_decay_weight(
    event_date,
    as_of_date=none,
    half_life_days=none
) -%}
    {%- set as_of = as_of_date if as_of_date is not none
        else build_as_of_date() -%}
    {%- set half_life = half_life_days if half_life_days is not none
        else var('decay_half_life_days') -%}
    case
        when {{ event_date }} > {{ as_of }} then 0.0
        else power(
            0.5,
            {{ dbt.datediff(event_date, as_of, 'day') }}
            / {{ dbt.cast(half_life, type_double()) }}
        )
    end
{%- endmacro %}


{#-
    The date the build is computed as of, as a scalar subquery on
    int_calendar__as_of_date (var as_of_date, or the latest order date).
-#}
{% macro build_as_of_date() -%}
    (select as_of.as_of_date from {{ ref('int_calendar__as_of_date') }} as as_of)
{%- endmacro %}
