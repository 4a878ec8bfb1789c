"""The role map: sensitivity tags on mart columns and what each role may see.

Checked on the shared small build against calculations made here from the
seed (seeds/reference/serving_roles.csv) and the marts' YAML, not from the
serving models' own SQL:

- every column of a mart whose name says money or identity (cost, price,
  margin, revenue, freight, value, receivable, customer name, ...) carries a
  sensitivity tag in its YAML (``none`` when it is not sensitive after all);
  a tag removed from a copy of the YAML is caught;
- serving_role_columns shows a role exactly the columns the seed grants it;
- serving_role_customers holds exactly the customers of a role's region.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO

#: names that say a column holds money or identifies a customer
LOOKS_SENSITIVE = re.compile(
    r"cogs|cost|freight|expense|spend|price|amount|carrying|labou?r|overhead|penalt|margin|profit|revenue"
    r"|value|saving|receivable|cash|invoice|credit|_name$|account_manager|email|phone|address"
)
TAGS = {"cost", "margin", "customer_identifying", "none"}


def mart_column_tags(root: Path = REPO) -> dict[tuple[str, str], str | None]:
    """(mart, column) -> sensitivity tag (None when untagged), from every mart
    YAML but the serving marts' own (they describe the others)."""
    found = {}
    for path in sorted((root / "models" / "marts").rglob("*.yml")):
        if "serving" in path.parts:
            continue
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            for column in model.get("columns", []):
                meta = (column.get("config") or {}).get("meta") or {}
                found[(model["name"], column["name"])] = meta.get("sensitivity")
    return found


def untagged_sensitive_columns(tags: dict) -> list[tuple[str, str]]:
    return sorted(key for key, tag in tags.items() if tag is None and LOOKS_SENSITIVE.search(key[1]))


def test_every_money_or_identity_column_carries_a_sensitivity_tag():
    tags = mart_column_tags()
    assert untagged_sensitive_columns(tags) == []
    assert {tag for tag in tags.values() if tag} <= TAGS
    assert tags[("customer_profitability", "cost_to_serve_margin")] == "margin"
    assert tags[("dim_customers", "customer_name")] == "customer_identifying"


def test_a_tag_removed_from_the_yaml_is_caught(tmp_path):
    source = REPO / "models" / "marts" / "cost_to_serve" / "_cost_to_serve__models.yml"
    copy = tmp_path / "models" / "marts" / "cost_to_serve" / source.name
    copy.parent.mkdir(parents=True)
    text = source.read_text()
    planted = text.replace(
        "      - name: gross_margin\n        config: {meta: {sensitivity: margin}}\n", "      - name: gross_margin\n", 1
    )
    assert planted != text
    copy.write_text(planted)
    assert ("cost_to_serve_orders", "gross_margin") in untagged_sensitive_columns(mart_column_tags(tmp_path))


@pytest.fixture(scope="module")
def warehouse(small_build):
    project, _ = small_build
    con = duckdb.connect(str(project.warehouse), read_only=True)
    yield con
    con.close()


def _seed_roles() -> list[dict]:
    with (REPO / "seeds" / "reference" / "serving_roles.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_each_role_sees_exactly_what_the_seed_grants(warehouse):
    tags = mart_column_tags()
    columns = warehouse.execute(
        "select mart_schema, mart_name, column_name, has_customer_id, has_region from serving.serving_mart_columns"
    ).df()
    # every documented column of every built mart is in the map, and every
    # column of a built mart is documented
    built = {
        (name, column)
        for schema, name, column in warehouse.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_schema in ('core', 'cost_to_serve', 'finance', 'governance', 'inventory',"
            " 'profitability', 'quality', 'segmentation', 'transport')"
        ).fetchall()
    }
    mapped = {(r.mart_name, r.column_name) for r in columns.itertuples()}
    assert mapped == {key for key in tags if key[0] in {name for name, _ in built}}
    assert built <= mapped, sorted(built - mapped)[:10]
    served = warehouse.execute(
        "select role, mart_schema, mart_name, column_name, is_visible from serving.serving_role_columns"
    ).df()
    expected = []
    for role in _seed_roles():
        schemas = set(role["schemas"].split("|"))
        may_see = set(filter(None, role["may_see"].split("|")))
        scoped = role["region_scope"] != "*" or role["customer_segment_scope"] != "*"
        for r in columns.itertuples():
            tag = tags[(r.mart_name, r.column_name)]
            sensitive = tag in ("cost", "margin", "customer_identifying")
            visible = (
                r.mart_schema in schemas
                and (not sensitive or tag in may_see)
                and not (scoped and sensitive and not (r.has_customer_id or r.has_region))
            )
            expected.append((role["role"], r.mart_schema, r.mart_name, r.column_name, visible))
    expected = pd.DataFrame(expected, columns=served.columns)
    key = ["role", "mart_schema", "mart_name", "column_name"]
    merged = served.merge(expected, on=key, suffixes=("", "_expected"), how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    wrong = merged[merged["is_visible"] != merged["is_visible_expected"]]
    assert wrong.empty, wrong.head(10).to_string()
    # and the map is not trivial: the warehouse sees no money, sales no other region's totals
    visible = served[served.is_visible]
    assert not visible[(visible.role == "warehouse") & visible.column_name.str.contains("cost|margin")].shape[0]
    assert "gross_margin" not in set(
        visible[(visible.role == "sales_north") & (visible.mart_name == "segment_profitability")].column_name
    )
    assert "cost_to_serve_margin" in set(
        visible[(visible.role == "sales_north") & (visible.mart_name == "customer_profitability")].column_name
    )


def test_a_regional_role_sees_the_customers_of_its_region_only(warehouse):
    for role in _seed_roles():
        got = {
            r[0]
            for r in warehouse.execute(
                "select customer_id from serving.serving_role_customers where role = ?", [role["role"]]
            ).fetchall()
        }
        if role["region_scope"] == "*":
            want = {r[0] for r in warehouse.execute("select customer_id from core.dim_customers").fetchall()}
        else:
            want = {
                r[0]
                for r in warehouse.execute(
                    "select customer_id from core.dim_customers where region = ?", [role["region_scope"]]
                ).fetchall()
            }
        assert got == want and got, role["role"]
