"""The dashboard: Streamlit over the published build, through the role map.

Run it with ``make dashboard`` (port ``$DASHBOARD_PORT``, default 8501) or
``streamlit run src/scw/serving/dashboard.py``. Every page reads the build
``current`` points at when the page runs, and only through
``RoleView``: the columns and customers the chosen role may see.

The role comes from the sidebar's chooser (and the ``?role=`` of the
address, so a page can be linked for a role). ``$SCW_DASHBOARD_ROLES`` (a
comma-separated list) limits the chooser: run one dashboard per audience
behind your single sign-on with the roles it may take, e.g.
``SCW_DASHBOARD_ROLES=sales_north``.

Pages: whale curve, segment matrix, segment KPIs, customer profitability,
inventory policies and stress scenarios, transport exceptions and CO2, GL
reconciliation. Key figures are ``st.metric`` values and small tables are
``st.table`` (HTML), so that a browser test can read them; figures are
formatted for a reader (thousands separators, currency, %).
"""

from __future__ import annotations

import os

import altair as alt
import pandas as pd
import streamlit as st

from scw.serving.published import NothingPublished, open_published
from scw.serving.roles import Forbidden, RoleView

FOLDER = os.environ.get("SCW_PUBLISHED", "warehouse/published")
CURRENCY = os.environ.get("SCW_CURRENCY", "$")


# ---- formatting -----------------------------------------------------------


def money(value) -> str:
    """12345.6 -> '$12,346'; negatives as -$12,346."""
    if value is None or pd.isna(value):
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}{CURRENCY}{abs(float(value)):,.0f}"


def number(value, decimals: int = 0) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):,.{decimals}f}"


def percent(value, decimals: int = 1) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{100 * float(value):,.{decimals}f} %"


# ---- the build and the role ----------------------------------------------


@st.cache_resource(max_entries=2)
def _connection(root: str):
    import duckdb

    return duckdb.connect(f"{root}/{open_published(FOLDER).manifest['database']}", read_only=True)


def build_and_view(role: str):
    build = open_published(FOLDER)
    return build, RoleView(_connection(str(build.root)).cursor(), role)


def rows(view: RoleView, mart: str, where: str = "true", params: list | None = None, order_by: str = ""):
    """The role's rows of ``mart`` as a DataFrame; None (with a note) when it may not read it."""
    try:
        columns, found = view.select(mart, where, params, order_by)
    except Forbidden:
        st.info(f"The role {view.role} may not read {mart}.")
        return None
    return pd.DataFrame(found, columns=columns)


def hidden_note(view: RoleView, mart: str, wanted: list[str]) -> list[str]:
    """The columns of ``wanted`` the role may see; a caption names the others."""
    visible = set(view.visible_columns(mart))
    hidden = [c for c in wanted if c not in visible]
    if hidden:
        st.caption(f"Hidden for the role {view.role}: {', '.join(hidden)}.")
    return [c for c in wanted if c in visible]


# ---- pages ---------------------------------------------------------------


def overview(view: RoleView) -> None:
    st.header("Supply chain segmentation and cost to serve")
    build = open_published(FOLDER)
    st.write(
        f"The published build {build.manifest['build']} (published {build.manifest['published_at']}), "
        f"seen as the role **{view.role}**: its pages show only the marts, columns and customers the role map "
        "(seed serving_roles) lets the role see."
    )
    cols = st.columns(3)
    cols[0].metric("Marts the role may read", number(len(view.readable_marts())))
    customers = view.con.execute(
        "select count(*) from serving.serving_role_customers where role = ?", [view.role]
    ).fetchone()[0]
    cols[1].metric("Customers the role may see", number(customers))
    cols[2].metric("Build", build.manifest["build"].split("-")[0])


def whale_curve(view: RoleView) -> None:
    st.header("Whale curve")
    st.write(
        "Customers from the most to the least profitable (cost-to-serve margin over the window of "
        "customer_whale_curve), and the share of the total margin they add up to."
    )
    data = rows(view, "profitability.customer_whale_curve")
    if data is None:
        return
    if "cost_to_serve_margin" not in data:
        st.info(f"The role {view.role} may not see customer margins.")
        return
    # the curve of the customers the role sees, ranked among themselves
    curve = data.sort_values(["cost_to_serve_margin", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    total = curve["cost_to_serve_margin"].sum()
    curve["customer_share"] = (curve.index + 1) / len(curve)
    curve["margin_share"] = curve["cost_to_serve_margin"].cumsum() / total if total else 0.0
    peak = curve["margin_share"].max()
    unprofitable = int((curve["cost_to_serve_margin"] < 0).sum())
    cols = st.columns(4)
    cols[0].metric("Customers", number(len(curve)))
    cols[1].metric("Total cost-to-serve margin", money(total))
    cols[2].metric("Peak of the curve", percent(peak))
    cols[3].metric("Unprofitable customers", number(unprofitable))
    chart = (
        alt.Chart(curve)
        .mark_line()
        .encode(
            x=alt.X("customer_share", title="Share of customers", axis=alt.Axis(format="%")),
            y=alt.Y("margin_share", title="Cumulative share of margin", axis=alt.Axis(format="%")),
            tooltip=["customer_id", alt.Tooltip("cost_to_serve_margin", format=",.0f")],
        )
    )
    st.altair_chart(chart, use_container_width=True)


def segment_matrix(view: RoleView) -> None:
    st.header("Segment matrix")
    st.write("The policy of each cell: customer segment x product segment (ambient products).")
    data = rows(view, "segmentation.segment_policy_matrix")
    if data is None:
        return
    st.columns(2)[0].metric("Policy cells", number(len(data)))
    ambient = data[~data["requires_temperature_control"]]
    pivot = ambient.pivot_table(
        index="customer_segment", columns="product_segment", values="policy_key", aggfunc="first"
    ).fillna("")
    st.table(pivot)
    st.subheader("Cells")
    shown = ["customer_segment", "product_segment", "policy_key", "transport_mode", "stocking_policy",
             "service_level_target", "delivery_frequency_per_week"]  # fmt: skip
    table = data[[c for c in shown if c in data]].copy()
    table["service_level_target"] = table["service_level_target"].map(percent)
    st.table(table.sort_values(["customer_segment", "product_segment"]).reset_index(drop=True))


KPI_COLUMNS = {
    "otif_rate": ("OTIF", percent),
    "fill_rate": ("Fill rate", percent),
    "perfect_order_rate": ("Perfect orders", percent),
    "cost_per_order": ("Cost per order", lambda v: money(v) if v is None or pd.isna(v) else f"{CURRENCY}{v:,.2f}"),
    "cost_to_serve_margin_pct": ("Margin %", percent),
    "inventory_turnover": ("Turnover", lambda v: number(v, 1)),
    "co2_kg_per_order": ("CO2 kg per order", lambda v: number(v, 1)),
}


def kpi_format(kpi: str, value) -> str:
    if kpi in KPI_COLUMNS:
        return KPI_COLUMNS[kpi][1](value)
    return "–" if value is None or pd.isna(value) else f"{value:,.1f} days"


def segment_kpis(view: RoleView) -> None:
    st.header("Segment KPIs")
    data = rows(view, "governance.segment_kpis", order_by="month, segment")
    if data is None:
        return
    kpis = hidden_note(view, "governance.segment_kpis", list(KPI_COLUMNS))
    latest = data["month"].max()
    st.columns(2)[0].metric("Latest month", f"{latest:%B %Y}")
    table = data[data["month"] == latest][["segment", *kpis]].set_index("segment")
    for column in kpis:
        table[column] = table[column].map(KPI_COLUMNS[column][1])
    st.table(table.rename(columns={c: KPI_COLUMNS[c][0] for c in kpis}))
    scorecard = rows(view, "governance.segment_kpi_scorecard", "month = ?", [latest])
    if scorecard is not None and "actual" in scorecard:
        st.subheader("Against targets")
        status = scorecard[scorecard["status"] != "no_target"][["segment", "kpi", "actual", "target", "status"]]
        for column in ("actual", "target"):
            status[column] = [kpi_format(kpi, value) for kpi, value in zip(status["kpi"], status[column])]
        st.table(status.reset_index(drop=True))
    if kpis:
        st.subheader("Trend")
        kpi = st.selectbox("KPI", kpis, format_func=lambda c: KPI_COLUMNS[c][0])
        chart = (
            alt.Chart(data)
            .mark_line(point=True)
            .encode(x=alt.X("month:T", title="Month"), y=alt.Y(f"{kpi}:Q", title=KPI_COLUMNS[kpi][0]), color="segment")
        )
        st.altair_chart(chart, use_container_width=True)


def customer_profitability(view: RoleView) -> None:
    st.header("Customer profitability")
    data = rows(view, "cost_to_serve.customer_profitability", order_by="customer_id, month")
    if data is None:
        return
    if "cost_to_serve_margin" not in data:
        st.info(f"The role {view.role} may not see customer margins.")
        return
    totals = data.groupby("customer_id", as_index=False)["cost_to_serve_margin"].sum()
    totals = totals.sort_values(["cost_to_serve_margin", "customer_id"]).reset_index(drop=True)
    customers = totals["customer_id"].tolist()
    st.caption(f"{len(customers):,} customers the role {view.role} may see, least profitable first.")
    customer = st.selectbox("Customer", customers)
    mine = data[data["customer_id"] == customer]
    cols = st.columns(4)
    cols[0].metric("Customer", customer)
    cols[1].metric("Net revenue", money(mine["net_revenue"].sum()))
    cols[2].metric("Cost to serve", money(mine["cost_to_serve"].sum()))
    cols[3].metric("Cost-to-serve margin", money(mine["cost_to_serve_margin"].sum()))
    shown = ["month", "order_count", "net_revenue", "gross_margin", "cost_to_serve", "cost_to_serve_margin"]
    table = mine[[c for c in shown if c in mine]].copy()
    for column in shown[2:]:
        if column in table:
            table[column] = table[column].map(money)
    table["month"] = table["month"].map(lambda d: f"{d:%Y-%m}")
    st.table(table.reset_index(drop=True))


def inventory(view: RoleView) -> None:
    st.header("Inventory policies and stress scenarios")
    data = rows(view, "inventory.inventory_policies")
    if data is None:
        return
    cols = st.columns(3)
    cols[0].metric("SKU x DC policies", number(len(data)))
    cols[1].metric("Safety stock units", number(data["safety_stock_units"].sum()))
    if "safety_stock_value" in data:
        cols[2].metric("Safety stock value", money(data["safety_stock_value"].sum()))
    hidden_note(view, "inventory.inventory_policies", ["safety_stock_value", "unit_cost"])
    by_segment = data.groupby("segment").agg(
        policies=("sku_id", "size"),
        safety_stock_units=("safety_stock_units", "sum"),
        reorder_point_units=("reorder_point_units", "sum"),
        service_level_target=("service_level_target", "mean"),
    )
    by_segment["safety_stock_units"] = by_segment["safety_stock_units"].map(number)
    by_segment["reorder_point_units"] = by_segment["reorder_point_units"].map(number)
    by_segment["service_level_target"] = by_segment["service_level_target"].map(percent)
    st.table(
        by_segment.rename(
            columns={
                "policies": "SKU x DCs",
                "safety_stock_units": "Safety stock units",
                "reorder_point_units": "Reorder points (units)",
                "service_level_target": "Service level (mean)",
            }
        )
    )
    st.subheader("Stress scenarios")
    scenarios = rows(view, "inventory.inventory_scenario_summary", order_by="scenario_order, segment")
    if scenarios is not None:
        shown = ["scenario", "segment", "demand_increase_pct", "lead_time_increase_days", "safety_stock_units",
                 "safety_stock_value_change", "demand_weighted_fill_rate_at_base_rop"]  # fmt: skip
        table = scenarios[[c for c in shown if c in scenarios]].copy()
        table["safety_stock_units"] = table["safety_stock_units"].map(number)
        if "safety_stock_value_change" in table:
            table["safety_stock_value_change"] = table["safety_stock_value_change"].map(money)
        table["demand_weighted_fill_rate_at_base_rop"] = table["demand_weighted_fill_rate_at_base_rop"].map(percent)
        table["demand_increase_pct"] = table["demand_increase_pct"].map(lambda v: f"+{v:,.0f} %")
        table["lead_time_increase_days"] = table["lead_time_increase_days"].map(lambda v: f"+{v:,.0f} days")
        labels = {
            "demand_increase_pct": "Demand",
            "lead_time_increase_days": "Lead time",
            "safety_stock_units": "Safety stock units",
            "safety_stock_value_change": "Safety stock value change",
            "demand_weighted_fill_rate_at_base_rop": "Fill rate at today's reorder point",
        }
        st.table(table.rename(columns=labels).reset_index(drop=True))


def transport(view: RoleView) -> None:
    st.header("Transport exceptions and CO2")
    exceptions = rows(view, "transport.mode_assignment_exceptions")
    emissions = rows(view, "transport.segment_emissions")
    cols = st.columns(3)
    if exceptions is not None:
        cols[0].metric("Mode exceptions", number(len(exceptions)))
    if emissions is not None:
        cols[1].metric("CO2 (kg)", number(emissions["co2_kg"].sum()))
        orders = emissions["orders"].sum()
        cols[2].metric("CO2 kg per order", number(emissions["co2_kg"].sum() / orders if orders else None, 2))
    if exceptions is not None:
        st.subheader("Exceptions by type")
        st.table(exceptions.groupby(["exception_type", "severity"]).size().rename("exceptions").reset_index())
    if emissions is not None:
        st.subheader("CO2 by segment")
        by_segment = emissions.groupby("customer_segment", as_index=False)["co2_kg"].sum()
        chart = (
            alt.Chart(by_segment)
            .mark_bar()
            .encode(x=alt.X("co2_kg:Q", title="CO2 (kg)"), y=alt.Y("customer_segment:N", title=None, sort="-x"))
        )
        st.altair_chart(chart, use_container_width=True)


def gl_reconciliation(view: RoleView) -> None:
    st.header("GL reconciliation")
    data = rows(view, "finance.gl_reconciliation")
    if data is None:
        return
    tied = int((data["status"] == "tied").sum())
    cols = st.columns(3)
    cols[0].metric("GL rows tied", f"{tied:,} of {len(data):,}")
    if "gl_amount" in data:
        cols[1].metric("GL", money(data["gl_amount"].sum()))
        cols[2].metric("Allocated minus GL", money((data["allocated_amount"] - data["gl_amount"]).sum()))
        by_pool = data.groupby(["cost_pool", "status"], as_index=False)[["gl_amount", "allocated_amount"]].sum()
        by_pool["gl_amount"] = by_pool["gl_amount"].map(money)
        by_pool["allocated_amount"] = by_pool["allocated_amount"].map(money)
        st.table(by_pool)


PAGES = [
    (overview, "Overview", "overview"),
    (whale_curve, "Whale curve", "whale_curve"),
    (segment_matrix, "Segment matrix", "segment_matrix"),
    (segment_kpis, "Segment KPIs", "segment_kpis"),
    (customer_profitability, "Customer profitability", "customer_profitability"),
    (inventory, "Inventory", "inventory"),
    (transport, "Transport", "transport"),
    (gl_reconciliation, "GL reconciliation", "gl_reconciliation"),
]


def main() -> None:
    st.set_page_config(page_title="Supply chain segmentation", layout="wide")
    try:
        build = open_published(FOLDER)
    except NothingPublished as problem:
        st.error(str(problem))
        return
    with _connection(str(build.root)).cursor() as con:
        roles = [r[0] for r in con.execute("select role from seeds.serving_roles order by 1").fetchall()]
    allowed = os.environ.get("SCW_DASHBOARD_ROLES")
    if allowed:
        roles = [r for r in roles if r in {a.strip() for a in allowed.split(",")}]
    asked = st.query_params.get("role")
    role = st.sidebar.selectbox("Role", roles, index=roles.index(asked) if asked in roles else 0)
    st.query_params["role"] = role
    st.sidebar.caption(f"Build {build.manifest['build']}")
    _, view = build_and_view(role)

    def page(function):
        def run():
            function(view)

        run.__name__ = function.__name__
        return run

    navigation = st.navigation([st.Page(page(f), title=title, url_path=path) for f, title, path in PAGES])
    navigation.run()


main()
