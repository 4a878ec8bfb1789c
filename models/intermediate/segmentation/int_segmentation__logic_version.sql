{#-
    The segmentation logic this build runs (one row): its version (var
    segmentation_logic_version), the fingerprint of its parameters (macro
    segmentation_logic) and the approval of that version and fingerprint in
    seed segmentation_logic_approvals, if any.

    Change control: on a target of var governance_production_targets, a
    version without an approval row for its exact fingerprint stops the
    build here, before any segment is decided, with what to approve; every
    segmentation model depends on this one, so nothing downstream is built
    and the failed build is not published. On other targets the build goes
    on and is_approved says false.
-#}
{%- set logic = segmentation_logic() -%}
{%- set approvals = ref('segmentation_logic_approvals') -%}
{%- set production = target.name in var('governance_production_targets') -%}

{%- if execute and production -%}
    {%- set found = run_query(
        "select count(*) from " ~ approvals
        ~ " where cast(logic_version as " ~ dbt.type_string() ~ ") = '"
        ~ logic.version ~ "' and logic_fingerprint = '"
        ~ logic.fingerprint ~ "'") -%}
    {%- if found.columns[0].values()[0] == 0 -%}
        {%- do exceptions.raise_compiler_error(
            'Segmentation logic version ' ~ logic.version
            ~ ' (parameter fingerprint ' ~ logic.fingerprint
            ~ ') is not approved for target ' ~ target.name
            ~ '. Review its impact first (make assess), then add the row "'
            ~ logic.version ~ ',' ~ logic.fingerprint
            ~ ',<approver>,<YYYY-MM-DD>,<reason>" to'
            ~ ' seeds/reference/segmentation_logic_approvals.csv'
            ~ ' (logic_version, logic_fingerprint, approver, approved_on,'
            ~ ' reason). A changed parameter needs a new version name'
            ~ ' (var segmentation_logic_version) and its own approval.') -%}
    {%- endif -%}
{%- endif %}

with approvals as (
    select
        {{ dbt.cast('logic_version', dbt.type_string()) }} as logic_version,
        logic_fingerprint,
        approver,
        approved_on,
        reason
    from {{ approvals }}
),

current_logic as (
    select
        '{{ logic.version }}' as logic_version,
        '{{ logic.fingerprint }}' as logic_fingerprint
),

final as (
    select
        current_logic.logic_version,
        current_logic.logic_fingerprint,
        approvals.approver,
        approvals.approved_on,
        approvals.reason as approval_reason,
        approvals.logic_version is not null as is_approved,
        {{ 'true' if production else 'false' }} as is_approval_enforced
    from current_logic
    left join approvals
        on
            current_logic.logic_version = approvals.logic_version
            and current_logic.logic_fingerprint = approvals.logic_fingerprint
)

select * from final
