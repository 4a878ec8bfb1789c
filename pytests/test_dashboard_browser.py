"""The dashboard in a real browser: every page, key figures, role restrictions.

Starts the Streamlit dashboard (src/scw/serving/dashboard.py) on a free
port over a published copy of the shared small build, loads every page in
headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium) as finance, and the restricted pages as a regional sales role
and the warehouse role. Each page's figures (``st.metric``) and tables are
compared with the published marts read directly here; a screenshot of every
page and role goes to reports/screenshots/.

Restrictions checked in the browser: sales_north sees its region's
customers only (the whale curve's and the profitability page's customers
are north's) and no cost per order; the warehouse role sees the inventory
policies without their value; roles outside finance cannot open the GL
reconciliation.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dbt_project_runner import REPO
from serving_fixtures import publish_small_build

from scw.serving.published import open_published

pytestmark = pytest.mark.e2e
SCREENSHOTS = REPO / "reports" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def _money(value) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(float(value)):,.0f}"


def _percent(value) -> str:
    return f"{100 * float(value):,.1f} %"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def published(small_build, tmp_path_factory):
    return publish_small_build(small_build, tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def dashboard(published):
    port = _free_port()
    env = dict(os.environ, SCW_PUBLISHED=str(published))
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("streamlit")),
            "run",
            str(REPO / "src" / "scw" / "serving" / "dashboard.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],  # fmt: skip
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    import urllib.request

    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as answer:
                if answer.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.25)
    else:
        server.kill()
        pytest.fail("the dashboard did not start: " + (server.stdout.read() or "")[-2000:])
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)
    server.stdout.close()


@pytest.fixture(scope="module")
def browser():
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: `make test` installs chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1800",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


class Page:
    """What a loaded page shows: its metrics, tables, notes and text."""

    def __init__(self, driver):
        from selenium.webdriver.common.by import By

        self.metrics = {
            m.find_element(By.CSS_SELECTOR, '[data-testid="stMetricLabel"]').text: m.find_element(
                By.CSS_SELECTOR, '[data-testid="stMetricValue"]'
            ).text
            for m in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]')
        }
        tables = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stTable"]')
        self.tables = [t.text for t in tables]
        #: each table as rows of cell texts, the header row first
        self.rows = [
            [
                [cell.text for cell in tr.find_elements(By.CSS_SELECTOR, "th, td")]
                for tr in t.find_elements(By.TAG_NAME, "tr")
            ]
            for t in tables
        ]
        self.notes = [
            e.text
            for e in driver.find_elements(
                By.CSS_SELECTOR, '[data-testid="stAlert"], [data-testid="stCaptionContainer"]'
            )
        ]
        self.text = driver.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').text


def load(driver, base: str, page: str, role: str) -> Page:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/{page}?role={role}")

    def settled(d):
        headings = d.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"] h2')
        running = d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        return headings and not running

    WebDriverWait(driver, 60, poll_frequency=0.2).until(settled)
    # the run has finished; its last elements are drawn when the page stops changing
    main, last, stable_since = None, None, time.monotonic()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        main = driver.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').text
        if main != last:
            last, stable_since = main, time.monotonic()
        elif time.monotonic() - stable_since >= 1.0:
            break
        time.sleep(0.2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{page or 'overview'}__{role}.png"))
    return Page(driver)


@pytest.fixture(scope="module")
def marts(published):
    con = duckdb.connect(str(published / "supply_chain.duckdb"), read_only=True)
    yield con
    con.close()


def _north(marts) -> set[str]:
    return {r[0] for r in marts.execute("select customer_id from core.dim_customers where region = 'north'").fetchall()}


def test_overview_names_the_published_build(dashboard, browser, published):
    page = load(browser, dashboard, "", "finance")
    build = open_published(published).manifest["build"]
    assert build in page.text
    assert page.metrics["Build"] == build.split("-")[0]


def test_whale_curve(dashboard, browser, marts):
    page = load(browser, dashboard, "whale_curve", "finance")
    count, total = marts.execute(
        "select count(*), sum(cost_to_serve_margin) from profitability.customer_whale_curve"
    ).fetchone()
    assert page.metrics["Customers"] == f"{count:,}"
    assert page.metrics["Total cost-to-serve margin"] == _money(total)
    # sales sees the curve of its own region's customers
    north = _north(marts)
    page = load(browser, dashboard, "whale_curve", "sales_north")
    mine = marts.execute(
        "select count(*), sum(cost_to_serve_margin) from profitability.customer_whale_curve where customer_id in ?",
        [sorted(north)],
    ).fetchone()
    assert page.metrics["Customers"] == f"{mine[0]:,}" and mine[0] < count
    assert page.metrics["Total cost-to-serve margin"] == _money(mine[1])
    # the warehouse sees no customer financials
    page = load(browser, dashboard, "whale_curve", "warehouse")
    assert "Total cost-to-serve margin" not in page.metrics
    assert any("may not read profitability.customer_whale_curve" in note for note in page.notes)


def test_segment_matrix(dashboard, browser, marts):
    page = load(browser, dashboard, "segment_matrix", "finance")
    cells, example = marts.execute(
        "select count(*), min(policy_key) from segmentation.segment_policy_matrix"
    ).fetchone()
    assert page.metrics["Policy cells"] == f"{cells:,}"
    assert example in "\n".join(page.tables)


def test_segment_kpis(dashboard, browser, marts):
    latest = marts.execute("select max(month) from governance.segment_kpis").fetchone()[0]
    page = load(browser, dashboard, "segment_kpis", "finance")
    assert page.metrics["Latest month"] == f"{latest:%B %Y}"
    header, *body = page.rows[0]
    shown = {row[0]: dict(zip(header, row)) for row in body}
    for segment, otif, cost in marts.execute(
        "select segment, otif_rate, cost_per_order from governance.segment_kpis"
        " where month = ? and otif_rate is not null",
        [latest],
    ).fetchall():
        assert shown[segment]["OTIF"] == _percent(otif), segment
        assert shown[segment]["Cost per order"] == f"${cost:,.2f}", segment
    assert "Against targets" in page.text
    # sales: the KPIs of every region, so no cost or margin, and no scorecard of them
    page = load(browser, dashboard, "segment_kpis", "sales_north")
    assert "Cost per order" not in page.tables[0] and "Margin %" not in page.tables[0]
    assert "OTIF" in page.tables[0]
    assert "Against targets" not in page.text
    assert any("cost_per_order" in note for note in page.notes)


def test_customer_profitability(dashboard, browser, marts):
    totals = marts.execute(
        "select customer_id, sum(cost_to_serve_margin) as margin, sum(net_revenue)"
        " from cost_to_serve.customer_profitability group by 1 order by 2, 1"
    ).fetchall()
    page = load(browser, dashboard, "customer_profitability", "finance")
    customer, margin, revenue = totals[0]
    assert page.metrics["Customer"] == customer
    assert page.metrics["Cost-to-serve margin"] == _money(margin)
    assert page.metrics["Net revenue"] == _money(revenue)
    assert any(note.startswith(f"{len(totals):,} customers") for note in page.notes)
    # sales_north: north's customers only, the least profitable of them first
    north = _north(marts)
    mine = [row for row in totals if row[0] in north]
    page = load(browser, dashboard, "customer_profitability", "sales_north")
    assert page.metrics["Customer"] == mine[0][0] in north
    assert page.metrics["Cost-to-serve margin"] == _money(mine[0][1])
    assert any(note.startswith(f"{len(mine):,} customers") for note in page.notes)
    others = {row[0] for row in totals} - north
    assert not any(customer in page.text for customer in others)


def test_inventory(dashboard, browser, marts):
    rows, units, value = marts.execute(
        "select count(*), sum(safety_stock_units), sum(safety_stock_value) from inventory.inventory_policies"
    ).fetchone()
    page = load(browser, dashboard, "inventory", "finance")
    assert page.metrics["SKU x DC policies"] == f"{rows:,}"
    assert page.metrics["Safety stock units"] == f"{units:,.0f}"
    assert page.metrics["Safety stock value"] == _money(value)
    scenarios = marts.execute("select count(distinct scenario) from inventory.inventory_scenario_summary").fetchone()[0]
    assert scenarios > 1 and "Stress scenarios" in page.text
    assert "Safety stock value change" in "\n".join(page.tables)
    # the warehouse: units, no values
    page = load(browser, dashboard, "inventory", "warehouse")
    assert page.metrics["Safety stock units"] == f"{units:,.0f}"
    assert "Safety stock value" not in page.metrics
    assert "Safety stock value change" not in "\n".join(page.tables)
    assert any("safety_stock_value" in note for note in page.notes)


def test_transport(dashboard, browser, marts):
    exceptions = marts.execute("select count(*) from transport.mode_assignment_exceptions").fetchone()[0]
    co2, orders = marts.execute("select sum(co2_kg), sum(orders) from transport.segment_emissions").fetchone()
    page = load(browser, dashboard, "transport", "finance")
    assert page.metrics["Mode exceptions"] == f"{exceptions:,}"
    assert page.metrics["CO2 (kg)"] == f"{co2:,.0f}"
    assert page.metrics["CO2 kg per order"] == f"{co2 / orders:,.2f}"


def test_gl_reconciliation(dashboard, browser, marts):
    rows, tied, gl, allocated = marts.execute(
        "select count(*), count_if(status = 'tied'), sum(gl_amount), sum(allocated_amount)"
        " from finance.gl_reconciliation"
    ).fetchone()
    page = load(browser, dashboard, "gl_reconciliation", "finance")
    assert page.metrics["GL rows tied"] == f"{tied:,} of {rows:,}"
    assert page.metrics["GL"] == _money(gl)
    assert page.metrics["Allocated minus GL"] == _money(allocated - gl)
    for role in ("sales_north", "warehouse"):
        page = load(browser, dashboard, "gl_reconciliation", role)
        assert page.metrics == {}
        assert any("may not read finance.gl_reconciliation" in note for note in page.notes)
