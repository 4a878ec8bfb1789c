"""PostgreSQL serving leaks nothing: real roles, column grants, row policies.

A local PostgreSQL 15 server (src/scw/serving/postgres.py, the same code as
`make serve-postgres`) is started in a temporary folder and loaded with a
published copy of the shared small build. The expectations are computed
here from the seed (serving_roles.csv) and the marts' YAML tags, not from
the serving models:

- every column of every served table is granted to exactly the roles that
  may see it (has_column_privilege), and each role's queries of a denied
  column fail with a permission error while its allowed columns answer;
- a regional role gets exactly its region's rows of every table with
  customers (counted against the DuckDB build) and can list no other
  role's customers;
- each role's views show the columns it may see;
- the audit table is append-only: no serving role may write it, and not
  even its owner may change or delete a row; publishes, builds and the
  load are in it.
"""

from __future__ import annotations

import csv
import shutil
import socket
import tempfile
from pathlib import Path

import psycopg
import pytest
from dbt_project_runner import REPO
from serving_fixtures import publish_small_build
from test_serving_roles import mart_column_tags

from scw.serving import postgres
from scw.serving.published import open_published

pytestmark = pytest.mark.e2e
SENSITIVE = {"cost", "margin", "customer_identifying"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(small_build, tmp_path_factory):
    if not (postgres.PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 is not installed in {postgres.PG_BIN}: `make test` installs postgresql-15")
    published = publish_small_build(small_build, tmp_path_factory.mktemp("postgres"))
    build = open_published(published)
    # outside pytest's private temporary folder: the server runs as the postgres user
    scratch = Path(tempfile.mkdtemp(prefix="scw-pg-"))
    scratch.chmod(0o755)
    data, port = scratch / "data", _free_port()
    postgres.ensure_server(data, port)
    try:
        counts = postgres.load(build, port, who="pytest")
        yield port, build, counts
    finally:
        postgres.stop_server(data)
        shutil.rmtree(scratch, ignore_errors=True)


def _roles() -> list[dict]:
    with (REPO / "seeds" / "reference" / "serving_roles.csv").open() as handle:
        return list(csv.DictReader(handle))


def _expected_visible(role: dict, schema: str, mart: str, column: str, tags: dict) -> bool:
    tag = tags.get((mart, column), "undocumented")
    if tag == "undocumented" or schema not in role["schemas"].split("|"):
        return False
    scoped = role["region_scope"] != "*" or role["customer_segment_scope"] != "*"
    scopable = (mart, "customer_id") in tags or (mart, "region") in tags
    if tag in SENSITIVE:
        return tag in role["may_see"].split("|") and not (scoped and not scopable)
    return True


def _tables(port) -> dict[tuple[str, str], list[str]]:
    with postgres.connect(port) as con:
        found = {}
        for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_schema not in ('pg_catalog', 'information_schema', 'serving', 'serving_audit')"
            " and table_schema not like '%%_views' order by table_schema, table_name, ordinal_position"
        ).fetchall():
            found.setdefault((schema, table), []).append(column)
    return found


def test_every_column_is_granted_to_exactly_the_roles_that_may_see_it(server):
    port, _, counts = server
    tags = mart_column_tags()
    tables = _tables(port)
    assert counts["marts"] == len(tables) > 40
    wrong, checked = [], 0
    with postgres.connect(port) as con:
        for role in _roles():
            for (schema, mart), columns in tables.items():
                for column in columns:
                    granted = con.execute(
                        "select has_column_privilege(%s, %s, %s, 'SELECT')",
                        [role["role"], f'"{schema}"."{mart}"', column],
                    ).fetchone()[0]
                    checked += 1
                    if granted != _expected_visible(role, schema, mart, column, tags):
                        wrong.append((role["role"], schema, mart, column, granted))
    assert not wrong, wrong[:10]
    assert checked > 5000


def _as(port, role):
    return postgres.connect(port, user=role, autocommit=True)


def test_each_role_runs_what_it_may_and_is_refused_what_it_may_not(server):
    port, _, _ = server
    tags = mart_column_tags()
    tables = _tables(port)
    refused = answered = 0
    for role in _roles():
        with _as(port, role["role"]) as con:
            for (schema, mart), columns in tables.items():
                allowed = [c for c in columns if _expected_visible(role, schema, mart, c, tags)]
                denied = [c for c in columns if c not in allowed]
                if allowed:
                    quoted = ", ".join(f'"{c}"' for c in allowed)
                    con.execute(f'select {quoted} from "{schema}"."{mart}" limit 1').fetchall()
                    answered += 1
                for column in denied[:3]:
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        con.execute(f'select "{column}" from "{schema}"."{mart}" limit 1')
                    refused += 1
                if denied:
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        con.execute(f'select * from "{schema}"."{mart}" limit 1')
    assert answered > 100 and refused > 100
    # the examples of the role map
    with _as(port, "warehouse") as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("select unit_cost from inventory.inventory_policies")
    with _as(port, "sales_north") as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("select cost_per_order from governance.segment_kpis")


def test_a_regional_role_gets_its_regions_rows_and_nothing_else(server):
    port, build, _ = server
    duck = build.connect()
    tables = _tables(port)
    customer_tables = [key for key, columns in tables.items() if "customer_id" in columns]
    assert len(customer_tables) > 10
    tags = mart_column_tags()
    for role in [r for r in _roles() if r["region_scope"] != "*"]:
        region = role["region_scope"]
        with _as(port, role["role"]) as con:
            for schema, mart in customer_tables:
                if not any(_expected_visible(role, schema, mart, c, tags) for c in tables[(schema, mart)]):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        con.execute(f'select count(*) from "{schema}"."{mart}"')
                    continue
                got = con.execute(f'select count(*) from "{schema}"."{mart}"').fetchone()[0]
                want = duck.execute(
                    f'select count(*) from "{schema}"."{mart}" where customer_id in'
                    " (select customer_id from core.dim_customers where region = ?)",
                    [region],
                ).fetchone()[0]
                assert got == want, (role["role"], schema, mart)
                outside = con.execute(
                    f'select count(*) from "{schema}"."{mart}" where customer_id <> all(%s)',
                    [
                        [
                            r[0]
                            for r in duck.execute(
                                "select customer_id from core.dim_customers where region = ?", [region]
                            ).fetchall()
                        ]
                    ],
                ).fetchone()[0]
                assert outside == 0
            # its own customer list only
            assert con.execute("select count(distinct role) from serving.serving_role_customers").fetchone()[0] == 1
    duck.close()


def test_each_roles_views_show_the_columns_it_may_see(server):
    port, _, _ = server
    tags = mart_column_tags()
    with _as(port, "sales_north") as con:
        cursor = con.execute("select * from sales_north_views.customer_profitability limit 1")
        shown = [d.name for d in cursor.description]
    assert "cost_to_serve_margin" in shown
    assert set(shown) == {c for (m, c), _ in tags.items() if m == "customer_profitability"}
    with _as(port, "warehouse") as con:
        cursor = con.execute("select * from warehouse_views.inventory_policies limit 1")
        shown = {d.name for d in cursor.description}
        assert "safety_stock_units" in shown and not shown & {"unit_cost", "safety_stock_value"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("select * from sales_north_views.customer_profitability")


def test_the_audit_table_is_append_only(server):
    port, build, _ = server
    for role in _roles():
        with _as(port, role["role"]) as con:
            for statement in (
                "insert into serving_audit.audit_log (event_at, event, who, what) values (now(), 'x', 'x', 'x')",
                "update serving_audit.audit_log set who = 'x'",
                "delete from serving_audit.audit_log",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    con.execute(statement)
    with postgres.connect(port, autocommit=True) as con:
        events = dict(con.execute("select event, count(*) from serving_audit.audit_log group by 1").fetchall())
        for statement in ("update serving_audit.audit_log set who = 'x'", "delete from serving_audit.audit_log"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                con.execute(statement)
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            con.execute("truncate serving_audit.audit_log")
    assert events["load"] == 1 and events["publish"] >= 1 and events["build"] >= 1
    # finance reads the log
    with _as(port, "finance") as con:
        assert con.execute("select count(*) from serving_audit.audit_log").fetchone()[0] == sum(events.values())


def test_a_second_load_keeps_the_audit_history(server):
    port, build, _ = server
    with postgres.connect(port) as con:
        before = con.execute("select count(*) from serving_audit.audit_log").fetchone()[0]
    postgres.load(build, port, who="pytest")
    with postgres.connect(port) as con:
        after = dict(con.execute("select event, count(*) from serving_audit.audit_log group by 1").fetchall())
    # the same events are not appended twice; the new load is
    assert sum(after.values()) == before + 1 and after["load"] == 2
