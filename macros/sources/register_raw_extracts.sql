{#-
    on-run-start hook: registers each raw extract of the input contract as
    raw.<table> and checks that it carries every column its source declares
    in models/staging/<system>/_*__sources.yml.

    DuckDB: a view over <raw_path>/<table>.parquet or <table>.csv, whichever
    is present (Parquet wins when both are). A missing file or column stops
    the build with one message that names every missing table and column,
    before any model runs.

    Spark (docs/spark.md): an external table over <raw_path>/<table>.<var
    raw_format> (default parquet); raw_path must be absolute. A missing file
    stops the build with Spark's message naming its path; missing columns
    are named together as on DuckDB.

    CSV extracts are read with every column as text; staging casts them with
    try_cast_to, so a value that does not parse becomes null and is caught by
    the staging validation rules instead of failing the scan. Other engines
    need their own <adapter>__ versions of the macros below.
-#}
{% macro register_raw_extracts() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set raw_path = var('raw_path') | string -%}
    {%- set raw_sources = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.schema == 'raw' -%}
            {%- do raw_sources.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if raw_sources | length == 0 -%}
        {{ return('') }}
    {%- endif -%}

    {%- do run_query('create schema if not exists raw') -%}
    {%- set problems = [] -%}
    {%- for node in raw_sources | sort(attribute='name') -%}
        {%- set table = node.identifier -%}
        {#- a source with meta folder (finance) lives in that subfolder -#}
        {%- set folder = (node.source_meta or {}).get('folder') -%}
        {%- set table_path = raw_path ~ ('/' ~ folder if folder else '') -%}
        {%- set found = scw_find_extract(
            table_path, table, (node.source_meta or {}).get('file_format')) -%}
        {%- if found is none -%}
            {%- do problems.append(
                'raw extract ' ~ table ~ ' not found: expected '
                ~ table_path ~ '/' ~ table ~ '.parquet or '
                ~ table_path ~ '/' ~ table ~ '.csv') -%}
        {%- elif scw_extract_is_empty_file(found) -%}
            {%- do problems.append(
                'raw extract ' ~ table ~ ' (' ~ found ~ ') is an empty file'
                ~ ' (0 bytes): expected a header row and the rows') -%}
        {%- elif scw_extract_encoding_problem(found) is not none -%}
            {%- do problems.append(
                'raw extract ' ~ table ~ ' (' ~ found ~ ') is '
                ~ scw_extract_encoding_problem(found)) -%}
        {%- elif scw_extract_file_problem(found) is not none -%}
            {%- do problems.append(
                'raw extract ' ~ table ~ ' (' ~ found ~ ') is '
                ~ scw_extract_file_problem(found)) -%}
        {%- else -%}
            {%- set file_columns = scw_extract_columns(table, found) -%}
            {%- set missing = [] -%}
            {%- for column_name in node.columns.keys() -%}
                {%- if column_name | lower not in file_columns -%}
                    {%- do missing.append(column_name) -%}
                {%- endif -%}
            {%- endfor -%}
            {#- a CSV row with more or fewer fields than the header makes
                the sniffer read the file as one column: name the row, not
                every column as missing -#}
            {%- set ragged = scw_csv_field_count_problem(found)
                if missing | length > 0 else none -%}
            {%- if ragged is not none -%}
                {%- do problems.append(
                    'raw extract ' ~ table ~ ' (' ~ found ~ ') is not a'
                    ~ ' well-formed CSV file: ' ~ ragged) -%}
            {%- else -%}
                {%- for column_name in missing -%}
                    {%- do problems.append(
                        'raw extract ' ~ table ~ ' (' ~ found
                        ~ ') is missing required column ' ~ column_name) -%}
                {%- endfor -%}
            {%- endif -%}
            {%- if missing | length == 0 -%}
                {%- do scw_register_extract(
                    table, found, scw_raw_select_list(node, file_columns)) -%}
                {%- set has_rows = run_query(
                    'select count(*) from (select 1 from raw.' ~ table
                    ~ ' limit 1) as first_row').columns[0].values()[0] -%}
                {%- if has_rows == 0 and table
                    in var('extracts_that_may_be_empty') -%}
                    {%- do log('Warning: raw extract ' ~ table ~ ' (' ~ found
                        ~ ') is header only: no rows', info=true) -%}
                {%- elif has_rows == 0 -%}
                    {%- do problems.append(
                        'raw extract ' ~ table ~ ' (' ~ found ~ ') is header'
                        ~ ' only: no rows (only the tables of var'
                        ~ ' extracts_that_may_be_empty may be empty)') -%}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems | length == 0 -%}
        {%- set problems = check_finance_extracts() -%}
    {%- endif -%}
    {#- The views must outlive the hook's transaction. -#}
    {%- do scw_commit_hook() -%}
    {%- if problems | length > 0 -%}
        {%- do exceptions.raise_compiler_error(
            'Input contract violated:\n  - ' ~ (problems | join('\n  - '))
            ~ '\n(raw_path=' ~ raw_path ~ ')') -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{#- The path of <table>.parquet or <table>.csv under raw_path, or none. -#}
{% macro scw_find_extract(raw_path, table, file_format=none) %}
    {{ return(adapter.dispatch('scw_find_extract')(
        raw_path, table, file_format)) }}
{% endmacro %}

{% macro default__scw_find_extract(raw_path, table, file_format=none) %}
    {%- do scw_no_extract_reader() -%}
{% endmacro %}

{#- Stops the build on an engine without versions of the two macros. -#}
{% macro scw_no_extract_reader() %}
    {%- do exceptions.raise_compiler_error(
        'register_raw_extracts: no way to read extract files on target type '
        ~ target.type ~ '; add ' ~ target.type ~ '__scw_find_extract and '
        ~ target.type ~ '__scw_register_extract (macros/sources/'
        ~ 'register_raw_extracts.sql), or load the extracts as tables in '
        ~ 'schema raw and drop the on-run-start hook') -%}
{% endmacro %}

{% macro duckdb__scw_find_extract(raw_path, table, file_format=none) %}
    {%- for extension in ['parquet', 'csv'] -%}
        {%- set candidate = raw_path ~ '/' ~ table ~ '.' ~ extension -%}
        {%- set hits = run_query(
            "select count(*) from glob('" ~ scw_sql_text(candidate) ~ "')") -%}
        {%- if hits.columns[0].values()[0] > 0 -%}
            {{ return(candidate) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#-
    Spark SQL cannot list files: the extract is <table>.<raw_format> (var,
    default parquet), or the source's meta file_format (the finance
    extracts are CSV). A relative path would be resolved against the raw
    schema's folder, not the working directory, so it is refused.
-#}
{% macro spark__scw_find_extract(raw_path, table, file_format=none) %}
    {%- if not (raw_path.startswith('/') or '://' in raw_path) -%}
        {%- do exceptions.raise_compiler_error(
            'raw_path must be an absolute path or a URI on Spark, got '
            ~ raw_path) -%}
    {%- endif -%}
    {{ return(raw_path ~ '/' ~ table ~ '.' ~ (file_format or var('raw_format'))) }}
{% endmacro %}


{#- Whether the extract file has 0 bytes (no header row either). -#}
{% macro scw_extract_is_empty_file(path) %}
    {{ return(adapter.dispatch('scw_extract_is_empty_file')(path)) }}
{% endmacro %}

{% macro default__scw_extract_is_empty_file(path) %}
    {{ return(false) }}
{% endmacro %}

{#- read_blob reads no content when only the size is selected -#}
{% macro duckdb__scw_extract_is_empty_file(path) %}
    {%- set size = run_query(
        "select size from read_blob('" ~ scw_sql_text(path)
        ~ "')").columns[0].values()[0] -%}
    {{ return(size == 0) }}
{% endmacro %}


{#- None when a CSV extract is valid in var extract_encoding (or is not
    checked), else what is wrong. DuckDB reads CSV as UTF-8 unless the var
    says otherwise, and would stop at the first invalid byte with its own
    error; this names the line instead. Files above var
    extract_encoding_check_max_mb are left to DuckDB's error. -#}
{% macro scw_extract_encoding_problem(path) %}
    {{ return(adapter.dispatch('scw_extract_encoding_problem')(path)) }}
{% endmacro %}

{% macro default__scw_extract_encoding_problem(path) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__scw_extract_encoding_problem(path) %}
    {%- set encoding = var('extract_encoding') | lower | replace('_', '-') -%}
    {%- if not path.endswith('.csv') or encoding not in ['utf-8', 'utf8'] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set limit = var('extract_encoding_check_max_mb') * 1024 * 1024 -%}
    {%- set checked = run_query(
        "select size > " ~ limit ~ " or try(decode(content)) is not null"
        ~ " from read_blob('" ~ scw_sql_text(path)
        ~ "')").columns[0].values()[0] -%}
    {%- if checked -%}
        {{ return(none) }}
    {%- endif -%}
    {#- read as latin-1 (every byte is a character), remove the valid UTF-8
        sequences, and find the first line with a byte left above 0x7f -#}
    {%- set first_bad = run_query(
        "with lines as (select row_number() over () as line_number, line"
        ~ " from read_csv('" ~ scw_sql_text(path) ~ "', header = false,"
        ~ " columns = {'line': 'VARCHAR'}, delim = chr(31), quote = '',"
        ~ " escape = '', encoding = 'latin-1', auto_detect = false,"
        ~ " strict_mode = false))"
        ~ " select min(line_number) from lines where regexp_matches("
        ~ "regexp_replace(line, '[\\x{C2}-\\x{DF}][\\x{80}-\\x{BF}]"
        ~ "|[\\x{E0}-\\x{EF}][\\x{80}-\\x{BF}]{2}"
        ~ "|[\\x{F0}-\\x{F4}][\\x{80}-\\x{BF}]{3}', '', 'g'),"
        ~ " '[\\x{80}-\\x{FF}]')").columns[0].values()[0] -%}
    {{ return('not UTF-8 (line ' ~ first_bad ~ '): convert it to UTF-8, or'
        ~ " set var extract_encoding (latin-1 or utf-16) to the file's"
        ~ ' encoding') }}
{% endmacro %}


{#- None when the extract file can be read as its extension says, else
    what is wrong (a .parquet file that is not Parquet, or truncated; a CSV
    row with the wrong number of fields). On DuckDB the checks are
    scw_parquet_file_problem and scw_csv_read_problem, registered by the
    project's plugin (src/scw/extract_files.py); without the plugin, or on
    other engines, the reader's own error stands. -#}
{% macro scw_extract_file_problem(path) %}
    {{ return(adapter.dispatch('scw_extract_file_problem')(path)) }}
{% endmacro %}

{% macro default__scw_extract_file_problem(path) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__scw_extract_file_problem(path) %}
    {%- if path.endswith('.parquet')
        and scw_has_function('scw_parquet_file_problem') -%}
        {{ return(run_query(
            "select scw_parquet_file_problem('" ~ scw_sql_text(path) ~ "')"
        ).columns[0].values()[0]) }}
    {%- endif -%}
    {#- a CSV is read whole once (up to var extract_csv_check_max_mb), so that
        a row with the wrong number of fields beyond the sniffer's sample is
        named here, not by a failing base model -#}
    {%- if path.endswith('.csv')
        and scw_has_function('scw_csv_read_problem') -%}
        {%- set limit = var('extract_csv_check_max_mb') * 1024 * 1024 -%}
        {%- set problem = run_query(
            "select case when size <= " ~ limit ~ " then scw_csv_read_problem('"
            ~ scw_sql_text(path) ~ "', '"
            ~ scw_sql_text(var('extract_encoding')) ~ "') end"
            ~ " from read_blob('" ~ scw_sql_text(path)
            ~ "')").columns[0].values()[0] -%}
        {%- if problem is not none -%}
            {{ return('not a well-formed CSV file: ' ~ problem) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#- None when every row of a CSV extract has the header's number of
    fields, else the first row that does not (scw_csv_field_count_problem
    of the plugin); none for Parquet, without the plugin and on other
    engines. Only asked when columns are missing: it reads the whole file. -#}
{% macro scw_csv_field_count_problem(path) %}
    {{ return(adapter.dispatch('scw_csv_field_count_problem')(path)) }}
{% endmacro %}

{% macro default__scw_csv_field_count_problem(path) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__scw_csv_field_count_problem(path) %}
    {%- if not path.endswith('.csv')
        or not scw_has_function('scw_csv_field_count_problem') -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query(
        "select scw_csv_field_count_problem('" ~ scw_sql_text(path) ~ "', '"
        ~ scw_sql_text(var('extract_encoding')) ~ "')"
    ).columns[0].values()[0]) }}
{% endmacro %}


{#- Whether the DuckDB connection has a function of that name. -#}
{% macro scw_has_function(name) %}
    {{ return(run_query(
        "select count(*) from duckdb_functions() where function_name = '"
        ~ name ~ "'").columns[0].values()[0] > 0) }}
{% endmacro %}


{#- The file's columns as {lower name: type name}. -#}
{% macro scw_extract_columns(table, path) %}
    {{ return(adapter.dispatch('scw_extract_columns')(table, path)) }}
{% endmacro %}

{% macro default__scw_extract_columns(table, path) %}
    {%- do scw_no_extract_reader() -%}
{% endmacro %}

{% macro duckdb__scw_extract_columns(table, path) %}
    {#- a statement, unlike run_query, opens the hook's transaction, which
        scw_commit_hook ends -#}
    {%- call statement('scw_describe_extract', fetch_result=true,
        auto_begin=true) -%}
        describe select * from {{ scw_read_extract(path) }}
    {%- endcall -%}
    {%- set columns = {} -%}
    {%- for row in load_result('scw_describe_extract').table.rows -%}
        {%- do columns.update({row[0] | lower: row[1]}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{#- An external (unmanaged) table raw.<table>__file over the file: dropping
    it keeps the file. CSV columns are all text, as on DuckDB. The file is
    read once first so that a missing one fails with PATH_NOT_FOUND naming
    it. -#}
{% macro spark__scw_extract_columns(table, path) %}
    {%- set file_format = 'csv' if path.endswith('.csv') else 'parquet' -%}
    {%- do run_query(
        'select * from ' ~ file_format ~ '.`' ~ path ~ '` limit 0') -%}
    {%- do run_query('drop table if exists raw.' ~ table ~ '__file') -%}
    {%- do run_query(
        'create table raw.' ~ table ~ '__file using ' ~ file_format
        ~ " options (path '" ~ path ~ "'"
        ~ (", header 'true'" if file_format == 'csv' else '') ~ ')') -%}
    {%- set columns = {} -%}
    {%- for column in adapter.get_columns_in_relation(api.Relation.create(
        schema='raw', identifier=table ~ '__file')) -%}
        {%- do columns.update({column.name | lower: column.data_type}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}


{#- raw.<table>: a view selecting select_list (scw_raw_select_list) from
    the extract file found. -#}
{% macro scw_register_extract(table, path, select_list) %}
    {{ return(adapter.dispatch('scw_register_extract')(
        table, path, select_list)) }}
{% endmacro %}

{% macro default__scw_register_extract(table, path, select_list) %}
    {%- do scw_no_extract_reader() -%}
{% endmacro %}

{% macro duckdb__scw_register_extract(table, path, select_list) %}
    {%- do run_query(
        'create or replace view raw.' ~ table ~ ' as select\n    '
        ~ select_list ~ '\nfrom ' ~ scw_read_extract(scw_absolute_path(path))) -%}
{% endmacro %}

{% macro spark__scw_register_extract(table, path, select_list) %}
    {#- raw.<table> was an external table before the views -#}
    {%- set existing = adapter.get_relation(
        database=none, schema='raw', identifier=table) -%}
    {%- if existing is not none and existing.type != 'view' -%}
        {%- do run_query('drop table if exists raw.' ~ table) -%}
    {%- endif -%}
    {%- do run_query(
        'create or replace view raw.' ~ table ~ ' as select\n    '
        ~ select_list ~ '\nfrom raw.' ~ table ~ '__file') -%}
{% endmacro %}


{#- Ends the hook's transaction where the engine has one. -#}
{% macro scw_commit_hook() %}
    {{ return(adapter.dispatch('scw_commit_hook')()) }}
{% endmacro %}

{% macro default__scw_commit_hook() %}
    {#- a statement opens the transaction when no describe did (every
        extract missing or refused), so that the commit has one to end -#}
    {%- call statement('scw_hook_transaction', auto_begin=true) -%}
        select 1
    {%- endcall -%}
    {%- do run_query('commit') -%}
{% endmacro %}

{% macro spark__scw_commit_hook() %}
{% endmacro %}


{#- The table-function call that reads one extract file (DuckDB). -#}
{% macro scw_read_extract(path) %}
    {%- if path.endswith('.csv') -%}
        {{ return("read_csv('" ~ scw_sql_text(path)
            ~ "', header = true, all_varchar = true, encoding = '"
            ~ scw_sql_text(var('extract_encoding')) ~ "')") }}
    {%- else -%}
        {{ return("read_parquet('" ~ scw_sql_text(path) ~ "')") }}
    {%- endif -%}
{% endmacro %}


{#- Text as the inside of a DuckDB string literal: a quote doubled, so that
    an extract folder such as O'Brien reads as a path, not as SQL. -#}
{% macro scw_sql_text(value) %}
    {{ return((value | string).replace("'", "''")) }}
{% endmacro %}
