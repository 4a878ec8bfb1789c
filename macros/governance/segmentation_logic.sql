{#-
    The segmentation logic in force: its version (var
    segmentation_logic_version), its parameters (the vars that decide a
    customer's or a product's segment) and their fingerprint, an md5 of the
    parameters as sorted JSON. A change to any parameter changes the
    fingerprint, whatever the version says; segment_decision_log stamps
    both on every decision.
-#}
{% macro segmentation_logic_parameter_names() -%}
    {{ return([
        'decay_half_life_days', 'resegmentation_frequency_months',
        'segmentation_history_periods', 'seasonality_window_months',
        'segmentation_k_min', 'segmentation_k_max',
        'segmentation_min_silhouette_gain',
        'segmentation_min_explained_variance_gain',
        'segmentation_random_seed', 'segmentation_min_segment_customers',
        'segmentation_min_segment_share', 'segmentation_share_prior_orders',
        'segmentation_fit_sample_size', 'rule_volume_high_share',
        'rule_volume_medium_share', 'rule_margin_profitable_rate',
        'rule_high_risk_ratings', 'rule_high_risk_payment_days',
        'rule_segment_grid', 'customer_segmentation_method',
        'downgrade_persistence_periods', 'between_segments_distance_ratio',
        'inactive_after_months', 'abc_value_measure', 'abc_a_share',
        'abc_b_share', 'xyz_lookback_weeks', 'xyz_x_max_cv', 'xyz_y_max_cv',
        'velocity_fast_min_lines_per_week',
        'velocity_medium_min_lines_per_week',
        'product_demand_excluded_order_statuses']) }}
{%- endmacro %}


{% macro segmentation_logic() -%}
    {%- set parameters = {} -%}
    {%- for name in segmentation_logic_parameter_names() -%}
        {%- do parameters.update({name: var(name)}) -%}
    {%- endfor -%}
    {%- set canonical = tojson(parameters, sort_keys=true) -%}
    {{ return({
        'version': var('segmentation_logic_version') | string,
        'parameters': parameters,
        'fingerprint': local_md5(canonical)}) }}
{%- endmacro %}


{#- The customer clustering's features, as int_customers__clusters.py's
    FEATURES lists them (pytests/test_python_model_copies.py checks the two
    lists are the same). -#}
{% macro customer_clustering_features() -%}
    {{ return([
        'avg_order_value', 'decayed_order_count', 'lines_per_order',
        'rush_order_share', 'returns_rate', 'discount_rate',
        'peak_quarter_share', 'payment_days']) }}
{%- endmacro %}


{#- The product segmentation's inputs, as int_products__segments carries
    them. -#}
{% macro product_segmentation_features() -%}
    {{ return([
        'value_share', 'cumulative_value_share', 'demand_cv',
        'order_lines_per_week', 'weeks_with_demand']) }}
{%- endmacro %}


{#- SQL text of an entity's features, 'name=value; name=value', null
    values as 'null', each rounded (segmentation_feature_rounded): what
    segment_decision_log keeps and hashes. -#}
{% macro segmentation_feature_text(relation, features) -%}
    {%- set parts = [] -%}
    {%- for feature in features -%}
        {%- do parts.append("'" ~ feature ~ "='") -%}
        {%- do parts.append("coalesce(" ~ dbt.cast(
            segmentation_feature_rounded(relation ~ '.' ~ feature),
            dbt.type_string()) ~ ", 'null')") -%}
        {%- if not loop.last %}{% do parts.append("'; '") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{#- SELECT: one row per current customer and clustering feature with a
    value (customer_id, feature, feature_value, rounded), from
    int_customers__time_decayed_features' current period. -#}
{% macro customer_feature_values() -%}
    {%- for feature in customer_clustering_features() %}
    select
        customer_id,
        '{{ feature }}' as feature,
        {{ segmentation_feature_rounded(feature) }} as feature_value
    from {{ ref('int_customers__time_decayed_features') }}
    where period_index = 0 and {{ feature }} is not null
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- SQL: a feature value as a double rounded to 6 decimals. The features
    are sums the engine adds up in parallel, in an order that changes from
    run to run: their last digits do too (0.15667254452653073 or ...074).
    Rounded, the same data give the same text, hash and bins in every
    build. -#}
{% macro segmentation_feature_rounded(expression) -%}
    round({{ dbt.cast(expression, type_double()) }}, 6)
{%- endmacro %}


{#- SQL condition: a feature value of relation `values` lies in the bin of
    relation `bins` (same feature; above lower_edge, up to and including
    upper_edge; a null edge is open): segment_feature_bins counts its own
    build into its bins with it, segment_feature_drift the next build. -#}
{% macro segment_feature_in_bin(bins, values) -%}
    {{ bins }}.feature = {{ values }}.feature
    and (
        {{ bins }}.lower_edge is null
        or {{ bins }}.lower_edge < {{ values }}.feature_value
    )
    and (
        {{ bins }}.upper_edge is null
        or {{ bins }}.upper_edge >= {{ values }}.feature_value
    )
{%- endmacro %}


{#- The two columns that name this build on every row of the governance
    logs (segment_decision_log, segment_feature_bins,
    segment_feature_drift_history, segmentation_quality_log): build_id,
    the dbt invocation id (ops.build_runs.invocation_id), and built_at,
    when the invocation started (UTC). -#}
{% macro governance_build_columns() -%}
    '{{ invocation_id }}' as build_id,
    {{ dbt.cast(
        "'" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "'",
        dbt.type_timestamp()) }} as built_at
{%- endmacro %}
