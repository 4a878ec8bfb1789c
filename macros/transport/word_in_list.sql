{#- SQL condition: the text `word` is one of the space-separated words of
    the text `words` (a seed cell such as 'parcel ltl'). Both are SQL
    expressions. -#}
{% macro word_in_list(word, words) -%}
    (' ' || {{ words }} || ' ') like ('% ' || {{ word }} || ' %')
{%- endmacro %}
