{#-
    The one definition of a contract's minimum lot, published as
    contract_lot_sizes and read from here by the inventory policy inputs.
    One row per SKU x DC covered by a supplier contract valid on the
    procurement as-of date (grain sku_id, dc_id): the minimum lot the
    inventory policy (inventory_policies) should order so that the contract
    is honoured. One contract per SKU: a SKU contract takes precedence over a
    category contract, then the lowest contract_id.

    DCs of a covered SKU: those holding it (on hand or on order) at the
    latest snapshot (int_inventory__latest_snapshot) or that received it in
    the var contract_lot_lookback_days days up to the as-of date. The
    contract's committed quantity per period is spread over its SKU x DC
    rows by their share of the units received from the contract's supplier
    in that lookback (equal shares when the contract's SKUs received
    nothing), so the rows of a contract add up to its commitment.

    min_lot_units (rounded up to whole units) by var contract_lot_basis:
      price_break  the price-break quantity when the contract has one, else
                   the committed units per period of the SKU x DC
      commitment   the committed units per period of the SKU x DC
      greater      the larger of the two
    lot_basis says which one set it.
-#}
{%- set basis = var('contract_lot_basis') -%}
{%- if basis not in ['price_break', 'commitment', 'greater'] -%}
    {{ exceptions.raise_compiler_error(
        "var contract_lot_basis must be price_break, commitment or greater, "
        ~ "got " ~ basis) }}
{%- endif -%}
{%- set lookback_days = var('contract_lot_lookback_days') | int -%}

with contract_skus as (
    select * from {{ ref('int_procurement_contracts__skus') }}
),

receipts as (
    select
        sku_id,
        supplier_id,
        dc_id,
        quantity_received,
        receipt_date,
        as_of_date
    from {{ ref('int_purchase_receipts__contract_matched') }}
),

stock as (
    select
        sku_id,
        dc_id,
        on_hand_units,
        on_order_units
    from {{ ref('int_inventory__latest_snapshot') }}
),

as_of as (
    select
        max(receipts.as_of_date) as as_of_date,
        {{ dbt.dateadd('day', -lookback_days, 'max(receipts.as_of_date)') }}
            as lookback_start_date
    from receipts
),

active as (
    select
        contract_skus.*,
        row_number() over (
            partition by contract_skus.sku_id
            order by contract_skus.scope_rank, contract_skus.contract_id
        ) as precedence
    from contract_skus
    cross join as_of
    where
        contract_skus.valid_from <= as_of.as_of_date
        and contract_skus.valid_to >= as_of.as_of_date
),

recent_receipts as (
    select
        receipts.sku_id,
        receipts.dc_id,
        receipts.supplier_id,
        sum(receipts.quantity_received) as received_units
    from receipts
    cross join as_of
    where
        receipts.receipt_date > as_of.lookback_start_date
        and receipts.receipt_date <= as_of.as_of_date
    group by 1, 2, 3
),

stocking_dcs as (
    select
        stock.sku_id,
        stock.dc_id
    from stock
    where stock.on_hand_units > 0 or stock.on_order_units > 0
    union
    select
        recent_receipts.sku_id,
        recent_receipts.dc_id
    from recent_receipts
),

pairs as (
    select
        active.contract_id,
        active.sku_id,
        stocking_dcs.dc_id,
        active.supplier_id,
        active.contract_scope,
        active.period,
        active.applies_to_segments,
        active.product_segment,
        active.committed_quantity_per_period,
        active.price_break_quantity,
        active.price_break_unit_cost,
        coalesce(recent_receipts.received_units, 0.0) as received_units,
        active.valid_from,
        active.valid_to
    from active
    inner join stocking_dcs
        on active.sku_id = stocking_dcs.sku_id
    left join recent_receipts
        on
            active.sku_id = recent_receipts.sku_id
            and stocking_dcs.dc_id = recent_receipts.dc_id
            and active.supplier_id = recent_receipts.supplier_id
    where active.precedence = 1
),

shared as (
    select
        pairs.*,
        case
            when
                sum(pairs.received_units) over (
                    partition by pairs.contract_id
                ) > 0
                then pairs.received_units / sum(pairs.received_units) over (
                    partition by pairs.contract_id
                )
            else 1.0 / count(*) over (partition by pairs.contract_id)
        end as commitment_share
    from pairs
),

committed as (
    select
        shared.*,
        shared.committed_quantity_per_period * shared.commitment_share
            as committed_units_per_period
    from shared
),

final as (
    select
        committed.sku_id,
        committed.dc_id,
        committed.contract_id,
        committed.supplier_id,
        committed.contract_scope,
        committed.period,
        committed.applies_to_segments,
        committed.product_segment,
        {%- if basis == 'commitment' %}
            'commitment' as lot_basis,
        {%- elif basis == 'price_break' %}
            case
                when committed.price_break_quantity is not null
                    then 'price_break'
                else 'commitment'
            end as lot_basis,
        {%- else %}
            case
                when
                    committed.price_break_quantity
                    >= committed.committed_units_per_period
                    then 'price_break'
                else 'commitment'
            end as lot_basis,
        {%- endif %}
        committed.committed_quantity_per_period,
        committed.commitment_share,
        committed.committed_units_per_period,
        committed.committed_units_per_period
        / case committed.period when 'quarter' then 3.0 else 1.0 end
            as committed_units_per_month,
        committed.received_units as lookback_received_units,
        committed.price_break_quantity,
        committed.price_break_unit_cost,
        ceil(round(
            {%- if basis == 'commitment' %}
                committed.committed_units_per_period
            {%- elif basis == 'price_break' %}
                coalesce(
                    committed.price_break_quantity,
                    committed.committed_units_per_period
                )
            {%- else %}
                case
                    when
                        committed.price_break_quantity
                        >= committed.committed_units_per_period
                        then committed.price_break_quantity
                    else committed.committed_units_per_period
                end
            {%- endif %}, 6
        )) as min_lot_units,
        committed.valid_from,
        committed.valid_to,
        as_of.as_of_date
    from committed
    cross join as_of
)

select * from final
