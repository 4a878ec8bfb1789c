{#-
    One row per customer and month with order lines (grain customer_id,
    month): the line measures segment_kpis sums by segment.

      ordered_units, shipped_units  units of the lines whose order status is
          in var fill_rate_order_statuses (the fill rate's, as
          int_inventory__monthly_performance counts them)
      cogs                          cost of goods of every line of the month
      stocked_cogs, cogs_weighted_days_on_hand
          the cost of goods on SKU x DCs with days on hand in the month
          (int_inventory__monthly_days_on_hand), and that cost times the
          days on hand: their ratio is the customer's DIO, weighted as
          customer_working_capital weights its trailing one
-#}
{%- set statuses =
    "'" ~ var('fill_rate_order_statuses') | join("', '") ~ "'" -%}

with order_lines as (
    select
        customer_id,
        sku_id,
        ship_from_dc_id,
        order_status,
        quantity,
        quantity_shipped,
        cogs,
        order_date
    from {{ ref('fct_order_lines') }}
),

days_on_hand as (
    select
        sku_id,
        dc_id,
        month,
        days_on_hand
    from {{ ref('int_inventory__monthly_days_on_hand') }}
),

sku_months as (
    select
        customer_id,
        {{ dbt.cast(dbt.date_trunc('month', 'order_date'), 'date') }}
            as month,
        sku_id,
        ship_from_dc_id as dc_id,
        sum(case
            when order_status in ({{ statuses }}) then quantity else 0
        end) as ordered_units,
        sum(case
            when order_status in ({{ statuses }}) then quantity_shipped
            else 0
        end) as shipped_units,
        sum(cogs) as cogs
    from order_lines
    group by 1, 2, 3, 4
),

final as (
    select
        sku_months.customer_id,
        sku_months.month,
        sum(sku_months.ordered_units) as ordered_units,
        sum(sku_months.shipped_units) as shipped_units,
        sum(sku_months.cogs) as cogs,
        sum(case
            when days_on_hand.days_on_hand is not null
                then sku_months.cogs
            else 0
        end) as stocked_cogs,
        coalesce(
            sum(sku_months.cogs * days_on_hand.days_on_hand), 0
        ) as cogs_weighted_days_on_hand
    from sku_months
    left join days_on_hand
        on
            sku_months.sku_id = days_on_hand.sku_id
            and sku_months.dc_id = days_on_hand.dc_id
            and sku_months.month = days_on_hand.month
    group by 1, 2
)

select * from final
