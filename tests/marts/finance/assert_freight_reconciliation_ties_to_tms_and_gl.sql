{#- Every month and cost centre of freight_reconciliation carries exactly the
    TMS freight of fct_shipments (by ship month and origin DC) and the GL
    freight of the general ledger (outbound_freight accounts), computed
    here directly from those sources, and no cell is missing or extra.
    Returns the cells that differ by more than var freight_match_tolerance
    (TMS is summed per cell before rounding to cents). -#}
with tms as (
    select
        {{ dbt.cast(dbt.date_trunc('month', 'ship_date'), 'date') }}
            as posting_month,
        origin_dc_id as cost_center,
        sum(freight_cost) as tms_freight_cost
    from {{ ref('fct_shipments') }}
    group by 1, 2
),

gl as (
    select
        general_ledger.posting_month,
        general_ledger.cost_center,
        sum(general_ledger.amount) as gl_freight_amount
    from {{ ref('stg_finance__general_ledger') }} as general_ledger
    inner join {{ ref('cost_pool_mapping') }} as pool_mapping
        on
            {{ dbt.cast('general_ledger.gl_account', dbt.type_string()) }}
            = {{ dbt.cast('pool_mapping.gl_account', dbt.type_string()) }}
    where pool_mapping.cost_pool = 'outbound_freight'
    group by 1, 2
),

expected as (
    select
        coalesce(tms.posting_month, gl.posting_month) as posting_month,
        coalesce(tms.cost_center, gl.cost_center) as cost_center,
        coalesce(tms.tms_freight_cost, 0) as tms_freight_cost,
        coalesce(gl.gl_freight_amount, 0) as gl_freight_amount
    from tms
    full outer join gl
        on
            tms.posting_month = gl.posting_month
            and tms.cost_center = gl.cost_center
),

reconciliation as (
    select
        posting_month,
        cost_center,
        tms_freight_cost,
        gl_freight_amount
    from {{ ref('freight_reconciliation') }}
)

select
    coalesce(expected.posting_month, reconciliation.posting_month)
        as posting_month,
    coalesce(expected.cost_center, reconciliation.cost_center)
        as cost_center,
    expected.tms_freight_cost as expected_tms_freight_cost,
    reconciliation.tms_freight_cost,
    expected.gl_freight_amount as expected_gl_freight_amount,
    reconciliation.gl_freight_amount
from expected
full outer join reconciliation
    on
        expected.posting_month = reconciliation.posting_month
        and expected.cost_center = reconciliation.cost_center
where
    expected.posting_month is null
    or reconciliation.posting_month is null
    or abs(expected.tms_freight_cost - reconciliation.tms_freight_cost)
    > {{ var('freight_match_tolerance') }}
    or abs(expected.gl_freight_amount - reconciliation.gl_freight_amount)
    > {{ var('freight_match_tolerance') }}
