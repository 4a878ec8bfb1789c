"""The decision log and feature drift across three builds of one warehouse.

1. the shared full build of the small extracts (logic version 2026.1);
2. a proposed logic version that makes a customer inactive after one month
   without orders: the planted customer, ordering last more than 45 days
   before the as-of date, is decided 'inactive' under version 2026.2-test;
3. the extracts again with every invoice paid 30 days later, logic 2026.1
   again, rebuilt with --full-refresh (the log and the feature bins must
   survive it): only payment_days drifts.

segment_decision_log must tell each build's decision for the planted
customer (segment, reason, logic version and fingerprint, features) as
customer_segments published it then, and segment_feature_drift must flag
payment_days, and only it, at the third build.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

pytestmark = pytest.mark.e2e

PROPOSED = "2026.2-test"
#: models that decide a customer's segment and log it, for build 2
DECIDE = [
    "int_segmentation__logic_version",
    "int_customers__segment_history",
    "int_customers__segment_decisions",
    "customer_segments",
    "int_segmentation__decision_features",
    "int_segmentation__build_stamp",
    "segment_decision_log",
    "segment_feature_bins",
    "segment_feature_drift",
]


def _read(project, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(project.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _published(project, customer_id: str) -> tuple:
    return _read(
        project,
        "select segment, reason_code from segmentation.customer_segments where customer_id = ?",
        [customer_id],
    )[0]


def _drift(project) -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in _read(project, "select feature, psi, drift_status from governance.segment_feature_drift")
    }


def _features(text: str) -> dict[str, float | None]:
    pairs = (pair.split("=") for pair in text.split("; "))
    return {name: None if value == "null" else float(value) for name, value in pairs}


def _close(left: float | None, right: float | None) -> bool:
    """Equal, or within the rounding of the features (their sums' last digits vary by run)."""
    if left is None or right is None:
        return left is right
    return abs(left - right) <= 2e-6 * max(1.0, abs(left))


def _check(result) -> None:
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.fixture(scope="module")
def history(small_build, tmp_path_factory):
    project, _ = small_build
    base = tmp_path_factory.mktemp("decision_history")
    fork = project.fork(base / "build")
    planted = _read(
        fork,
        """
        select segments.customer_id
        from segmentation.customer_segments as segments
        inner join intermediate.int_customers__time_decayed_features as features
            on segments.customer_id = features.customer_id and features.period_index = 0
        where segments.reason_code = 'algorithm'
            and features.last_order_date < segments.as_of_date - interval 45 day
        order by segments.customer_id
        limit 1
        """,
    )
    assert planted, "the small build needs an active customer without an order in its last 45 days"
    customer = planted[0][0]
    states = [_published(fork, customer)]
    drifts = [_drift(fork)]

    _check(
        fork.dbt(
            "run",
            "--select",
            *DECIDE,
            extra_vars={"segmentation_logic_version": PROPOSED, "inactive_after_months": 1},
        )
    )
    states.append(_published(fork, customer))
    drifts.append(_drift(fork))

    raw = base / "raw"
    shutil.copytree(project.raw, raw)
    invoices = raw / "erp_invoices.parquet"
    con = duckdb.connect()
    con.execute(
        f"copy (select * replace (paid_date + 30 as paid_date) from '{project.raw / 'erp_invoices.parquet'}')"
        f" to '{invoices}' (format parquet)"
    )
    con.close()
    _check(
        fork.dbt(
            "run",
            "--full-refresh",
            "--select",
            "base_erp__invoices+,+segment_decision_log",
            "base_erp__invoices+,+segment_feature_drift",
            "base_erp__invoices+,+customer_segments",
            raw=raw,
        )
    )
    states.append(_published(fork, customer))
    drifts.append(_drift(fork))
    log = _read(
        fork,
        """
        select build_id, segment, reason_code, reason, logic_version, logic_fingerprint, features,
               input_entities, input_fingerprint
        from governance.segment_decision_log
        where entity_type = 'customer' and entity_id = ?
        order by built_at, build_id
        """,
        [customer],
    )
    return customer, states, drifts, log


def test_the_log_explains_the_planted_customer_in_every_build(history):
    customer, states, _, log = history
    assert len(log) == 3, log
    assert len({row[0] for row in log}) == 3
    # each build's decision is what customer_segments published then
    assert [(row[1], row[2]) for row in log] == states
    first, second, third = log
    assert first[2] == "algorithm" and third[2] == "algorithm"
    assert second[1] == "inactive" and second[2] == "inactive"
    assert second[3] == "no order in the last 1 months"
    # the version and the parameters' fingerprint say which logic decided
    assert [row[4] for row in log] == ["2026.1", PROPOSED, "2026.1"]
    assert first[5] == third[5] != second[5]
    # the features: unchanged by a logic change, changed by the late payments
    assert first[6] == second[6] != third[6]
    assert "payment_days=" in first[6]
    before, after = _features(first[6]), _features(third[6])
    assert before.keys() == after.keys()
    assert {name for name in before if not _close(before[name], after[name])} == {"payment_days"}
    assert after["payment_days"] > before["payment_days"]
    # and the inputs' fingerprint changes with them
    assert first[8] == second[8] != third[8]
    assert first[7] == second[7] == third[7]


def test_drift_flags_the_shifted_feature_only(history):
    _, _, drifts, _ = history
    first, second, third = drifts
    # the shared build is the first to segment: nothing to compare with
    assert {status for _, status in first.values()} == {"no_reference"}
    # a logic change moves no feature
    assert all(psi == 0 and status == "stable" for psi, status in second.values()), second
    shifted = {feature for feature, (_, status) in third.items() if status != "stable"}
    assert shifted == {"payment_days"}, third
    assert third["payment_days"][1] == "significant" and third["payment_days"][0] >= 0.25
    # the others stay in their bins (a value at a bin's edge may move by
    # its rounding, hence not exactly 0)
    assert all(psi < 0.01 for feature, (psi, _) in third.items() if feature != "payment_days"), third


def test_a_full_refresh_keeps_the_earlier_builds(history):
    _, _, _, log = history
    # build 3 ran with --full-refresh: builds 1 and 2 are still in the log
    assert [row[4] for row in log][:2] == ["2026.1", PROPOSED]
