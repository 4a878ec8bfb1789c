{#-
    Validation helpers shared by every base_<system>__<entity> model.

    A base model casts its source, adds the columns its checks need (for
    example whether a foreign key resolves) in a CTE, and then selects
    dq_validate(...) over that CTE. The result keeps every raw row and adds:

      dq_key_version       1 for the latest copy of the key, 2 the next, ... (bigint)
                           (numbered within each key, so no global sort)
      dq_record_key        the natural key as text (parts joined with '|'),
                           on the rows data_quality_exceptions reports
                           (duplicates and rows failing a rule), else null
      dq_is_duplicate      an older or repeated copy of a key (latest wins)
      dq_error__<rule>     detail text when a blocking rule fails, else null
      dq_warn__<rule>      detail text when a warning rule fails, else null
      dq_is_quarantined    a surviving row that fails a blocking rule
      dq_has_tied_conflict another copy of the key, tied with this one on
                           the recency column, differs from it

    The staging model keeps rows that are neither duplicates nor quarantined;
    data_quality_exceptions unpivots the dq_ columns of every base model.
-#}

{#- One rule: name, severity ('error' quarantines, 'warn' flags), the SQL
    condition that marks a failure, and a SQL text expression for the detail. -#}
{% macro dq_rule(name, severity, condition, detail) -%}
    {{ return({
        'name': name, 'severity': severity,
        'condition': condition, 'detail': detail}) }}
{%- endmacro %}


{#- Rule: every listed column must be present after casting. -#}
{% macro dq_required_rule(columns) -%}
    {%- set conditions = [] -%}
    {%- set details = [] -%}
    {%- for column in columns -%}
        {%- do conditions.append(column ~ ' is null') -%}
        {%- do details.append(
            "case when " ~ column ~ " is null then '" ~ column ~ " ' else '' end")
        -%}
    {%- endfor -%}
    {{ return(dq_rule(
        'missing_value', 'error',
        conditions | join(' or '),
        "'missing or invalid: ' || trim(" ~ dbt.concat(details) ~ ")")) }}
{%- endmacro %}


{#- The three conversion columns of a raw.<table> view (macros/sources/
    raw_projection.sql), carried through a base model's typed CTE. -#}
{% macro dq_invalid_columns() -%}
    dq_invalid_number,
    dq_invalid_date,
    dq_invalid_boolean
{%- endmacro %}


{#- Rules: a value present in the extract that does not convert to the
    column's declared type (the detail names the column and the raw
    value). Every base model has them. -#}
{% macro dq_cast_rules() -%}
    {{ return([
        dq_rule('invalid_number', 'error',
            'dq_invalid_number is not null', 'dq_invalid_number'),
        dq_rule('invalid_date', 'error',
            'dq_invalid_date is not null', 'dq_invalid_date'),
        dq_rule('invalid_boolean', 'error',
            'dq_invalid_boolean is not null', 'dq_invalid_boolean'),
    ]) }}
{%- endmacro %}


{#- Rule: the row's key columns must all be present. -#}
{% macro dq_key_rule(key_columns) -%}
    {%- set conditions = [] -%}
    {%- for column in key_columns -%}
        {%- do conditions.append(column ~ ' is null') -%}
    {%- endfor -%}
    {{ return(dq_rule(
        'missing_key', 'error', conditions | join(' or '),
        "'key column missing: " ~ key_columns | join(', ') ~ "'")) }}
{%- endmacro %}


{#- Rule: a date or timestamp must not lie after the reference date. -#}
{% macro dq_future_rule(columns) -%}
    {%- set conditions = [] -%}
    {%- set details = [] -%}
    {%- for column in columns -%}
        {%- set condition -%}
            {{ dbt.cast(column, dbt.type_timestamp()) }}
            >= {{ dbt.dateadd('day', 1, dq_reference_date()) }}
        {%- endset -%}
        {%- do conditions.append('(' ~ condition ~ ')') -%}
        {%- do details.append(
            "case when " ~ condition ~ " then '" ~ column ~ "='"
            ~ " || " ~ dbt.cast(column, dbt.type_string())
            ~ " || ' ' else '' end") -%}
    {%- endfor -%}
    {{ return(dq_rule(
        'future_date', 'error', conditions | join(' or '),
        "'after reference date: ' || trim(" ~ dbt.concat(details) ~ ")")) }}
{%- endmacro %}


{#- Rule: a date or timestamp must not lie before var dq_min_date (default
    1990-01-01): a date typed in the wrong century, or a placeholder. -#}
{% macro dq_early_date_rule(columns) -%}
    {%- set floor = dbt.cast("'" ~ var('dq_min_date') ~ "'", 'date') -%}
    {%- set conditions = [] -%}
    {%- set details = [] -%}
    {%- for column in columns -%}
        {%- set condition -%}
            {{ dbt.cast(column, dbt.type_timestamp()) }} < {{ floor }}
        {%- endset -%}
        {%- do conditions.append('(' ~ condition ~ ')') -%}
        {%- do details.append(
            "case when " ~ condition ~ " then '" ~ column ~ "='"
            ~ " || " ~ dbt.cast(column, dbt.type_string())
            ~ " || ' ' else '' end") -%}
    {%- endfor -%}
    {{ return(dq_rule(
        'date_before_minimum', 'error', conditions | join(' or '),
        "'before var dq_min_date " ~ var('dq_min_date') ~ ": ' || trim("
        ~ dbt.concat(details) ~ ")")) }}
{%- endmacro %}


{#- Rule absurd_<kind>: a value above var dq_max_<kind> (quantity,
    unit_price, amount, weight_kg, volume_m3), a sanity bound that catches
    a unit or decimal-point error before it reaches the money. -#}
{% macro dq_ceiling_rule(kind, columns) -%}
    {%- set limit = var('dq_max_' ~ kind) -%}
    {%- set conditions = [] -%}
    {%- set details = [] -%}
    {%- for column in columns -%}
        {%- do conditions.append(column ~ ' > ' ~ limit) -%}
        {%- do details.append(
            "case when " ~ column ~ " > " ~ limit ~ " then '" ~ column ~ "='"
            ~ " || " ~ dbt.cast(column, dbt.type_string())
            ~ " || ' ' else '' end") -%}
    {%- endfor -%}
    {{ return(dq_rule(
        'absurd_' ~ kind, 'error', conditions | join(' or '),
        "'above var dq_max_" ~ kind ~ " " ~ limit ~ ": ' || trim("
        ~ dbt.concat(details) ~ ")")) }}
{%- endmacro %}


{#- The date that "future" is measured against: var dq_reference_date or
    the build date. -#}
{% macro dq_reference_date() -%}
    {%- if var('dq_reference_date') is none -%}
        {{ dbt.cast(dbt.current_timestamp(), 'date') }}
    {%- else -%}
        {{ dbt.cast("'" ~ var('dq_reference_date') ~ "'", 'date') }}
    {%- endif -%}
{%- endmacro %}


{#- The text key of a row: key columns cast to text, joined with '|'. -#}
{% macro dq_record_key_expression(key_columns, relation_alias) -%}
    {%- set parts = [] -%}
    {%- for column in key_columns -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append(
            "coalesce(" ~ dbt.cast(relation_alias ~ '.' ~ column,
            dbt.type_string()) ~ ", '')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{#-
    Select every row of `relation` with the dq_ columns described above.
    key_columns: the natural key; order_by: the recency column ("latest wins"),
    or none; tiebreak_columns: columns that order equal recency; rules: a
    list of dq_rule(...) dictionaries. The conversion rules (dq_cast_rules)
    are added to every model's rules.

    Which copy of a key wins, in order: the latest order_by; then the
    largest tiebreak_columns, in the order given; then the largest row
    fingerprint (dq_row_fingerprint), so that the winner never depends on
    the order of the rows in the file. When copies tied on order_by (all
    copies, without order_by) differ in any value, the winner carries the
    warning conflicting_duplicate:
    the extract holds two different truths for one key at one time, and the
    one kept is the one above.
-#}
{% macro dq_validate(
    relation, key_columns, rules, order_by=none, tiebreak_columns=[]
) -%}
    {%- set key_present = [] -%}
    {%- for column in key_columns -%}
        {%- do key_present.append('versioned.' ~ column ~ ' is not null') -%}
    {%- endfor -%}
    {%- set rules = dq_cast_rules() + rules + [dq_rule(
        'conflicting_duplicate', 'warn',
        key_present | join(' and ') ~ ' and versioned.dq_key_version = 1'
        ~ ' and versioned.dq_has_tied_conflict',
        "'copies with equal " ~ (order_by or 'key') ~ " differ: kept the"
        ~ " one with the largest " ~ (tiebreak_columns + ['fingerprint'])
        | join(', ') ~ "'")] -%}
    {%- set partition -%}
        {% for column in key_columns -%}
            {{ relation }}.{{ column }}
            {{- ", " if not loop.last }}
        {%- endfor %}
    {%- endset -%}
    {%- set fingerprint = dq_row_fingerprint(relation) -%}
    {%- set ordering = [] -%}
    {%- if order_by is not none -%}
        {%- do ordering.append(relation ~ '.' ~ order_by ~ ' desc nulls last') -%}
    {%- endif -%}
    {%- for column in tiebreak_columns -%}
        {%- do ordering.append(relation ~ '.' ~ column ~ ' desc nulls last') -%}
    {%- endfor -%}
    {%- do ordering.append(fingerprint ~ ' desc') -%}
    {#- the copies tied with a row on order_by: its peers when ordered by
        order_by alone; the whole key without order_by -#}
    {%- set tied -%}
        partition by {{ partition }}
        {%- if order_by is not none %}
        order by {{ relation }}.{{ order_by }} desc nulls last
        range between current row and current row
        {%- endif %}
    {%- endset -%}
    select
        flagged.*,
        (
            not flagged.dq_is_duplicate
            and (
                {%- for rule in rules if rule.severity == 'error' %}
                flagged.dq_error__{{ rule.name }} is not null
                {{- " or" if not loop.last }}
                {%- else %}
                false
                {%- endfor %}
            )
        ) as dq_is_quarantined,
        {#- only rows that data_quality_exceptions reports need their key as
            text: a unique string per row is costly to store -#}
        case
            when
                flagged.dq_is_duplicate
                {%- for rule in rules %}
                or flagged.dq_{{ rule.severity }}__{{ rule.name }} is not null
                {%- endfor %}
                then {{ dq_record_key_expression(key_columns, 'flagged') }}
        end as dq_record_key
    from (
        select
            versioned.*,
            coalesce(
                {{ key_present | join(' and ') }}
                and versioned.dq_key_version > 1,
                false
            ) as dq_is_duplicate
            {%- for rule in rules %},
            case
                when coalesce({{ rule.condition }}, false)
                    then coalesce({{ rule.detail }}, '{{ rule.name }}')
            end as dq_{{ rule.severity }}__{{ rule.name }}
            {%- endfor %}
        from (
            {#- the version within the key first, so that the sort carries
                only the row's own columns -#}
            select
                {{ relation }}.*,
                cast(row_number() over (
                    partition by {{ partition }}
                    order by {{ ordering | join(', ') }}
                ) as {{ dbt.type_bigint() }}) as dq_key_version,
                min({{ fingerprint }}) over ({{ tied }})
                <> max({{ fingerprint }}) over ({{ tied }})
                    as dq_has_tied_conflict
            from {{ relation }}
        ) as versioned
    ) as flagged
{%- endmacro %}


{#- A hash of every column of the row of `relation`: the last tiebreak of
    the dedupe, and how copies that differ are told apart. -#}
{% macro dq_row_fingerprint(relation) -%}
    {{ return(adapter.dispatch('dq_row_fingerprint')(relation)) }}
{%- endmacro %}

{% macro default__dq_row_fingerprint(relation) -%}
    {%- do exceptions.raise_compiler_error(
        'dq_row_fingerprint: no row hash on target type ' ~ target.type
        ~ '; add ' ~ target.type ~ '__dq_row_fingerprint'
        ~ ' (macros/quality/dq_validate.sql)') -%}
{%- endmacro %}

{% macro duckdb__dq_row_fingerprint(relation) -%}
    hash(*columns({{ relation }}.*))
{%- endmacro %}

{% macro spark__dq_row_fingerprint(relation) -%}
    xxhash64({{ relation }}.*)
{%- endmacro %}


{#- Detail text "column=value" for a rule about one column. -#}
{% macro dq_value_detail(column) -%}
    {{ return(
        "'" ~ column ~ "=' || coalesce("
        ~ dbt.cast(column, dbt.type_string()) ~ ", 'null')") }}
{%- endmacro %}


{#- Rule: a value must lie in [low, high] (either bound may be none). -#}
{% macro dq_range_rule(name, column, low=none, high=none, severity='error') -%}
    {%- set conditions = [] -%}
    {%- if low is not none -%}
        {%- do conditions.append(column ~ ' < ' ~ low) -%}
    {%- endif -%}
    {%- if high is not none -%}
        {%- do conditions.append(column ~ ' > ' ~ high) -%}
    {%- endif -%}
    {{ return(dq_rule(
        name, severity, conditions | join(' or '), dq_value_detail(column))) }}
{%- endmacro %}


{#- Rule: a foreign key that is present must resolve (is_known_column is a
    boolean the model computes with a left join to the staged parent). -#}
{% macro dq_reference_rule(name, column, is_known_column, severity='error') -%}
    {{ return(dq_rule(
        name, severity,
        column ~ ' is not null and not ' ~ is_known_column,
        dq_value_detail(column))) }}
{%- endmacro %}
