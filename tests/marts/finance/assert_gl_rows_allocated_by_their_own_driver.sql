{#-
    Warning, not an error: the allocation is fully absorbing by design (a GL
    row whose pool driver has no volume in its month and cost centre is
    spread by the cost centre's net revenue, then the company's), but a
    fallback moves a pool's cost onto customers by revenue instead of by the
    work it pays for. An empty returns extract, a DC without labour minutes
    or a month without shipments does this; this test names every such GL
    row so that it never happens silently. Returns the GL rows allocated by
    a fallback basis.
-#}
{{ config(severity='warn') }}

select
    posting_month,
    gl_account,
    cost_center,
    cost_pool,
    allocation_driver,
    allocation_basis,
    gl_amount
from {{ ref('gl_reconciliation') }}
where allocation_basis in ('cost_center_revenue', 'company_revenue')
