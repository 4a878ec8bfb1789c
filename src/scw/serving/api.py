"""The segment API: FastAPI over the published build, one token per role.

Routes (OpenAPI at /docs and /openapi.json):

- ``GET /health``: the published build (no token);
- ``GET /customers/{customer_id}/segment``: a customer's segment;
- ``GET /skus/{sku_id}/dcs/{dc_id}/policy``: a SKU's segment and its
  inventory policy at a DC;
- ``GET /segments/{customer_segment}/transport-policy``: the transport
  policy of a customer segment, one row per product segment cell (paged);
- ``GET /changes?entity=customer|product&since=...``: the segment changes
  since a timestamp, for TMS (customers), WMS and planning (products) to
  synchronise (paged by keyset; a page token is tied to its build);
- ``POST /orders/decision``: the order-entry hook (``serving.orders``).

Every request resolves the published build once (``open_published``) and
reads only that build. The caller's role comes from its bearer token
(``issue_tokens`` writes their sha256 to the token file, never the tokens);
``RoleView`` limits every answer to the columns and customers the role map
lets the role see. No token or an unknown one: 401. A mart, column set or
customer outside the role's map: 403. Responses that carry a sensitive
column are recorded in the audit log (``serving.audit``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
from datetime import date, datetime
from pathlib import Path

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, Field

from . import audit
from .orders import Order, OrderLine, fulfilment_decision
from .published import PublishedBuild, open_published
from .roles import Forbidden, RoleView

DEFAULT_PUBLISHED_FOLDER = "warehouse/published"
DEFAULT_TOKENS = "warehouse/serving/api_tokens.json"
MAX_PAGE_SIZE = 1000


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_tokens(roles: list[str], path: Path) -> dict[str, str]:
    """A new random token per role; their digests go to ``path`` (mode 600). Returns {role: token}."""
    tokens = {role: secrets.token_urlsafe(24) for role in roles}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w") as out:
        json.dump({"sha256": {_digest(token): role for role, token in tokens.items()}}, out, indent=1)
    return tokens


class LineIn(BaseModel):
    sku_id: str
    quantity: float = Field(gt=0)


class OrderIn(BaseModel):
    customer_id: str
    lines: list[LineIn] = Field(min_length=1)
    requested_date: date
    order_date: date | None = None


class _Builds:
    """One read-only connection per published build, opened on first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.lock = threading.Lock()
        self.open: dict[Path, tuple[PublishedBuild, object]] = {}
        self.views: dict[tuple[Path, str], RoleView] = {}

    def current(self):
        build = open_published(self.folder)
        with self.lock:
            if build.root not in self.open:
                # keep the previous build's connection for requests still on it
                for old in list(self.open)[:-1]:
                    self.open.pop(old)[1].close()
                    self.views = {k: v for k, v in self.views.items() if k[0] != old}
                self.open[build.root] = (build, build.connect())
            build, con = self.open[build.root]
        return build, con.cursor()

    def view(self, build: PublishedBuild, cursor, role: str) -> RoleView:
        key = (build.root, role)
        with self.lock:
            view = self.views.get(key)
        if view is None:
            view = RoleView(cursor, role)
            with self.lock:
                self.views[key] = view
        return _with_cursor(view, cursor)


def _with_cursor(view: RoleView, cursor) -> RoleView:
    """The same role map read through another cursor (one per request)."""
    copy = object.__new__(RoleView)
    copy.__dict__.update(view.__dict__)
    copy.con = cursor
    return copy


def _page_token(build: str, key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps([build, key], default=str).encode()).decode()


def _read_page_token(token: str, build: str) -> list:
    try:
        token_build, key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise HTTPException(400, "malformed page token") from None
    if token_build != build:
        raise HTTPException(409, "a new build was published since this export started: start again from `since`")
    return key


def create_app(published_folder: Path | str | None = None, tokens_path: Path | str | None = None) -> FastAPI:
    """The API over ``published_folder`` with the token digests of ``tokens_path``."""
    folder = Path(published_folder or os.environ.get("SCW_PUBLISHED", DEFAULT_PUBLISHED_FOLDER))
    tokens_file = Path(tokens_path or os.environ.get("SCW_API_TOKENS", DEFAULT_TOKENS))
    builds = _Builds(folder)
    app = FastAPI(
        title="Supply chain segment API",
        description="Segments and policies of the published warehouse, limited to what the caller's role may see.",
        version="1",
    )

    def role_of(authorization: str | None = Header(default=None)) -> str:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        known = json.loads(tokens_file.read_text())["sha256"] if tokens_file.exists() else {}
        role = known.get(_digest(authorization.split(" ", 1)[1].strip()))
        if role is None:
            raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
        return role

    def context(role: str = Depends(role_of)):
        build, cursor = builds.current()
        try:
            view = builds.view(build, cursor, role)
        except Forbidden as problem:
            raise HTTPException(403, str(problem)) from None
        return build, view

    def rows_of(view: RoleView, build: PublishedBuild, mart: str, where: str, params: list, what: str, order=""):
        try:
            columns, rows = view.select(mart, where, params, order)
        except Forbidden as problem:
            raise HTTPException(403, str(problem)) from None
        sensitive = view.sensitive_columns(mart, columns)
        if sensitive and rows:
            audit.record(
                folder, "api_read", view.role, what, build.manifest["build"], columns=sensitive, rows=len(rows)
            )
        return [dict(zip(columns, row)) for row in rows]

    def customer_in_scope(view: RoleView, customer_id: str) -> None:
        exists = view.con.execute(
            "select count(*) from core.dim_customers where customer_id = ?", [customer_id]
        ).fetchone()[0]
        if not exists:
            raise HTTPException(404, f"no customer {customer_id}")
        if not view.may_see_customer(customer_id):
            raise HTTPException(403, f"role {view.role} may not see customer {customer_id}")

    @app.get("/health")
    def health():
        build = open_published(folder)
        return {"build": build.manifest["build"], "invocation_id": build.manifest["invocation_id"]}

    @app.get("/customers/{customer_id}/segment")
    def customer_segment(customer_id: str, ctx=Depends(context)):
        build, view = ctx
        customer_in_scope(view, customer_id)
        rows = rows_of(
            view, build, "segmentation.customer_segments", "customer_id = ?", [customer_id],
            f"GET /customers/{customer_id}/segment",
        )  # fmt: skip
        if not rows:
            raise HTTPException(404, f"customer {customer_id} has no segment")
        return {"build": build.manifest["build"], **rows[0]}

    @app.get("/skus/{sku_id}/dcs/{dc_id}/policy")
    def sku_policy(sku_id: str, dc_id: str, ctx=Depends(context)):
        build, view = ctx
        what = f"GET /skus/{sku_id}/dcs/{dc_id}/policy"
        segment = rows_of(view, build, "segmentation.product_segments", "sku_id = ?", [sku_id], what)
        policy = rows_of(view, build, "inventory.inventory_policies", "sku_id = ? and dc_id = ?", [sku_id, dc_id], what)
        if not segment or not policy:
            raise HTTPException(404, f"no policy for SKU {sku_id} at {dc_id}")
        return {"build": build.manifest["build"], "product_segment": segment[0], "inventory_policy": policy[0]}

    @app.get("/segments/{customer_segment}/transport-policy")
    def transport_policy(
        customer_segment: str,
        page: int = Query(1, ge=1),
        page_size: int = Query(100, ge=1, le=MAX_PAGE_SIZE),
        ctx=Depends(context),
    ):
        build, view = ctx
        rows = rows_of(
            view, build, "transport.transport_policies", "customer_segment = ?", [customer_segment],
            f"GET /segments/{customer_segment}/transport-policy", order="product_segment, requires_temperature_control",
        )  # fmt: skip
        if not rows:
            raise HTTPException(404, f"no transport policy for segment {customer_segment!r}")
        start = (page - 1) * page_size
        return {
            "build": build.manifest["build"],
            "page": page,
            "page_size": page_size,
            "total": len(rows),
            "items": rows[start : start + page_size],
        }

    @app.get("/changes")
    def changes(
        entity: str = Query(..., pattern="^(customer|product)$"),
        since: datetime = Query(datetime(1970, 1, 1)),
        page_token: str | None = None,
        page_size: int = Query(500, ge=1, le=MAX_PAGE_SIZE),
        ctx=Depends(context),
    ):
        build, view = ctx
        mart, key, fields = (
            ("segmentation.customer_segments", "customer_id", "segment, segment_method, reason_code")
            if entity == "customer"
            else ("segmentation.product_segments", "sku_id", "segment, abc_class, xyz_class, velocity_class")
        )
        try:
            view.require(mart)
        except Forbidden as problem:
            raise HTTPException(403, str(problem)) from None
        condition, scope_params = view.row_filter(mart, alias="versions")
        after = _read_page_token(page_token, build.manifest["build"]) if page_token else None
        snapshot = f"snapshots.{mart.split('.')[1]}_snapshot"
        sql = f"""
            with versions as (select * from {snapshot} as versions where {condition}),
            changed as (
                select {key} as entity_id, {fields}, dbt_valid_from as changed_at, 'upsert' as change
                from versions where dbt_valid_to is null and dbt_valid_from > ?
                union all
                select {key}, {", ".join("null" for _ in fields.split(","))}, max(dbt_valid_to), 'delete'
                from versions group by {key}
                having count(*) filter (where dbt_valid_to is null) = 0 and max(dbt_valid_to) > ?
            )
            select * from changed
            where ? is null or (changed_at, entity_id) > (?::timestamp, ?)
            order by changed_at, entity_id limit ?
        """
        params = scope_params + [since, since, after and after[0], after and after[0], after and after[1]]
        cursor = view.con.execute(sql, params + [page_size + 1])
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
        more = len(rows) > page_size
        rows = rows[:page_size]
        return {
            "build": build.manifest["build"],
            "entity": entity,
            "since": since,
            "items": rows,
            "next_page_token": _page_token(build.manifest["build"], [rows[-1]["changed_at"], rows[-1]["entity_id"]])
            if more
            else None,
        }

    @app.post("/orders/decision")
    def order_decision(order: OrderIn, ctx=Depends(context)):
        build, view = ctx
        for mart in ("segmentation.customer_segments", "transport.transport_policies"):
            try:
                view.require(mart)
            except Forbidden as problem:
                raise HTTPException(403, str(problem)) from None
        known = view.con.execute(
            "select count(*) from core.dim_customers where customer_id = ?", [order.customer_id]
        ).fetchone()[0]
        if known and not view.may_see_customer(order.customer_id):
            raise HTTPException(403, f"role {view.role} may not see customer {order.customer_id}")
        decision = fulfilment_decision(
            view.con,
            Order(
                order.customer_id,
                [OrderLine(line.sku_id, line.quantity) for line in order.lines],
                order.requested_date,
                order.order_date,
            ),
        )
        audit.record(
            folder, "order_decision", view.role, f"POST /orders/decision {order.customer_id}", build.manifest["build"]
        )
        return {"build": build.manifest["build"], **decision.as_dict()}

    return app
