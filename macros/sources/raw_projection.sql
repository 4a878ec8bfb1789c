{#-
    The columns of a raw.<table> view: every column the source declares in
    models/staging/<system>/_*__sources.yml, with its declared data_type,
    whatever type the file gives it. So a Parquet column written as text,
    an integer where text is declared, or a column that is empty in every
    row (type NULL in DuckDB, void in Spark) all arrive as the contract
    says, and nothing downstream depends on the tool that wrote the file.

      file type = declared type  the column as it is
      file type NULL / void      a typed null
      anything else              try_cast to the declared type; to
                                 bigint only a whole number ('12',
                                 '12.0', '1e3'), never a rounded '7.5'

    A value that is present but does not convert becomes null, and the view
    says so in three more columns, one per kind of declared type, read by
    the base models' invalid_number, invalid_date and invalid_boolean rules
    (dq_cast_rules in macros/quality/dq_validate.sql):

      dq_invalid_number   bigint and double columns
      dq_invalid_date     date and timestamp columns
      dq_invalid_boolean  boolean columns

    Each is null when every value converted, otherwise the failures as
    column='raw value' joined with '; '. Columns of the file that the
    source does not declare are left out.
-#}

{#- The kind of a declared or file type: text, bigint, double, date,
    timestamp, boolean, null, or other. -#}
{% macro scw_type_kind(type_name) %}
    {%- set name = (type_name or '') | lower | replace('"', '') | trim -%}
    {%- set base = name.split('(')[0] | trim -%}
    {%- if base in ['text', 'string', 'varchar', 'char', 'character varying'] -%}
        {{ return('text') }}
    {%- elif base in ['bigint', 'int', 'integer', 'int64', 'long', 'smallint',
        'tinyint', 'hugeint', 'ubigint', 'uinteger', 'usmallint', 'utinyint'] -%}
        {{ return('bigint') }}
    {%- elif base in ['double', 'float', 'real', 'decimal', 'numeric',
        'float8', 'float4', 'double precision'] -%}
        {{ return('double') }}
    {%- elif base == 'date' -%}
        {{ return('date') }}
    {%- elif base in ['timestamp', 'datetime', 'timestamp_ntz',
        'timestamp without time zone'] -%}
        {{ return('timestamp') }}
    {%- elif base in ['boolean', 'bool'] -%}
        {{ return('boolean') }}
    {%- elif base in ['null', 'void'] -%}
        {{ return('null') }}
    {%- else -%}
        {{ return('other') }}
    {%- endif -%}
{% endmacro %}


{#- The SQL type of a declared kind on the target. -#}
{% macro scw_kind_type(kind) %}
    {%- if kind == 'text' -%}
        {{ return(dbt.type_string()) }}
    {%- elif kind == 'bigint' -%}
        {{ return(dbt.type_bigint()) }}
    {%- elif kind == 'double' -%}
        {{ return(type_double()) }}
    {%- elif kind == 'timestamp' -%}
        {{ return(dbt.type_timestamp()) }}
    {%- elif kind == 'boolean' -%}
        {{ return(dbt.type_boolean()) }}
    {%- else -%}
        {{ return(kind) }}
    {%- endif -%}
{% endmacro %}


{#- The rule column a failed conversion to a kind is reported in. -#}
{% macro scw_invalid_column(kind) %}
    {%- if kind in ['bigint', 'double'] -%}
        {{ return('dq_invalid_number') }}
    {%- elif kind in ['date', 'timestamp'] -%}
        {{ return('dq_invalid_date') }}
    {%- elif kind == 'boolean' -%}
        {{ return('dq_invalid_boolean') }}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
{% endmacro %}


{#- Select list of raw.<table> for the source node, given the file's
    columns as a dict {lower name: type name}. Every declared column must
    carry a data_type. -#}
{% macro scw_raw_select_list(node, file_columns) %}
    {%- set items = [] -%}
    {%- set failures = {
        'dq_invalid_number': [], 'dq_invalid_date': [],
        'dq_invalid_boolean': []} -%}
    {%- for name, column in node.columns.items() -%}
        {%- set declared = scw_type_kind(column.data_type) -%}
        {%- if declared in ['null', 'other'] -%}
            {%- do exceptions.raise_compiler_error(
                'source ' ~ node.source_name ~ '.' ~ node.name ~ ' column '
                ~ name ~ ': data_type must be one of text, bigint, double,'
                ~ ' date, timestamp, boolean (got '
                ~ (column.data_type or 'none') ~ ')') -%}
        {%- endif -%}
        {%- set sql_type = scw_kind_type(declared) -%}
        {%- set file_type = file_columns.get(name | lower) -%}
        {%- set found = scw_type_kind(file_type) -%}
        {%- set quoted = adapter.quote(name) -%}
        {%- if found == 'null' -%}
            {%- do items.append(
                'cast(null as ' ~ sql_type ~ ') as ' ~ quoted) -%}
        {%- elif found == declared and (declared == 'text'
            or (file_type | lower) == (sql_type | lower)) -%}
            {%- do items.append(quoted) -%}
        {%- else -%}
            {%- if declared == 'bigint' -%}
                {#- try_cast of '7.5' (or the double 7.5) to bigint rounds
                    it: a whole number only, else invalid -#}
                {%- set as_double = try_cast_to(quoted, type_double()) -%}
                {%- set converted = 'case when ' ~ as_double ~ ' = floor('
                    ~ as_double ~ ') then coalesce(' ~ try_cast_to(quoted, sql_type)
                    ~ ', ' ~ try_cast_to(as_double, sql_type) ~ ') end' -%}
            {%- else -%}
                {%- set converted = try_cast_to(quoted, sql_type) -%}
            {%- endif -%}
            {%- do items.append(converted ~ ' as ' ~ quoted) -%}
            {%- set rule_column = scw_invalid_column(declared) -%}
            {%- if rule_column is not none and found != declared -%}
                {%- set as_text = dbt.cast(quoted, dbt.type_string()) -%}
                {%- do failures[rule_column].append(
                    'case when ' ~ quoted ~ ' is not null and ' ~ converted
                    ~ ' is null and trim(' ~ as_text ~ ") <> '' then '"
                    ~ name ~ "=''' || " ~ as_text ~ " || '''' end") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for rule_column in ['dq_invalid_number', 'dq_invalid_date',
        'dq_invalid_boolean'] -%}
        {%- if failures[rule_column] | length == 0 -%}
            {%- do items.append(
                'cast(null as ' ~ dbt.type_string() ~ ') as ' ~ rule_column) -%}
        {%- else -%}
            {%- do items.append(
                "nullif(concat_ws('; ', " ~ failures[rule_column] | join(', ')
                ~ "), '') as " ~ rule_column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(items | join(',\n    ')) }}
{% endmacro %}
