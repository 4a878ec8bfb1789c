"""PostgreSQL serving: the published marts behind real roles.

``scw serve-postgres`` (``make serve-postgres``) starts a local PostgreSQL
15 cluster (``warehouse/postgres/``, port ``$PG_PORT``, default 5433, on
127.0.0.1 only), loads the served marts of the published build and creates
the roles of the role map:

- the marts of every schema a role may read, as tables (views of the build
  too), owned by the loader role ``scw_owner``; their key columns
  (customer_id, sku_id, order_id; sku_id with dc_id) indexed;
- a login role per row of seed ``serving_roles``, with ``SELECT`` granted on
  the visible columns only (``serving_role_columns``): a denied column is a
  permission error;
- row-level security on every served table: a policy per role, ``true`` for
  an unscoped role or mart, the role's customers (``serving_role_customers``,
  read through a security-definer function so that no role can list another
  role's customers) or its region otherwise: a denied row never comes back;
- a schema per role, ``<role>_views``, with a view per mart it may read
  (``security_invoker``, so the role's own grants and policies apply):
  ``select * from sales_north_views.customer_profitability`` is the role's
  whole view;
- ``serving_audit.audit_log``: append-only (a trigger refuses update, delete
  and truncate, and no serving role may write it), with the events of the
  audit log file (publishes, API reads, order decisions), one ``load``
  event per load, one ``build`` event per dbt build of the warehouse and
  one ``override`` event per segment override in force.

A load is one transaction: readers see the previous load until it commits,
then the new one whole. Local trust authentication on 127.0.0.1 suits one
machine; give the roles passwords (``ALTER ROLE ... PASSWORD``) and edit
``pg_hba.conf`` before serving others.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from . import audit
from .published import PublishedBuild

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DEFAULT_DATA = "warehouse/postgres"
DEFAULT_PORT = int(os.environ.get("PG_PORT", "5433"))
OWNER = "scw_owner"
DATABASE = "supply_chain"
INDEXED = (("customer_id",), ("sku_id", "dc_id"), ("sku_id",), ("order_id",))

_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "HUGEINT": "numeric",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def pg_type(duck: str) -> str:
    """The PostgreSQL type of a DuckDB column type."""
    if duck.startswith("DECIMAL"):
        return duck.replace("DECIMAL", "numeric")
    if duck.endswith("[]"):
        return "text"
    return _TYPES.get(duck, "text")


# ---- the server ------------------------------------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def ensure_server(data: Path, port: int) -> None:
    """Create the cluster in ``data`` when absent and start it when stopped."""
    data = data.resolve()
    if not (PG_BIN / "initdb").exists():
        raise FileNotFoundError(f"no PostgreSQL 15 in {PG_BIN}: `make serve-postgres` installs postgresql-15")
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(data, user.pw_uid, user.pw_gid)
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", OWNER, "--auth=trust", "-E", "UTF8"]),
            check=True,
            capture_output=True,
        )
    status = subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "status"]), capture_output=True)
    if status.returncode != 0:
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "server.log"),
                    "-w",
                    "start",
                    "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
                ]
            ),  # fmt: skip
            check=True,
            capture_output=True,
        )


def stop_server(data: Path) -> None:
    subprocess.run(
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data.resolve()), "-m", "fast", "-w", "stop"]),
        capture_output=True,
    )


def connect(port: int, user: str = OWNER, dbname: str = DATABASE, **kwargs) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user=user, dbname=dbname, **kwargs)


def ensure_database(port: int) -> None:
    with connect(port, dbname="postgres", autocommit=True) as con:
        if not con.execute("select 1 from pg_database where datname = %s", [DATABASE]).fetchone():
            con.execute(sql.SQL("create database {}").format(sql.Identifier(DATABASE)))


# ---- the load --------------------------------------------------------------


def _served_marts(duck) -> list[tuple[str, str]]:
    """(schema, mart) of every built mart of a schema some role may read."""
    return duck.execute(
        """
        select distinct c.mart_schema, c.mart_name
        from serving.serving_role_columns as c
        join information_schema.tables as t
            on t.table_schema = c.mart_schema and t.table_name = c.mart_name
        where c.is_visible
        order by 1, 2
        """
    ).fetchall()


def _copy_table(duck, pg, schema: str, mart: str, folder: Path) -> list[str]:
    """Create ``schema.mart`` in PostgreSQL like the build's and copy its rows; returns its columns."""
    described = duck.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, mart],
    ).fetchall()
    columns = [name for name, _ in described]
    table = sql.Identifier(schema, mart)
    pg.execute(
        sql.SQL("create table {} ({})").format(
            table,
            sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(pg_type(t))) for n, t in described),
        )
    )
    path = folder / f"{schema}.{mart}.csv"
    selected = ", ".join(
        f'cast("{n}" as varchar)' if t.endswith("[]") or t.startswith(("STRUCT", "MAP")) else f'"{n}"'
        for n, t in described
    )
    duck.execute(f'copy (select {selected} from "{schema}"."{mart}") to \'{path}\' (format csv, header false)')
    with pg.cursor().copy(sql.SQL("copy {} from stdin (format csv)").format(table)) as copy, path.open("rb") as data:
        while block := data.read(1 << 20):
            copy.write(block)
    path.unlink()
    for key in INDEXED:
        if set(key) <= set(columns):
            pg.execute(sql.SQL("create index on {} ({})").format(table, sql.SQL(", ").join(map(sql.Identifier, key))))
    return columns


def views_schema(role: str) -> str:
    """The schema of a role's views: one view per mart it may read, of the columns it may see."""
    return f"{role}_views"


def _roles(duck) -> list[dict]:
    cursor = duck.execute("select role, region_scope, customer_segment_scope from seeds.serving_roles order by 1")
    return [dict(zip(("role", "region", "segments"), row)) for row in cursor.fetchall()]


def load(build: PublishedBuild, port: int, who: str = "scw serve-postgres") -> dict:
    """Load ``build`` and its role map into the server on ``port`` in one transaction; returns counts."""
    ensure_database(port)
    duck = build.connect()
    counts = {"marts": 0, "rows": 0, "grants": 0, "policies": 0}
    with tempfile.TemporaryDirectory() as scratch, connect(port) as pg:
        marts = _served_marts(duck)
        roles = _roles(duck)
        schemas = sorted({schema for schema, _ in marts} | {"serving"})
        for name in schemas + [views_schema(r["role"]) for r in roles]:
            pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name)))
        for name in schemas:
            pg.execute(sql.SQL("create schema {}").format(sql.Identifier(name)))
        # the role map itself, for the policies (no role reads it directly)
        _copy_table(duck, pg, "serving", "serving_role_customers", Path(scratch))
        columns = {}
        for schema, mart in marts:
            columns[(schema, mart)] = _copy_table(duck, pg, schema, mart, Path(scratch))
            counts["marts"] += 1
            counts["rows"] += duck.execute(f'select count(*) from "{schema}"."{mart}"').fetchone()[0]
        # each role reads its own rows of the customer map, nobody else's
        pg.execute("alter table serving.serving_role_customers enable row level security")
        pg.execute(
            "create policy own_customers on serving.serving_role_customers for select using (role = current_user)"
        )
        visible = duck.execute(
            "select role, mart_schema, mart_name, column_name, row_scope from serving.serving_role_columns"
            " where is_visible"
        ).fetchall()
        by_role: dict[tuple[str, str, str], list[str]] = {}
        scope: dict[tuple[str, str, str], str] = {}
        for role, schema, mart, column, row_scope in visible:
            if (schema, mart) in columns and column in columns[(schema, mart)]:
                by_role.setdefault((role, schema, mart), []).append(column)
                scope[(role, schema, mart)] = row_scope
        for role in roles:
            name = sql.Identifier(role["role"])
            exists = pg.execute("select 1 from pg_roles where rolname = %s", [role["role"]]).fetchone()
            if not exists:
                pg.execute(sql.SQL("create role {} login").format(name))
            pg.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(DATABASE), name))
            pg.execute(sql.SQL("grant select on serving.serving_role_customers to {}").format(name))
            views = sql.Identifier(views_schema(role["role"]))
            pg.execute(sql.SQL("create schema {} authorization {}").format(views, sql.Identifier(OWNER)))
            pg.execute(sql.SQL("grant usage on schema {} to {}").format(views, name))
            pg.execute(sql.SQL("grant usage on schema serving to {}").format(name))
        for schema, mart in columns:
            table = sql.Identifier(schema, mart)
            pg.execute(sql.SQL("alter table {} enable row level security").format(table))
        for (role, schema, mart), cols in sorted(by_role.items()):
            name, table = sql.Identifier(role), sql.Identifier(schema, mart)
            pg.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), name))
            pg.execute(
                sql.SQL("grant select ({}) on {} to {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, cols)), table, name
                )
            )
            counts["grants"] += len(cols)
            region = next(r["region"] for r in roles if r["role"] == role)
            rule = {
                "customer": sql.SQL(
                    "customer_id in (select customer_id from serving.serving_role_customers where role = current_user)"
                ),
                "region": sql.SQL("region = {}").format(sql.Literal(region)),
            }.get(scope[(role, schema, mart)], sql.SQL("true"))
            pg.execute(
                sql.SQL("create policy {} on {} for select to {} using ({})").format(
                    sql.Identifier(f"{role}_rows"), table, name, rule
                )
            )
            counts["policies"] += 1
            pg.execute(
                sql.SQL("create view {} with (security_invoker = true) as select {} from {}").format(
                    sql.Identifier(views_schema(role), mart), sql.SQL(", ").join(map(sql.Identifier, cols)), table
                )
            )
            pg.execute(sql.SQL("grant select on {} to {}").format(sql.Identifier(views_schema(role), mart), name))
        _load_audit(pg, duck, build, [r["role"] for r in roles], who)
        pg.commit()
    duck.close()
    return counts


AUDIT_DDL = [
    "create schema if not exists serving_audit",
    """
    create table if not exists serving_audit.audit_log (
        event_id bigint generated always as identity primary key,
        logged_at timestamptz not null default now(),
        event_at timestamptz not null,
        event text not null,
        who text not null,
        what text not null,
        version text,
        detail jsonb
    )
    """,
    """
    create or replace function serving_audit.refuse_change() returns trigger language plpgsql as $$
    begin
        raise exception 'serving_audit.audit_log is append-only';
    end $$
    """,
    "drop trigger if exists append_only on serving_audit.audit_log",
    """
    create trigger append_only before update or delete on serving_audit.audit_log
        for each row execute function serving_audit.refuse_change()
    """,
    "drop trigger if exists append_only_truncate on serving_audit.audit_log",
    """
    create trigger append_only_truncate before truncate on serving_audit.audit_log
        for each statement execute function serving_audit.refuse_change()
    """,
]


def _load_audit(pg, duck, build: PublishedBuild, roles: list[str], who: str) -> None:
    """Append the events not yet in the audit table: the file's, the builds, the overrides, this load."""
    for statement in AUDIT_DDL:
        pg.execute(statement)
    version = build.manifest["build"]
    seen = {
        (row[0], row[1], row[2], row[3])
        for row in pg.execute("select event, what, coalesce(version, ''), event_at::text from serving_audit.audit_log")
    }
    events = []
    for event in audit.read(build.root.parent.parent):
        events.append((event["at"], event["event"], event["who"], event["what"], event.get("version"), event))
    for invocation, started, failed in duck.execute(
        "select invocation_id, run_started_at, failed_nodes from ops.build_runs order by run_started_at"
    ).fetchall():
        events.append((f"{started}+00", "build", "dbt", invocation, version, {"failed_nodes": failed}))
    for customer, segment, approver, valid_to in duck.execute(
        "select customer_id, segment, approver, valid_to from seeds.customer_segment_overrides"
    ).fetchall():
        events.append(
            (build.manifest["published_at"], "override", approver or "unknown", f"{customer} -> {segment}", version,
             {"valid_to": str(valid_to)})
        )  # fmt: skip
    with pg.cursor() as cursor:
        for at, event, actor, what, event_version, detail in events:
            stamp = cursor.execute("select %s::timestamptz::text", [at]).fetchone()[0]
            if (event, what, event_version or "", stamp) in seen:
                continue
            cursor.execute(
                "insert into serving_audit.audit_log (event_at, event, who, what, version, detail)"
                " values (%s, %s, %s, %s, %s, %s)",
                [at, event, actor, what, event_version, json.dumps(detail, default=str)],
            )
        cursor.execute(
            "insert into serving_audit.audit_log (event_at, event, who, what, version) values (now(), 'load', %s,"
            " 'published build loaded into PostgreSQL', %s)",
            [who, version],
        )
    pg.execute("revoke all on schema serving_audit from public")
    pg.execute(
        sql.SQL("grant usage on schema serving_audit to {}").format(sql.SQL(", ").join(map(sql.Identifier, roles)))
    )
    # finance reads the log; no serving role may write it
    if "finance" in roles:
        pg.execute("grant select on serving_audit.audit_log to finance")


# ---- the command -----------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    from .commands import published_or_none

    build = published_or_none(args.published)
    if build is None:
        return 1
    data = Path(args.data)
    ensure_server(data, args.port)
    counts = load(build, args.port, who=os.environ.get("USER", "scw"))
    print(
        f"PostgreSQL on 127.0.0.1:{args.port} (data {data}): build {build.manifest['build']},"
        f" {counts['marts']} marts, {counts['rows']:,} rows, {counts['grants']:,} column grants,"
        f" {counts['policies']} row policies; roles log in by name, e.g."
        f" psql -h 127.0.0.1 -p {args.port} -U sales_north {DATABASE}"
    )
    return 0


def _stop(args: argparse.Namespace) -> int:
    stop_server(Path(args.data))
    return 0


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve-postgres", help="load the published marts into a local PostgreSQL with the role map's roles"
    )
    serve.add_argument("--published", default="warehouse/published", help="the published folder")
    serve.add_argument("--data", default=DEFAULT_DATA, help="the cluster's folder")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.set_defaults(func=_serve)
    stop = subparsers.add_parser("stop-postgres", help="stop the local PostgreSQL of serve-postgres")
    stop.add_argument("--data", default=DEFAULT_DATA, help="the cluster's folder")
    stop.set_defaults(func=_stop)
