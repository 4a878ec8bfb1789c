"""The layer rules of the model graph (scw.lineage, docs/architecture.md).

The rules are checked on the manifest of the shared small build, with no
exception left; test_the_checks_find_planted_breaches shows that each check
finds a breach planted in a hand-made graph.
"""

from __future__ import annotations

import json

import pytest

from scw.lineage import MAX_PARENTS, Graph, report


def _node(name: str, path: str, parents: list[str], kind: str = "model") -> tuple[str, dict]:
    key = f"{kind}.p.{name}"
    return key, {
        "resource_type": kind,
        "name": name,
        "original_file_path": path,
        "depends_on": {"nodes": parents},
    }


def _manifest(*nodes: tuple[str, dict]) -> dict:
    source = {
        "resource_type": "source",
        "name": "erp_orders",
        "source_name": "erp",
        "original_file_path": "models/staging/erp/_erp__sources.yml",
    }
    return {"nodes": dict(nodes), "sources": {"source.p.erp.erp_orders": source}}


def test_the_checks_find_planted_breaches():
    """A hand-made graph with one breach of each rule: each check names it, and only it."""
    src = "source.p.erp.erp_orders"
    manifest = _manifest(
        _node("base_erp__orders", "models/staging/erp/base/base_erp__orders.sql", [src]),
        _node("stg_refresh__window", "models/staging/refresh/stg_refresh__window.sql", [src]),
        _node("stg_erp__orders", "models/staging/erp/stg_erp__orders.sql", ["model.p.base_erp__orders"]),
        # reads the refresh's control model (allowed) and a stg_ model (a breach)
        _node(
            "base_erp__lines",
            "models/staging/erp/base/base_erp__lines.sql",
            [src, "model.p.stg_refresh__window", "model.p.stg_erp__orders"],
        ),
        _node("fct_orders", "models/marts/core/fct_orders.sql", ["model.p.stg_erp__orders", "seed.p.rates"]),
        _node("rates", "seeds/rates.csv", [], kind="seed"),
        _node("order_costs", "models/marts/cost_to_serve/order_costs.sql", ["model.p.fct_orders"]),
        # an intermediate model reading a business mart
        _node(
            "int_customers__features", "models/intermediate/seg/int_customers__features.sql", ["model.p.order_costs"]
        ),
        _node("customer_segments", "models/marts/seg/customer_segments.sql", ["model.p.int_customers__features"]),
        # a rollup in its own area (allowed) and a mart reading another area's mart
        _node("segment_costs", "models/marts/cost_to_serve/segment_costs.sql", ["model.p.order_costs"]),
        _node("segment_report", "models/marts/seg/segment_report.sql", ["model.p.order_costs"]),
        # an audit mart reads any area's mart (allowed); a snapshot reading it is a breach
        _node("kpi_audit", "models/marts/governance/kpi_audit.sql", ["model.p.order_costs"]),
        _node("kpi_audit_snapshot", "snapshots/kpi_audit_snapshot.sql", ["model.p.kpi_audit"], kind="snapshot"),
        # seven parents (a seed does not count)
        _node(
            "int_wide",
            "models/intermediate/x/int_wide.sql",
            [f"model.p.{name}" for name in ("base_erp__orders", "stg_erp__orders", "base_erp__lines", "fct_orders")]
            + ["model.p.stg_refresh__window", "model.p.int_customers__features", src, "seed.p.rates"],
        ),
    )
    graph = Graph.from_manifest(manifest)
    assert graph.intermediate_reads_of_marts() == [("order_costs", "int_customers__features")]
    assert graph.mart_reads_across_areas() == [("kpi_audit", "kpi_audit_snapshot"), ("order_costs", "segment_report")]
    assert graph.base_reads_of_models() == [("stg_erp__orders", "base_erp__lines")]
    assert graph.wide_models() == {"int_wide": 7}
    assert graph.wide_models(limit=7) == {}
    chain = graph.longest_chain()
    assert chain == [
        "erp.erp_orders",
        "base_erp__orders",
        "stg_erp__orders",
        "fct_orders",
        "order_costs",
        "int_customers__features",
        "customer_segments",
    ]
    assert graph.layer_crossings(chain) == 2
    assert graph.edge_counts()[("mart", "intermediate")] == 1
    assert graph.edge_counts()[("seed", "intermediate")] == 1


@pytest.fixture(scope="module")
def graph(small_build) -> Graph:
    project, _ = small_build
    return Graph.from_manifest(json.loads(((project.output or project.root) / "target" / "manifest.json").read_text()))


def test_no_intermediate_model_reads_a_business_mart(graph):
    assert graph.intermediate_reads_of_marts() == []


def test_marts_read_marts_only_of_their_own_area(graph):
    assert graph.mart_reads_across_areas() == []


def test_no_base_model_reads_another_model(graph):
    """A base_ model reads its extract (and the refresh's control models);
    the rules across tables run in the check_ models."""
    assert graph.base_reads_of_models() == []


def test_no_model_has_more_than_six_parents(graph):
    """Outside the quality layer, and seeds aside (scw.lineage)."""
    assert MAX_PARENTS == 6
    assert graph.wide_models() == {}


def test_the_report_states_the_longest_chain(graph):
    chain = graph.longest_chain()
    assert chain[0].split(".")[0] in ("erp", "crm", "wms", "tms", "finance")
    assert graph.layer(next(key for key in graph.nodes if graph.name(key) == chain[-1])) == "mart"
    assert f"longest source-to-mart chain: {len(chain) - 1} hops" in report(graph)


def test_each_headline_quantity_has_one_defining_model(graph):
    """docs/architecture.md's "One model per quantity", checked on the manifest."""
    assert graph.definition_breaches() == []


def test_the_definition_check_finds_a_second_definition():
    """budget_variance joins the pool mapping itself instead of reading the accounts model, and
    a second model maps the GL too: both are named."""
    quantity = (
        "a GL account's cost pool",
        "cost_pool_mapping",
        "int_cost_pools__accounts",
        True,
        ("int_general_ledger__pooled", "budget_variance"),
    )
    seed = "seed.p.cost_pool_mapping"
    manifest = _manifest(
        _node("cost_pool_mapping", "seeds/reference/cost_pool_mapping.csv", [], kind="seed"),
        _node("int_cost_pools__accounts", "models/intermediate/finance/int_cost_pools__accounts.sql", [seed]),
        _node(
            "int_general_ledger__pooled",
            "models/intermediate/finance/int_general_ledger__pooled.sql",
            ["model.p.int_cost_pools__accounts"],
        ),
        _node("budget_variance", "models/marts/finance/budget_variance.sql", [seed]),
        _node("int_gl__mapped_again", "models/intermediate/finance/int_gl__mapped_again.sql", [seed]),
    )
    breaches = Graph.from_manifest(manifest).definition_breaches([quantity])
    only = "cost_pool_mapping, which only int_cost_pools__accounts may"
    assert breaches == [
        f"a GL account's cost pool: budget_variance reads {only}",
        f"a GL account's cost pool: int_gl__mapped_again reads {only}",
        "a GL account's cost pool: budget_variance does not read int_cost_pools__accounts",
        "a GL account's cost pool: budget_variance reads cost_pool_mapping itself",
    ]
