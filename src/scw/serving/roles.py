"""The role map applied to a published build.

The build carries its own role map: seed ``serving_roles`` and the marts
``serving.serving_role_columns`` (which columns of which mart each role may
see) and ``serving.serving_role_customers`` (whose rows). ``RoleView`` turns
them into queries that return only what a role may see; the segment API,
the order-entry hook's API route, the dashboard and the PostgreSQL loader
all go through it, so they enforce one map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

SENSITIVE = ("cost", "margin", "customer_identifying")


class Forbidden(PermissionError):
    """The role may not read what was asked (the message says what)."""


@dataclass
class RoleView:
    """What ``role`` may see of the build behind ``con``."""

    con: duckdb.DuckDBPyConnection
    role: str
    _columns: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        row = self.con.execute(
            "select region_scope, customer_segment_scope, may_see, schemas from seeds.serving_roles where role = ?",
            [self.role],
        ).fetchone()
        if row is None:
            raise Forbidden(f"unknown role {self.role!r}")
        self.region_scope, self.segment_scope, may_see, schemas = row
        self.may_see = set(filter(None, (may_see or "").split("|")))
        self.schemas = set(schemas.split("|"))
        for schema, mart, column, sensitivity, scope, visible in self.con.execute(
            "select mart_schema, mart_name, column_name, sensitivity, row_scope, is_visible"
            " from serving.serving_role_columns where role = ?",
            [self.role],
        ).fetchall():
            entry = self._columns.setdefault(f"{schema}.{mart}", {"scope": scope, "columns": {}})
            entry["columns"][column] = (sensitivity, visible)

    @property
    def is_scoped(self) -> bool:
        return self.region_scope != "*" or self.segment_scope != "*"

    def readable_marts(self) -> list[str]:
        """The marts (schema.name) of which the role may see at least one column."""
        return sorted(m for m, entry in self._columns.items() if any(v for _, v in entry["columns"].values()))

    def visible_columns(self, mart: str) -> list[str]:
        """The columns of ``mart`` (schema.name) the role may see, in the table's order."""
        entry = self._columns.get(mart)
        if entry is None:
            return []
        schema, name = mart.split(".")
        order = [
            r[0]
            for r in self.con.execute(
                "select column_name from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name],
            ).fetchall()
        ]
        return [c for c in order if entry["columns"].get(c, (None, False))[1]]

    def sensitive_columns(self, mart: str, columns: list[str]) -> list[str]:
        """Those of ``columns`` that carry a sensitivity tag."""
        tags = self._columns.get(mart, {"columns": {}})["columns"]
        return [c for c in columns if tags.get(c, (None, False))[0] in SENSITIVE]

    def row_filter(self, mart: str, alias: str = "") -> tuple[str, list]:
        """The SQL condition (and its parameters) that keeps the role's rows of ``mart``."""
        scope = self._columns[mart]["scope"]
        prefix = f"{alias}." if alias else ""
        if scope == "customer":
            return (
                f"{prefix}customer_id in (select customer_id from serving.serving_role_customers where role = ?)",
                [self.role],
            )
        if scope == "region":
            return f"{prefix}region = ?", [self.region_scope]
        return "true", []

    def require(self, mart: str) -> list[str]:
        """The visible columns of ``mart``; ``Forbidden`` when there are none."""
        columns = self.visible_columns(mart)
        if not columns:
            raise Forbidden(f"role {self.role} may not read {mart}")
        return columns

    def may_see_customer(self, customer_id: str) -> bool:
        return bool(
            self.con.execute(
                "select count(*) from serving.serving_role_customers where role = ? and customer_id = ?",
                [self.role, customer_id],
            ).fetchone()[0]
        )

    def select(self, mart: str, where: str = "true", params: list | None = None, order_by: str = "") -> tuple:
        """The role's rows and visible columns of ``mart`` matching ``where``: (columns, rows)."""
        columns = self.require(mart)
        condition, scope_params = self.row_filter(mart)
        schema, name = mart.split(".")
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f'select {quoted} from "{schema}"."{name}" where ({condition}) and ({where})'
        if order_by:
            sql += f" order by {order_by}"
        rows = self.con.execute(sql, scope_params + (params or [])).fetchall()
        return columns, rows
