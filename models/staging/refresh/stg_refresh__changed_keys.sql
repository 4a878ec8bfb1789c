{#-
    The keys a refresh reprocesses (grain key_type, key_id), empty on a
    full build: the customers and products (stg_refresh__changed_parties),
    and the orders and months of the ERP order extracts
    (stg_refresh__changed_erp_rows) and of the WMS activities and TMS
    shipments (stg_refresh__changed_logistics_rows). A row of the extracts
    counts as changed when it differs from the warehouse's previous copy of
    it: the typed rows dated in the refresh window (typed_<extract> macros)
    are compared with the previous run's base rows of the same window, both
    ways, so new, corrected and deleted rows all count and a row that is
    merely still there (an old defect dated in the future) does not.

    Empty when the warehouse holds no earlier staged orders (no window).
    Every incremental model reprocesses the rows of these keys whole, so that
    dedupe, validation and parent checks see what a full build sees.
-#}
with refresh_window as (
    select window_start from {{ ref('stg_refresh__window') }}
),

keys as (
    select
        key_type,
        key_id
    from {{ ref('stg_refresh__changed_parties') }}
    union all
    select
        key_type,
        key_id
    from {{ ref('stg_refresh__changed_erp_rows') }}
    union all
    select
        key_type,
        key_id
    from {{ ref('stg_refresh__changed_logistics_rows') }}
),

final as (
    select distinct
        keys.key_type,
        keys.key_id
    from keys
    where
        (select refresh_window.window_start from refresh_window) is not null
)

select * from final
