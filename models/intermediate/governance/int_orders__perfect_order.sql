{#-
    One row per order (grain order_id): the four components of the perfect
    order (APQC: delivered on time, in full, damage free, with accurate
    documentation) as far as the extracts can measure them, and
    fct_orders.is_otif beside them (the order-level service flags
    segment_kpis reads).

      is_on_time           fct_orders.is_on_time: every shipment arrived by
                           its promised date
      is_in_full           fct_orders.is_in_full: every line shipped its
                           ordered quantity
      is_damage_free       no return of the order gives a reason of var
                           perfect_order_damage_return_reasons
      is_invoice_accurate  the order is invoiced and its invoices add up to
                           its net revenue within var
                           perfect_order_invoice_tolerance (the one
                           document the extracts carry)

    An order is measured (is_measured) once all four are known: shipped,
    every shipment delivered, and invoiced. is_perfect_order is null for an
    order not measured yet.
-#}
{%- set reasons = var('perfect_order_damage_return_reasons') -%}
{%- set damage_reasons = ("'" ~ reasons | join("', '") ~ "'")
    if reasons | length > 0 else 'null' -%}

with orders as (
    select
        order_id,
        customer_id,
        net_revenue,
        is_on_time,
        is_in_full,
        is_otif,
        order_date
    from {{ ref('fct_orders') }}
),

returns as (
    select
        order_id,
        return_reason
    from {{ ref('stg_erp__returns') }}
),

invoices as (
    select
        order_id,
        invoice_amount
    from {{ ref('fct_invoices') }}
),

damaged_orders as (
    select distinct returns.order_id
    from returns
    where returns.return_reason in ({{ damage_reasons }})
),

invoiced_orders as (
    select
        invoices.order_id,
        sum(invoices.invoice_amount) as invoiced_amount
    from invoices
    group by 1
),

components as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        orders.is_on_time,
        orders.is_in_full,
        orders.is_otif,
        damaged_orders.order_id is null as is_damage_free,
        case
            when invoiced_orders.order_id is not null
                then
                    -- in cents, so that a difference of exactly the
                    -- tolerance passes whatever the float rounding
                    abs(round(
                        invoiced_orders.invoiced_amount - orders.net_revenue,
                        2
                    )) <= {{ var('perfect_order_invoice_tolerance') }}
        end as is_invoice_accurate
    from orders
    left join damaged_orders
        on orders.order_id = damaged_orders.order_id
    left join invoiced_orders
        on orders.order_id = invoiced_orders.order_id
),

final as (
    select
        order_id,
        customer_id,
        {{ dbt.cast(dbt.date_trunc('month', 'order_date'), 'date') }}
            as order_month,
        is_otif,
        is_on_time,
        is_in_full,
        is_damage_free,
        is_invoice_accurate,
        coalesce(
            is_on_time is not null
            and is_in_full is not null
            and is_invoice_accurate is not null,
            false
        ) as is_measured,
        case
            when
                is_on_time is not null
                and is_in_full is not null
                and is_invoice_accurate is not null
                then
                    is_on_time and is_in_full and is_damage_free
                    and is_invoice_accurate
        end as is_perfect_order
    from components
)

select
    order_id,
    customer_id,
    order_month,
    is_otif,
    is_on_time,
    is_in_full,
    is_damage_free,
    is_invoice_accurate,
    is_measured,
    is_perfect_order
from final
