{#- Every open order line of fct_order_lines is in shortage_allocation once,
    with its open quantity as the requested units, and nothing else is. -#}
with open_lines as (
    select
        order_id,
        line_number,
        quantity - quantity_shipped as open_units
    from {{ ref('fct_order_lines') }}
    where order_status = 'open'
),

allocation as (
    select
        order_id,
        line_number,
        requested_units
    from {{ ref('shortage_allocation') }}
)

select
    coalesce(open_lines.order_id, allocation.order_id) as order_id,
    coalesce(open_lines.line_number, allocation.line_number) as line_number,
    open_lines.open_units,
    allocation.requested_units
from open_lines
full outer join allocation
    on
        open_lines.order_id = allocation.order_id
        and open_lines.line_number = allocation.line_number
where
    open_lines.order_id is null
    or allocation.order_id is null
    or abs(greatest(open_lines.open_units, 0) - allocation.requested_units)
    > 1e-6
