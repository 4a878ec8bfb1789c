"""``scw lineage``: the layer rules of the model graph, checked on dbt's manifest.

The layers (docs/architecture.md), by a node's file path:

    source -> staging -> core -> intermediate -> mart

- staging       models/staging/ (base_ and stg_ models, the refresh's control
                models stg_refresh__*)
- core          models/marts/core/ (conformed dims and facts)
- intermediate  models/intermediate/
- quality       models/marts/quality/ (reads every base_ model by design)
- mart          every other model under models/marts/
- snapshot      snapshots (the versioned history of a mart)
- seed          reference seeds (configuration; not counted as parents)

The rules:

1. no intermediate model reads a business mart or a snapshot of one;
2. a base_ model reads only sources, and the refresh's control models
   (which keys of its own source a refresh redoes);
3. no model outside the quality layer has more than ``MAX_PARENTS``
   parents (models, snapshots and sources; seeds are configuration);
4. a business mart reads another business mart only of its own area (its
   folder under models/marts/: a rollup such as segment_working_capital of
   customer_working_capital); a figure another area needs is an
   intermediate model both read. The audit areas (``AUDIT_AREAS``: the
   governance marts, and the serving marts that say who may read what)
   are the exception: they audit or serve what the other areas publish
   (the policies, the exceptions, the customers a role may see), so they
   read those marts, and
   no model outside an audit area reads them (they are the graph's sinks);
5. the longest chain from a source to a business mart is reported;
6. each headline quantity of ``QUANTITIES`` has one defining model: only it
   reads the input the quantity is computed from (besides the layers that
   count that input's rows and dates: quality, staging, the refresh's
   control models), and the models that use the quantity read the defining
   model, not the input.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: the most parents a model outside the quality layer may have
MAX_PARENTS = 6
#: models a base_ model may read besides its sources: the refresh's control
#: tables, which say which of its source's keys a refresh redoes
REFRESH_CONTROL = ("stg_refresh__window", "stg_refresh__changed_keys")
#: mart areas that audit what the other areas publish: they may read any
#: mart, and no model outside them may read theirs (rule 4)
AUDIT_AREAS = ("governance", "serving")
LAYER_ORDER = ("source", "seed", "staging", "core", "intermediate", "quality", "mart", "snapshot")

#: Rule 6 (docs/architecture.md, "One model per quantity"): quantity, the
#: input it is computed from, the one model that computes it, whether no
#: other business model may read that input at all (an input such as the
#: order lines has other uses), and the models that use the quantity.
QUANTITIES = (
    (
        "a GL account's cost pool",
        "cost_pool_mapping",
        "int_cost_pools__accounts",
        True,
        ("int_general_ledger__pooled", "budget_variance"),
    ),
    (
        "a GL row's cost pool (the pooled GL)",
        "stg_finance__general_ledger",
        "int_general_ledger__pooled",
        True,
        ("int_cost_allocations__orders", "gl_reconciliation", "freight_reconciliation", "budget_variance"),
    ),
    (
        "an invoice's payment days",
        "stg_erp__invoices",
        "fct_invoices",
        True,
        ("int_invoices__payment_days", "int_customers__service_drivers", "int_customers__time_decayed_features"),
    ),
    (
        "units demanded per SKU x DC and day",
        "fct_order_lines",
        "int_inventory__daily_demand",
        False,
        ("int_inventory__demand_statistics", "obsolescence_risk"),
    ),
    (
        "the events that drive a cost pool",
        "fct_warehouse_activities",
        "int_orders__driver_events",
        False,
        ("int_orders__cost_drivers", "int_refresh__cost_months"),
    ),
)


def layer_of(node: dict) -> str:
    """The layer of a manifest node or source (see the module's docstring)."""
    kind = node["resource_type"]
    if kind in ("source", "seed", "snapshot"):
        return kind
    path = node.get("original_file_path", "")
    if path.startswith("models/staging/"):
        return "staging"
    if path.startswith("models/marts/core/"):
        return "core"
    if path.startswith("models/marts/quality/"):
        return "quality"
    if path.startswith("models/intermediate/"):
        return "intermediate"
    return "mart"


@dataclass(frozen=True)
class Graph:
    """Models, snapshots, seeds and sources of a manifest, with their parents."""

    nodes: dict[str, dict]
    parents: dict[str, tuple[str, ...]]

    @classmethod
    def from_manifest(cls, manifest: dict) -> Graph:
        nodes = {
            key: node
            for key, node in manifest["nodes"].items()
            if node["resource_type"] in ("model", "snapshot", "seed")
        }
        nodes.update(manifest.get("sources", {}))
        parents = {
            key: tuple(
                dict.fromkeys(parent for parent in node.get("depends_on", {}).get("nodes", []) if parent in nodes)
            )
            for key, node in nodes.items()
        }
        return cls(nodes, parents)

    def name(self, key: str) -> str:
        node = self.nodes[key]
        if node["resource_type"] == "source":
            return f"{node['source_name']}.{node['name']}"
        return node["name"]

    def layer(self, key: str) -> str:
        return layer_of(self.nodes[key])

    def edge_counts(self) -> Counter:
        """Edges by (parent layer, child layer)."""
        return Counter(
            (self.layer(parent), self.layer(child)) for child in self.nodes for parent in self.parents[child]
        )

    def intermediate_reads_of_marts(self) -> list[tuple[str, str]]:
        """(mart or snapshot, intermediate model) edges: rule 1."""
        return sorted(
            (self.name(parent), self.name(child))
            for child in self.nodes
            if self.layer(child) == "intermediate"
            for parent in self.parents[child]
            if self.layer(parent) in ("mart", "snapshot")
        )

    def area(self, key: str) -> str:
        """The folder of a node under its layer's root (models/marts/<area>/...)."""
        parts = self.nodes[key].get("original_file_path", "").split("/")
        return parts[2] if len(parts) > 3 else ""

    def is_audit(self, key: str) -> bool:
        """Whether a node is a mart of an audit area (AUDIT_AREAS)."""
        return self.layer(key) == "mart" and self.area(key) in AUDIT_AREAS

    def mart_reads_across_areas(self) -> list[tuple[str, str]]:
        """(mart, mart of another area) edges, an audit mart's reads aside, and any
        read of an audit mart from outside its area: rule 4."""
        return sorted(
            (self.name(parent), self.name(child))
            for child in self.nodes
            for parent in self.parents[child]
            if (
                self.layer(child) == "mart"
                and not self.is_audit(child)
                and self.layer(parent) == "mart"
                and self.area(parent) != self.area(child)
            )
            or (self.is_audit(parent) and self.area(child) != self.area(parent))
        )

    def base_reads_of_models(self) -> list[tuple[str, str]]:
        """(model, base_ model) edges other than to the refresh's control models: rule 2."""
        return sorted(
            (self.name(parent), self.name(child))
            for child, node in self.nodes.items()
            if node["resource_type"] == "model" and node["name"].startswith("base_")
            for parent in self.parents[child]
            if self.layer(parent) not in ("source", "seed") and self.name(parent) not in REFRESH_CONTROL
        )

    def wide_models(self, limit: int = MAX_PARENTS) -> dict[str, int]:
        """Models outside the quality layer with more than ``limit`` parents: rule 3."""
        wide = {}
        for key, node in self.nodes.items():
            if node["resource_type"] != "model" or self.layer(key) == "quality":
                continue
            count = sum(1 for parent in self.parents[key] if self.layer(parent) != "seed")
            if count > limit:
                wide[self.name(key)] = count
        return dict(sorted(wide.items()))

    def definition_breaches(self, quantities=QUANTITIES) -> list[str]:
        """Rule 6: a headline quantity computed outside its defining model."""
        by_name = {self.name(key): key for key in self.nodes}
        readers: dict[str, set[str]] = {}
        for child, parents in self.parents.items():
            for parent in parents:
                readers.setdefault(self.name(parent), set()).add(self.name(child))
        breaches = []
        for quantity, source, definer, exclusive, users in quantities:
            if definer not in readers.get(source, set()):
                breaches.append(f"{quantity}: {definer} does not read {source}")
            if exclusive:
                for reader in sorted(readers.get(source, set()) - {definer}):
                    key = by_name[reader]
                    if self.layer(key) not in ("quality", "staging") and not self.nodes[key].get(
                        "original_file_path", ""
                    ).startswith("models/intermediate/refresh/"):
                        breaches.append(f"{quantity}: {reader} reads {source}, which only {definer} may")
            for user in users:
                if user not in readers.get(definer, set()):
                    breaches.append(f"{quantity}: {user} does not read {definer}")
                if user in readers.get(source, set()):
                    breaches.append(f"{quantity}: {user} reads {source} itself")
        return breaches

    def longest_chain(self) -> list[str]:
        """The longest chain of parents from a source to a business mart (names, source first)."""

        @cache
        def chain(key: str) -> tuple[str, ...]:
            if self.layer(key) == "source":
                return (key,)
            best: tuple[str, ...] = ()
            for parent in self.parents[key]:
                if self.layer(parent) == "seed":
                    continue
                candidate = chain(parent)
                if candidate and len(candidate) > len(best):
                    best = candidate
            return (*best, key) if best else ()

        marts = [key for key in self.nodes if self.layer(key) == "mart"]
        longest = max((chain(key) for key in marts), key=len, default=())
        return [self.name(key) for key in longest]

    def layer_crossings(self, chain: list[str]) -> int:
        """How many times a chain enters the mart layer from another layer."""
        by_name = {self.name(key): key for key in self.nodes}
        layers = [self.layer(by_name[name]) for name in chain]
        return sum(1 for before, after in zip(layers, layers[1:]) if after == "mart" and before != "mart")


def report(graph: Graph) -> str:
    """The rules' findings and the edge counts, as text."""
    lines = ["edges by layer (parent -> child):"]
    counts = graph.edge_counts()
    for (parent, child), count in sorted(
        counts.items(), key=lambda item: (LAYER_ORDER.index(item[0][0]), LAYER_ORDER.index(item[0][1]))
    ):
        lines.append(f"  {parent:>12} -> {child:<12} {count:>4}")
    marts_back = graph.intermediate_reads_of_marts()
    lines.append(f"intermediate models reading a business mart: {len(marts_back)}")
    lines += [f"  {mart} -> {model}" for mart, model in marts_back]
    across = graph.mart_reads_across_areas()
    lines.append(f"business marts reading a mart of another area: {len(across)}")
    lines += [f"  {parent} -> {model}" for parent, model in across]
    base = graph.base_reads_of_models()
    lines.append(f"base_ models reading another model: {len(base)}")
    lines += [f"  {parent} -> {model}" for parent, model in base]
    wide = graph.wide_models()
    lines.append(f"models with more than {MAX_PARENTS} parents (quality layer and seeds aside): {len(wide)}")
    lines += [f"  {model}: {count}" for model, count in wide.items()]
    breaches = graph.definition_breaches()
    lines.append(f"headline quantities computed outside their defining model: {len(breaches)}")
    lines += [f"  {breach}" for breach in breaches]
    chain = graph.longest_chain()
    lines.append(
        f"longest source-to-mart chain: {len(chain) - 1} hops, entering the mart layer"
        f" {graph.layer_crossings(chain)} times"
    )
    lines.append("  " + " -> ".join(chain))
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    graph = Graph.from_manifest(json.loads(Path(args.manifest).read_text()))
    print(report(graph))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw lineage``."""
    parser = subparsers.add_parser(
        "lineage",
        help="check the layer rules of the model graph on dbt's manifest",
        description=(
            "Print the edges between layers, the intermediate models that read a business mart, the base_"
            " models that read another model, the models with too many parents and the longest"
            " source-to-mart chain (docs/architecture.md). Run dbt parse first."
        ),
    )
    parser.add_argument(
        "--manifest", default="target/manifest.json", help="dbt manifest (default: target/manifest.json)"
    )
    parser.set_defaults(func=_run)
