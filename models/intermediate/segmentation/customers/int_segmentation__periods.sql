{#- One row per segmentation period (grain period_index): period 0 ends on
    the segmentation as-of date, each earlier period var
    resegmentation_frequency_months before it, for
    var segmentation_history_periods periods. Segments are recomputed at
    each period end; the history feeds the stability rules. -#}
with period_numbers as (
    {%- for period_index in range(var('segmentation_history_periods')) %}
        select {{ period_index }} as period_index
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        period_numbers.period_index,
        {{ dbt.cast(dbt.dateadd(
            'month',
            '-1 * period_numbers.period_index * '
            ~ var('resegmentation_frequency_months'),
            build_as_of_date()), 'date') }} as period_end_date
    from period_numbers
)

select * from final
