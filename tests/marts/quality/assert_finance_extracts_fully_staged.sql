{#-
    Every row of the finance extracts reaches staging. An operational row
    that fails validation is quarantined and the build goes on; a ledger or
    budget row cannot be, since its money would then be missing from the
    allocation, the reconciliation and the budget variance without anyone
    noticing. Returns each finance row that did not stage, with the reason.
-#}
{{ config(store_failures=true) }}

select
    exceptions.source_table,
    exceptions.record_key,
    exceptions.rule,
    exceptions.detail
from {{ ref('data_quality_exceptions') }} as exceptions
where
    exceptions.source_table in ('general_ledger', 'cost_to_serve_budget')
    and exceptions.action in ('quarantined', 'deduplicated')
