{#- Days from an invoice to its payment as seen at `as_of` (a column or
    date expression): to paid_date when it was paid by then, else to
    `as_of` (still open). The one rule for payment days at a date;
    fct_invoices.days_to_pay is the same with no as-of date (null while
    unpaid). -#}
{% macro invoice_days_open(invoice_date, paid_date, as_of) -%}
    {{ dbt.datediff(
        invoice_date,
        'case when ' ~ paid_date ~ ' <= ' ~ as_of ~ ' then ' ~ paid_date
        ~ ' else ' ~ as_of ~ ' end',
        'day') }}
{%- endmacro %}

{#- Whether an invoice was paid by `as_of` (false while unpaid). -#}
{% macro invoice_is_paid_by(paid_date, as_of) -%}
    coalesce({{ paid_date }} <= {{ as_of }}, false)
{%- endmacro %}
