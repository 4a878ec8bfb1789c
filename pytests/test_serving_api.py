"""The segment API and the order-entry hook over a published small build.

Every answer is checked against the published marts read directly, and
every role restriction against the seed and the marts' YAML tags
(test_serving_roles.mart_column_tags), not against the serving models:

- no token or an unknown one: 401; a customer outside the role's region:
  403; a role that may see no cost gets no cost column, and a role that may
  gets them (and the read is in the audit log);
- paging through a segment's transport policy returns the mart's rows, each
  once;
- the bulk change export, applied page by page to an empty store,
  reproduces the segments (all of them for finance, its region's for a
  sales role), and applied on top of an earlier state reproduces a later
  build (changed, new and removed customers); a page token of an older
  build is refused with 409;
- the order-entry hook on planted orders of every customer segment: the
  segment, the transport mode of the policy cell, a DC that stocks the
  SKU, the allocation rule; unknown customer and SKU, a date inside the
  transit time, a cold SKU.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from serving_fixtures import publish_small_build
from test_serving_roles import mart_column_tags

from scw.serving import audit
from scw.serving.api import create_app, issue_tokens
from scw.serving.orders import Order, OrderLine, fulfilment_decision
from scw.serving.published import open_published
from scw.warehouse import publish

pytestmark = pytest.mark.e2e
SCW = str(Path(sys.executable).with_name("scw"))


@pytest.fixture(scope="module")
def served(small_build, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serving")
    published = publish_small_build(small_build, folder)
    build = open_published(published)
    with build.connect() as con:
        roles = [r[0] for r in con.execute("select role from seeds.serving_roles").fetchall()]
    tokens = issue_tokens(roles, folder / "tokens.json")
    client = TestClient(create_app(published, folder / "tokens.json"))
    return client, tokens, published


def _auth(tokens, role):
    return {"Authorization": f"Bearer {tokens[role]}"}


def _db(published):
    return duckdb.connect(str(published / "supply_chain.duckdb"), read_only=True)


def _customer(published, region, segment=None):
    with _db(published) as con:
        return con.execute(
            "select c.customer_id from core.dim_customers c join segmentation.customer_segments s using (customer_id)"
            " where c.region = ? and (? is null or s.segment = ?) order by 1 limit 1",
            [region, segment, segment],
        ).fetchone()[0]


def test_a_token_is_required(served):
    client, _, published = served
    customer = _customer(published, "north")
    assert client.get(f"/customers/{customer}/segment").status_code == 401
    assert client.get(f"/customers/{customer}/segment", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/health").status_code == 200


def test_a_sales_role_reads_its_region_and_is_refused_another(served):
    client, tokens, published = served
    north, south = _customer(published, "north"), _customer(published, "south")
    ok = client.get(f"/customers/{north}/segment", headers=_auth(tokens, "sales_north"))
    assert ok.status_code == 200
    with _db(published) as con:
        segment = con.execute(
            "select segment from segmentation.customer_segments where customer_id = ?", [north]
        ).fetchone()[0]
    assert ok.json()["segment"] == segment
    refused = client.get(f"/customers/{south}/segment", headers=_auth(tokens, "sales_north"))
    assert refused.status_code == 403
    assert "may not see customer" in refused.json()["detail"]
    assert client.get("/customers/NOPE/segment", headers=_auth(tokens, "finance")).status_code == 404
    # an order for another region's customer is refused too
    order = {"customer_id": south, "lines": [{"sku_id": "X", "quantity": 1}], "requested_date": "2030-01-01"}
    assert client.post("/orders/decision", json=order, headers=_auth(tokens, "sales_north")).status_code == 403


def test_cost_columns_reach_only_the_roles_that_may_see_them(served):
    client, tokens, published = served
    tags = mart_column_tags()
    with _db(published) as con:
        sku, dc, unit_cost = con.execute(
            "select sku_id, dc_id, unit_cost from inventory.inventory_policies where is_stocked_at_dc order by 1, 2"
            " limit 1"
        ).fetchone()
    url = f"/skus/{sku}/dcs/{dc}/policy"
    warehouse = client.get(url, headers=_auth(tokens, "warehouse")).json()
    planning = client.get(url, headers=_auth(tokens, "planning")).json()
    hidden = {c for (mart, c), tag in tags.items() if mart == "inventory_policies" and tag == "cost"}
    assert hidden >= {"unit_cost", "safety_stock_value"}
    assert not hidden & set(warehouse["inventory_policy"])
    assert hidden <= set(planning["inventory_policy"])
    assert planning["inventory_policy"]["unit_cost"] == pytest.approx(unit_cost)
    assert warehouse["inventory_policy"]["safety_stock_units"] == planning["inventory_policy"]["safety_stock_units"]
    events = [e for e in audit.read(published) if e["event"] == "api_read" and e["what"] == f"GET {url}"]
    assert {e["who"] for e in events} == {"planning"}
    assert "unit_cost" in events[0]["columns"] and events[0]["version"] == open_published(published).manifest["build"]


def test_paging_returns_every_transport_policy_row_once(served):
    client, tokens, published = served
    with _db(published) as con:
        segment, rows = con.execute(
            "select customer_segment, count(*) from transport.transport_policies group by 1 order by 2 desc limit 1"
        ).fetchone()
    seen, page = [], 1
    while True:
        body = client.get(
            f"/segments/{segment}/transport-policy",
            params={"page": page, "page_size": 4},
            headers=_auth(tokens, "warehouse"),
        ).json()
        assert body["total"] == rows
        if not body["items"]:
            break
        seen += [(i["product_segment"], i["requires_temperature_control"]) for i in body["items"]]
        page += 1
    assert len(seen) == len(set(seen)) == rows
    assert client.get("/segments/none/transport-policy", headers=_auth(tokens, "warehouse")).status_code == 404


def _export(client, headers, entity, since=None, page_size=97):
    items, token = [], None
    while True:
        params = {"entity": entity, "page_size": page_size}
        if since is not None:
            params["since"] = since
        if token:
            params["page_token"] = token
        response = client.get("/changes", params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        token = body["next_page_token"]
        if token is None:
            return items


def _apply(state, items):
    for item in items:
        if item["change"] == "delete":
            state.pop(item["entity_id"], None)
        else:
            state[item["entity_id"]] = item["segment"]
    return state


def test_the_bulk_export_round_trips_the_segments(served):
    client, tokens, published = served
    with _db(published) as con:
        customers = dict(con.execute("select customer_id, segment from segmentation.customer_segments").fetchall())
        products = dict(con.execute("select sku_id, segment from segmentation.product_segments").fetchall())
        north = dict(
            con.execute(
                "select customer_id, segment from segmentation.customer_segments"
                " join core.dim_customers using (customer_id) where region = 'north'"
            ).fetchall()
        )
    assert _apply({}, _export(client, _auth(tokens, "finance"), "customer")) == customers
    assert _apply({}, _export(client, _auth(tokens, "warehouse"), "product", page_size=1000)) == products
    assert _apply({}, _export(client, _auth(tokens, "sales_north"), "customer")) == north


def test_changes_since_an_earlier_build_bring_a_store_up_to_date(served, tmp_path):
    """A later build (made here from the published one): 5 customers change
    segment, 2 are removed, 1 is new; the changes since the first build,
    applied on top of it, give the later build's segments."""
    client, tokens, published = served
    first = open_published(published)
    later = tmp_path / "later.duckdb"
    later.write_bytes(first.database.read_bytes())
    con = duckdb.connect(str(later))
    as_of = con.execute("select max(dbt_valid_from) from snapshots.customer_segments_snapshot").fetchone()[0]
    before = dict(con.execute("select customer_id, segment from snapshots.customer_segments_snapshot").fetchall())
    moment = as_of + timedelta(days=1)
    ids = sorted(before)
    changed, removed = ids[:5], ids[5:7]
    con.execute(
        "update snapshots.customer_segments_snapshot set dbt_valid_to = ? where customer_id in ?",
        [moment, changed + removed],
    )
    con.execute(
        "insert into snapshots.customer_segments_snapshot select * replace ('moved segment' as segment, ? as"
        " dbt_valid_from, null as dbt_valid_to) from snapshots.customer_segments_snapshot where customer_id in ?",
        [moment, changed],
    )
    con.execute(
        "insert into snapshots.customer_segments_snapshot select * replace ('C-NEW' as customer_id, ? as"
        " dbt_valid_from, null as dbt_valid_to) from snapshots.customer_segments_snapshot"
        " where customer_id = ? and dbt_valid_to is null",
        [moment, ids[10]],
    )
    expected = dict(
        con.execute(
            "select customer_id, segment from snapshots.customer_segments_snapshot where dbt_valid_to is null"
        ).fetchall()
    )
    con.close()
    old_page = client.get(
        "/changes", params={"entity": "customer", "page_size": 10}, headers=_auth(tokens, "finance")
    ).json()["next_page_token"]
    publish(later, published / "supply_chain.duckdb", compact_source=False)
    try:
        items = _export(client, _auth(tokens, "finance"), "customer", since=as_of.isoformat())
        assert sorted((i["entity_id"], i["change"]) for i in items) == sorted(
            [(c, "upsert") for c in changed] + [(c, "delete") for c in removed] + [("C-NEW", "upsert")]
        )
        assert _apply(dict(before), items) == expected
        stale = client.get(
            "/changes",
            params={"entity": "customer", "page_token": old_page},
            headers=_auth(tokens, "finance"),
        )
        assert stale.status_code == 409
    finally:
        # the other tests read the first build
        publish(first.database, published / "supply_chain.duckdb", compact_source=False)


def test_the_openapi_document_lists_every_route(served):
    client, _, _ = served
    paths = set(client.get("/openapi.json").json()["paths"])
    assert paths >= {
        "/customers/{customer_id}/segment",
        "/skus/{sku_id}/dcs/{dc_id}/policy",
        "/segments/{customer_segment}/transport-policy",
        "/changes",
        "/orders/decision",
    }


# ---- the order-entry hook -------------------------------------------------


def _planted_orders(published):
    """One order per customer segment: a customer of it, a stocked ambient SKU
    and a cold one, the segment's policy cells read from the marts."""
    with _db(published) as con:
        as_of = con.execute("select max(as_of_date) from segmentation.customer_segments").fetchone()[0]
        rows = con.execute(
            """
            select s.segment, min(s.customer_id) as customer_id, any_value(c.region) as region
            from segmentation.customer_segments s join core.dim_customers c using (customer_id)
            group by 1 order by 1
            """
        ).fetchall()
        ambient = con.execute(
            "select p.sku_id, p.segment from segmentation.product_segments p join core.dim_products d using (sku_id)"
            " where not d.requires_temperature_control and p.sku_id in"
            " (select sku_id from inventory.inventory_policies where is_stocked_at_dc) order by 1 limit 1"
        ).fetchone()
        cells = {
            (r[0], r[1], r[2]): r[3:]
            for r in con.execute(
                "select customer_segment, product_segment, requires_temperature_control, primary_mode,"
                " max_transit_days, is_expedite_eligible from transport.transport_policies"
            ).fetchall()
        }
        stocked = {
            (r[0], r[1])
            for r in con.execute(
                "select sku_id, dc_id from inventory.inventory_policies where is_stocked_at_dc"
            ).fetchall()
        }
    return as_of, rows, ambient, cells, stocked


def test_the_hook_decides_a_planted_order_of_every_segment(served):
    client, tokens, published = served
    as_of, rows, (sku, product_segment), cells, stocked = _planted_orders(published)
    assert len(rows) >= 4
    for segment, customer, _region in rows:
        mode, transit, _ = cells[(segment, product_segment, False)]
        order = {
            "customer_id": customer,
            "lines": [{"sku_id": sku, "quantity": 3}],
            "requested_date": str(as_of + timedelta(days=transit + 2)),
        }
        decision = client.post("/orders/decision", json=order, headers=_auth(tokens, "finance")).json()
        assert decision["customer_segment"] == segment
        (line,) = decision["lines"]
        assert line["mode"] == mode and line["product_segment"] == product_segment
        assert (sku, line["dc_id"]) in stocked
        assert decision["priority"] == "standard"
        assert decision["allocation_rule"] is not None
        types = {e["type"] for e in decision["exceptions"]}
        assert types == ({"inactive_customer"} if segment == "inactive" else set()), decision


def test_the_hook_flags_what_it_cannot_decide(served):
    client, tokens, published = served
    as_of, rows, (sku, product_segment), cells, _ = _planted_orders(published)
    headers = _auth(tokens, "finance")
    unknown = client.post(
        "/orders/decision",
        json={"customer_id": "NOPE", "lines": [{"sku_id": sku, "quantity": 1}], "requested_date": str(as_of)},
        headers=headers,
    ).json()
    assert [e["type"] for e in unknown["exceptions"]] == ["unknown_customer"]
    # the same day: inside every transit time; expedited where the cell allows it
    for segment, customer, _ in rows:
        _, transit, expeditable = cells[(segment, product_segment, False)]
        decision = client.post(
            "/orders/decision",
            json={
                "customer_id": customer,
                "lines": [{"sku_id": sku, "quantity": 1}, {"sku_id": "NO-SUCH-SKU", "quantity": 1}],
                "requested_date": str(as_of),
            },
            headers=headers,
        ).json()
        types = [e["type"] for e in decision["exceptions"] if e["type"] != "inactive_customer"]
        assert "unknown_sku" in types
        if transit > 0 and expeditable:
            assert decision["priority"] == "expedited" and "requested_date_too_soon" not in types
        elif transit > 0:
            assert decision["priority"] == "standard" and "requested_date_too_soon" in types


def test_a_cold_sku_ships_from_a_temperature_controlled_dc(served):
    client, tokens, published = served
    with _db(published) as con:
        found = con.execute(
            "select p.sku_id from inventory.inventory_policies p join core.dim_products d using (sku_id)"
            " where d.requires_temperature_control and p.is_stocked_at_dc order by 1 limit 1"
        ).fetchone()
        cold_dcs = {
            r[0]
            for r in con.execute(
                "select dc_id from core.dim_distribution_centers where is_temperature_controlled"
            ).fetchall()
        }
    if found is None:
        pytest.skip("the small build stocks no cold SKU")
    customer = _customer(published, "north")
    decision = client.post(
        "/orders/decision",
        json={"customer_id": customer, "lines": [{"sku_id": found[0], "quantity": 1}], "requested_date": "2030-01-01"},
        headers=_auth(tokens, "finance"),
    ).json()
    assert decision["lines"][0]["dc_id"] in cold_dcs
    assert decision["lines"][0]["mode"] == "reefer"


def test_the_command_gives_the_routes_decision(served):
    client, tokens, published = served
    as_of, rows, (sku, _), _, _ = _planted_orders(published)
    customer = rows[0][1]
    requested = str(as_of + timedelta(days=20))
    result = subprocess.run(
        [SCW, "order-decision", "--published", str(published), "--customer", customer, "--line", f"{sku}:2",
         "--requested-date", requested],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    order = {"customer_id": customer, "lines": [{"sku_id": sku, "quantity": 2}], "requested_date": requested}
    routed = client.post("/orders/decision", json=order, headers=_auth(tokens, "finance")).json()
    routed.pop("build")
    assert json.loads(result.stdout) == json.loads(json.dumps(routed))


def test_the_hooks_allocation_rule_is_the_shortage_allocations(served):
    """The allocation rule and tier the hook picks for a customer equal the
    ones inventory.shortage_allocation (computed by the mart in SQL from the
    same seed) gave that customer's order lines."""
    _, _, published = served
    as_of, _, (sku, _), _, _ = _planted_orders(published)
    with _db(published) as con:
        expected = con.execute(
            "select distinct customer_id, priority_rule_id, priority_tier from inventory.shortage_allocation"
        ).fetchall()
        assert len(expected) >= 10
        assert len({row[1] for row in expected}) >= 2
        for customer, rule, tier in expected:
            decision = fulfilment_decision(con, Order(customer, [OrderLine(sku, 1)], as_of + timedelta(days=30)))
            assert (decision.allocation_rule, decision.priority_tier) == (rule, tier), customer
