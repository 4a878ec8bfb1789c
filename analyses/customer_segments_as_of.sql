{#- Customer segments as they were at var segments_as_of (a timestamp):
    dbt compile --select customer_segments_as_of \
        --vars '{segments_as_of: "2026-11-01 00:00:00"}'
    then run target/compiled/.../customer_segments_as_of.sql, or
    dbt show --inline with the same macro. -#}
{{ segments_as_of(
    ref('customer_segments_snapshot'),
    var('segments_as_of', '2999-12-31 00:00:00')) }}
