{#-
    One row per stocking location (grain sku_id, dc_id): everything
    inventory_policies needs besides the daily demand series.

      cycle_service_level_target  service_level_target of seed
          segment_policies, rows with customer_segment_pattern '*' (any
          customer), most specific product_segment_pattern that matches the
          segment (most literal characters; as segment_policy_matrix)
      fill_rate_target            seed inventory_segment_targets, most
          specific product_segment_pattern
      policy_type, review_type    seed inventory_policy_rules: the matching
          rule (segment pattern and velocity_class_at_dc, '*' any) with the
          lowest rule_priority
      moq_units                   the larger of the supplier minimum (seed
          inventory_supplier_moq: the row of the SKU and its supplier, else
          the supplier's row without sku_id) and the committed lot of a
          procurement contract covering the SKU x DC
          (int_procurement_contracts__lot_sizes); null when neither
          applies. lot_constraint_source says which set it
      contract_id                 the covering procurement contract, if any
      lead time                   int_inventory__lead_times
-#}
with locations as (
    select * from {{ ref('int_inventory__stocking_locations') }}
),

lead_times as (
    select * from {{ ref('int_inventory__lead_times') }}
),

segment_policies as (
    select
        product_segment_pattern,
        service_level_target
    from {{ ref('segment_policies') }}
    where customer_segment_pattern = '*'
),

segment_targets as (
    select
        product_segment_pattern,
        fill_rate_target
    from {{ ref('inventory_segment_targets') }}
),

policy_rules as (
    select
        rule_priority,
        product_segment_pattern,
        velocity_class,
        policy_type,
        review_type
    from {{ ref('inventory_policy_rules') }}
),

supplier_moq as (
    select
        supplier_id,
        sku_id,
        moq_units
    from {{ ref('inventory_supplier_moq') }}
),

contract_lots as (
    select
        sku_id,
        dc_id,
        contract_id,
        min_lot_units
    from {{ ref('int_procurement_contracts__lot_sizes') }}
),

service_levels as (
    select
        locations.sku_id,
        locations.dc_id,
        segment_policies.service_level_target,
        row_number() over (
            partition by locations.sku_id, locations.dc_id
            order by
                length(
                    replace(segment_policies.product_segment_pattern, '*', '')
                ) desc,
                segment_policies.product_segment_pattern asc
        ) as match_rank
    from locations
    inner join segment_policies
        on
            locations.segment
            like replace(segment_policies.product_segment_pattern, '*', '%')
),

fill_rates as (
    select
        locations.sku_id,
        locations.dc_id,
        segment_targets.fill_rate_target,
        row_number() over (
            partition by locations.sku_id, locations.dc_id
            order by
                length(
                    replace(segment_targets.product_segment_pattern, '*', '')
                ) desc,
                segment_targets.product_segment_pattern asc
        ) as match_rank
    from locations
    inner join segment_targets
        on
            locations.segment
            like replace(segment_targets.product_segment_pattern, '*', '%')
),

rules as (
    select
        locations.sku_id,
        locations.dc_id,
        policy_rules.rule_priority,
        policy_rules.policy_type,
        policy_rules.review_type,
        row_number() over (
            partition by locations.sku_id, locations.dc_id
            order by policy_rules.rule_priority asc
        ) as match_rank
    from locations
    inner join policy_rules
        on
            locations.segment
            like replace(policy_rules.product_segment_pattern, '*', '%')
            and locations.velocity_class_at_dc
            like replace(policy_rules.velocity_class, '*', '%')
),

moqs as (
    select
        locations.sku_id,
        locations.dc_id,
        supplier_moq.moq_units,
        row_number() over (
            partition by locations.sku_id, locations.dc_id
            order by
                case when supplier_moq.sku_id is null then 1 else 0 end asc
        ) as match_rank
    from locations
    inner join supplier_moq
        on
            locations.supplier_id = supplier_moq.supplier_id
            and (
                supplier_moq.sku_id is null
                or locations.sku_id = supplier_moq.sku_id
            )
),

final as (
    select
        locations.sku_id,
        locations.dc_id,
        locations.supplier_id,
        locations.segment,
        locations.abc_class,
        locations.xyz_class,
        locations.velocity_class,
        locations.velocity_class_at_dc,
        rules.policy_type,
        rules.review_type,
        lead_times.lead_time_basis,
        rules.rule_priority as policy_rule_priority,
        {{ dbt.cast('service_levels.service_level_target', type_double()) }}
            as cycle_service_level_target,
        {{ dbt.cast('fill_rates.fill_rate_target', type_double()) }}
            as fill_rate_target,
        lead_times.lead_time_receipts,
        lead_times.lead_time_mean_days,
        lead_times.lead_time_sd_days,
        {{ dbt.cast(
            'case when contract_lots.min_lot_units > coalesce(moqs.moq_units,'
            ~ ' 0) then contract_lots.min_lot_units else moqs.moq_units end',
            type_double()) }} as moq_units,
        case
            when contract_lots.min_lot_units > coalesce(moqs.moq_units, 0)
                then 'procurement_contract'
            when moqs.moq_units is not null then 'supplier_moq'
            else 'none'
        end as lot_constraint_source,
        contract_lots.contract_id,
        locations.unit_cost,
        locations.is_stocked_at_dc,
        locations.has_demand_in_window,
        locations.has_open_forecast,
        locations.is_zero_velocity_high_forecast,
        locations.window_start_date,
        locations.series_start_date,
        locations.as_of_date
    from locations
    inner join lead_times
        on
            locations.sku_id = lead_times.sku_id
            and locations.dc_id = lead_times.dc_id
    left join service_levels
        on
            locations.sku_id = service_levels.sku_id
            and locations.dc_id = service_levels.dc_id
            and service_levels.match_rank = 1
    left join fill_rates
        on
            locations.sku_id = fill_rates.sku_id
            and locations.dc_id = fill_rates.dc_id
            and fill_rates.match_rank = 1
    left join rules
        on
            locations.sku_id = rules.sku_id
            and locations.dc_id = rules.dc_id
            and rules.match_rank = 1
    left join moqs
        on
            locations.sku_id = moqs.sku_id
            and locations.dc_id = moqs.dc_id
            and moqs.match_rank = 1
    left join contract_lots
        on
            locations.sku_id = contract_lots.sku_id
            and locations.dc_id = contract_lots.dc_id
)

select * from final
