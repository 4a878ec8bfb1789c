"""Master data: DCs, suppliers, carriers, customers (with archetypes), CRM accounts, products.

Frames use integer ids (1-based) and 0-based positional indexes; ``contract.py``
turns them into the prefixed string identifiers of the input contract.
Columns not in the contract (behavioural parameters) are dropped there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import (
    ARCHETYPE_NAMES,
    ARCHETYPES,
    CARRIERS,
    CATEGORIES,
    CHANNELS,
    COUNTRIES_BY_REGION,
    CREDIT_RATINGS,
    CUSTOMER_VALUE_SIGMA,
    DISTRIBUTOR,
    ERRATIC_SHARE,
    KEY_ACCOUNT,
    LIFECYCLE_PROBS,
    LIFECYCLE_STAGES,
    REGIONS,
    SEASON_PROFILES,
    SLA_TIERS,
    SMALL_FREQUENT,
    SMALL_ORDER_LINE_PROBS,
    History,
    Scale,
    Streams,
    dc_layout,
)
from .sampling import choose_per_group, days, probs_for, seconds, uniform

_NAME_FIRST = (
    "Alpine",
    "Baltic",
    "Cedar",
    "Delta",
    "Emerald",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Maple",
    "Nordic",
    "Orchid",
    "Pioneer",
    "Quarry",
    "Riverside",
    "Summit",
    "Tidal",
    "Unity",
    "Vista",
    "Willow",
    "Zenith",
    "Aurora",
    "Beacon",
    "Crest",
    "Dune",
    "Evergreen",
    "Fjord",
    "Meadow",
    "Oakridge",
    "Silverline",
    "Sunrise",
    "Westwind",
    "Horizon",
)
_NAME_SECOND = (
    "Foods",
    "Retail",
    "Trading",
    "Markets",
    "Supplies",
    "Stores",
    "Wholesale",
    "Distribution",
    "Goods",
    "Outlet",
    "Traders",
    "Provisions",
    "Commerce",
    "Mercantile",
)
_LEGAL_FORM = {
    "DE": "GmbH",
    "AT": "GmbH",
    "CH": "AG",
    "LU": "Sarl",
    "FR": "SAS",
    "BE": "NV",
    "NL": "BV",
    "GB": "Ltd",
    "SE": "AB",
    "DK": "ApS",
    "NO": "AS",
    "FI": "Oy",
    "IT": "Srl",
    "ES": "SL",
    "PT": "Lda",
    "GR": "AE",
    "PL": "Sp zoo",
    "CZ": "sro",
    "HU": "Kft",
    "SK": "sro",
}
_BRANDS = (
    "Acme",
    "Brightway",
    "Crown",
    "Daybreak",
    "Everfresh",
    "Fairfield",
    "Goldleaf",
    "Homestead",
    "Ivory",
    "Jolly",
    "Kestrel",
    "Lighthouse",
    "Maris",
    "Northstar",
    "Oakmont",
    "Pureline",
    "Quest",
    "Redwood",
    "Solace",
    "Trueform",
    "Urban",
    "Valley",
    "Woodland",
    "Yardley",
)
_ACCOUNT_MANAGERS = (
    "Anna Keller",
    "Bruno Costa",
    "Clara Jensen",
    "David Novak",
    "Elena Rossi",
    "Felix Martin",
    "Greta Nilsson",
    "Hugo Lambert",
    "Ines Moreau",
    "Jonas Weber",
    "Katja Horvat",
    "Lucas Dubois",
    "Maria Santos",
    "Nils Berg",
    "Olga Kowalska",
    "Pavel Dvorak",
)


@dataclass
class Entities:
    """All master data plus the derived matrices the order model needs."""

    dcs: pd.DataFrame
    suppliers: pd.DataFrame
    carriers: pd.DataFrame
    customers: pd.DataFrame
    accounts: pd.DataFrame
    products: pd.DataFrame
    stocked: np.ndarray  # bool [n_skus, n_dcs]
    lifecycle: np.ndarray  # demand factor [n_skus, n_months]
    demand_shock: np.ndarray  # erratic month multipliers [n_skus, n_months]


def build_entities(
    scale: Scale, hist: History, streams: Streams, archetype_shares: dict[str, float] | None = None
) -> Entities:
    """Build all master data for ``scale`` over the history window (``archetype_shares``: the customer mix)."""
    dcs = build_dcs(scale, streams.get("dcs"))
    suppliers = build_suppliers(scale, streams.get("suppliers"))
    carriers = build_carriers()
    customers = build_customers(scale, hist, dcs, streams.get("customers"), archetype_shares)
    accounts = build_accounts(customers, hist, streams.get("accounts"))
    products = make_products(streams.get("products"), scale.n_skus, suppliers)
    lifecycle = assign_lifecycle(products, hist, streams.get("lifecycle"))
    add_popularity(products, streams.get("popularity"))
    stocked = build_stocking(products, dcs, streams.get("stocking"))
    shock = build_demand_shock(products, hist, streams.get("shock"))
    return Entities(dcs, suppliers, carriers, customers, accounts, products, stocked, lifecycle, shock)


# ------------------------------------------------------------------------------ DCs


def build_dcs(scale: Scale, rng: np.random.Generator) -> pd.DataFrame:
    """DCs: DC01 national (temperature controlled), regionals, cold-chain DCs."""
    layout = dc_layout(scale.n_dcs)
    types = [t for t, _ in layout]
    regions = [r for _, r in layout]
    label = {"national": "National DC", "regional": "Regional DC", "cold_chain": "Cold Chain DC"}
    names = [f"{r.title()} {label[t]} {i + 1}" for i, (t, r) in enumerate(layout)]
    return pd.DataFrame(
        {
            "dc_id": np.arange(1, scale.n_dcs + 1),
            "dc_name": names,
            "region": regions,
            "dc_type": types,
            "is_temperature_controlled": [t != "regional" for t in types],
            # wage rate of warehouse labour in currency per minute (drives GL 6100)
            "wage_per_minute": np.round(rng.uniform(0.42, 0.62, scale.n_dcs), 4),
        }
    )


def build_suppliers(scale: Scale, rng: np.random.Generator) -> pd.DataFrame:
    """Suppliers with a primary category, lead-time mean/sd and a disruption flag."""
    n = scale.n_suppliers
    category = np.arange(n) % len(CATEGORIES)
    overseas = category == [c.name for c in CATEGORIES].index("electronics")
    lead_mean = np.where(overseas, rng.uniform(25, 40, n), rng.lognormal(np.log(10), 0.4, n))
    lead_mean = np.clip(lead_mean, 3, 45)
    disrupted = np.zeros(n, dtype=bool)
    disrupted[rng.choice(n, size=max(2, round(0.25 * n)), replace=False)] = True
    return pd.DataFrame(
        {
            "supplier_id": np.arange(1, n + 1),
            "category": category,
            "lead_time_mean_days": np.round(lead_mean, 1),
            "lead_time_sd_days": np.round(lead_mean * rng.uniform(0.1, 0.35, n), 1),
            "disrupted": disrupted,
        }
    )


def build_carriers() -> pd.DataFrame:
    """Carriers from the fixed catalogue in ``config.CARRIERS``."""
    return pd.DataFrame(
        {
            "carrier_id": np.arange(1, len(CARRIERS) + 1),
            "carrier_name": [c.name for c in CARRIERS],
            "mode": [c.mode for c in CARRIERS],
            "is_3pl": [c.is_3pl for c in CARRIERS],
            "base_cost": [c.base_cost for c in CARRIERS],
            "cost_per_kg": [c.cost_per_kg for c in CARRIERS],
            "on_time_rate": [c.on_time_rate for c in CARRIERS],
        }
    )


# ------------------------------------------------------------------------ customers


def archetype_share_vector(archetype_shares: dict[str, float] | None = None) -> np.ndarray:
    """Shares of the archetypes in ARCHETYPES order: the defaults, or the mix given.

    A given mix names archetypes of ARCHETYPE_NAMES with non-negative shares
    (normalised; an archetype not named gets none).
    """
    if archetype_shares is None:
        return np.array([a.share for a in ARCHETYPES])
    unknown = sorted(set(archetype_shares) - set(ARCHETYPE_NAMES))
    if unknown:
        raise ValueError(f"unknown archetype(s) {', '.join(unknown)}: use {', '.join(ARCHETYPE_NAMES)}")
    shares = np.array([float(archetype_shares.get(name, 0.0)) for name in ARCHETYPE_NAMES])
    if (shares < 0).any() or shares.sum() <= 0:
        raise ValueError(f"archetype shares must be non-negative with a positive sum, got {archetype_shares}")
    return shares


def _archetype_counts(n: int, shares: np.ndarray | None = None) -> np.ndarray:
    """Exact archetype counts (largest remainder), at least one customer of each archetype with a share."""
    shares = archetype_share_vector() if shares is None else shares
    raw = shares / shares.sum() * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    present = shares > 0
    while (counts[present] == 0).any():
        counts[np.argmax(counts)] -= 1
        counts[np.flatnonzero(present)[np.argmin(counts[present])]] += 1
    return counts


def build_customers(
    scale: Scale,
    hist: History,
    dcs: pd.DataFrame,
    rng: np.random.Generator,
    archetype_shares: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Customers with their archetype and per-customer behaviour parameters.

    Archetypes are shuffled over the ids so the id carries no signal. The value
    factor (lognormal, mean 1) scales both order frequency and quantities and
    produces the Pareto-like revenue curve.
    """
    n = scale.n_customers
    counts = _archetype_counts(n, archetype_share_vector(archetype_shares))
    arch = rng.permutation(np.repeat(np.arange(len(ARCHETYPES)), counts))
    a = [ARCHETYPES[i] for i in arch]

    def per_customer(low_high) -> np.ndarray:
        lo = np.array([low_high(x)[0] for x in a], dtype=float)
        hi = np.array([low_high(x)[1] for x in a], dtype=float)
        return uniform(rng, lo, hi)

    value = rng.lognormal(-(CUSTOMER_VALUE_SIGMA**2) / 2, CUSTOMER_VALUE_SIGMA, n)
    lines_mean = np.array([x.lines_mean for x in a]) * rng.lognormal(0, 0.15, n)
    small = arch == SMALL_FREQUENT
    lines_expected = np.where(small, np.dot(SMALL_ORDER_LINE_PROBS, [1, 2, 3]), lines_mean)

    region = rng.choice(len(REGIONS), size=n)
    country = np.array([rng.choice(COUNTRIES_BY_REGION[REGIONS[r]]) for r in region])
    channel = choose_per_group(rng, arch, np.array([probs_for(x.channel_weights, CHANNELS) for x in ARCHETYPES]))
    credit = choose_per_group(rng, arch, np.array([probs_for(x.credit_weights, CREDIT_RATINGS) for x in ARCHETYPES]))
    terms = np.array([rng.choice(x.payment_terms) for x in a])
    names = [
        f"{_NAME_FIRST[i]} {_NAME_SECOND[j]} {_LEGAL_FORM[c]}"
        for i, j, c in zip(rng.integers(0, len(_NAME_FIRST), n), rng.integers(0, len(_NAME_SECOND), n), country)
    ]

    # creation: most customers pre-date the history, some non-key accounts are won during it
    history_seconds = float((hist.end_ts - hist.start.astype("datetime64[s]")).astype(np.int64))
    start_s = hist.start.astype("datetime64[s]")
    won_during = (rng.random(n) < 0.08) & (arch != KEY_ACCOUNT)
    before = start_s - seconds(rng.uniform(60, 3000, n) * 86400)
    during = start_s + seconds(rng.uniform(0, 0.6, n) * history_seconds)
    created = np.where(won_during, during, before)
    lo = np.maximum(created, start_s) + seconds(86400)
    updated = lo + seconds(rng.random(n) * (hist.end_ts - lo).astype(np.int64))

    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "customer_name": names,
            "parent_customer_id": _parents(arch, rng),
            "channel": np.array(CHANNELS)[channel],
            "region": np.array(REGIONS)[region],
            "country_code": country,
            "credit_rating": np.array(CREDIT_RATINGS)[credit],
            "payment_terms_days": terms,
            "created_at": created,
            "updated_at": updated,
            # behaviour (not in the contract)
            "archetype": arch,
            "value": value,
            "freq": np.array([x.orders_per_month for x in a]) * value**0.5 * rng.lognormal(0, 0.1, n),
            "qty_scale": value**0.5,
            "lines_mean": lines_mean,
            "lines_expected": lines_expected,
            "expedited_share": per_customer(lambda x: x.expedited_share),
            "return_rate": per_customer(lambda x: x.return_rate),
            "discount_base": per_customer(lambda x: x.discount_pct),
            "late_payer": rng.random(n) < np.array([x.late_payer_share for x in a]),
            "late_days": per_customer(lambda x: x.late_days),
            "home_dc": _home_dcs(region, dcs, rng),
        }
    )


def _parents(arch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """parent_customer_id (1-based, -1 = none): key accounts grouped under group heads."""
    parents = np.full(len(arch), -1, dtype=np.int64)
    keys = np.flatnonzero(arch == KEY_ACCOUNT)
    if len(keys) < 2:
        return parents
    head_share = 0.3  # share of key accounts that are group heads themselves
    heads = rng.choice(keys, size=max(1, round(head_share * len(keys))), replace=False)
    members = np.setdiff1d(keys, heads)
    members = members[rng.random(len(members)) < ARCHETYPES[KEY_ACCOUNT].parent_share / (1 - head_share)]
    parents[members] = rng.choice(heads, size=len(members)) + 1
    return parents


def _home_dcs(region: np.ndarray, dcs: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Home DC index per customer: a national/regional DC in its region, else the national DC."""
    home = np.zeros(len(region), dtype=np.int64)
    serving = dcs["dc_type"].to_numpy() != "cold_chain"
    dc_region = dcs["region"].to_numpy()
    for r, name in enumerate(REGIONS):
        candidates = np.flatnonzero(serving & (dc_region == name))
        idx = np.flatnonzero(region == r)
        if len(candidates) and len(idx):
            home[idx] = rng.choice(candidates, size=len(idx))
    return home


def build_accounts(customers: pd.DataFrame, hist: History, rng: np.random.Generator) -> pd.DataFrame:
    """CRM accounts: one per customer with SLA tier, contract and OTIF targets."""
    n = len(customers)
    arch = customers["archetype"].to_numpy()
    sla = choose_per_group(rng, arch, np.array([probs_for(x.sla_weights, SLA_TIERS) for x in ARCHETYPES]))
    strategic = rng.random(n) < np.array([ARCHETYPES[i].strategic_share for i in arch])
    target = np.array([98.0, 96.0, 94.0, 92.0])[sla] + rng.choice([-0.5, 0.0, 0.0, 0.5], n)
    penalty_lo = np.array([2.0, 1.0, 0.5, 0.0])[sla]
    penalty_hi = np.array([3.0, 2.0, 1.0, 0.0])[sla]
    penalty = np.round(uniform(rng, penalty_lo, penalty_hi) * 2) / 2

    created = customers["created_at"].to_numpy()
    term_days = rng.choice([365, 730, 1095], n)
    first_start = created.astype("datetime64[D]")
    renewals = (hist.end - first_start).astype(np.int64) // term_days
    contract_start = first_start + days(renewals * term_days)
    contract_end = contract_start + days(term_days - 1)
    # CRM records are edited after the ERP record was created
    lo = np.maximum(created, hist.start.astype("datetime64[s]"))
    updated = lo + seconds(rng.random(n) * (hist.end_ts - lo).astype(np.int64))
    managers = np.array(_ACCOUNT_MANAGERS)
    senior = managers[:6]
    manager = np.where(
        np.isin(arch, [KEY_ACCOUNT, DISTRIBUTOR]),
        senior[rng.integers(0, len(senior), n)],
        managers[rng.integers(0, len(managers), n)],
    )
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy(),
            "account_manager": manager,
            "sla_tier": np.array(SLA_TIERS)[sla],
            "is_strategic": strategic,
            "contract_start_date": contract_start,
            "contract_end_date": contract_end,
            "target_otif_pct": target,
            "late_penalty_pct": penalty,
            "updated_at": updated,
        }
    )


# ------------------------------------------------------------------------- products


def make_products(rng: np.random.Generator, n: int, suppliers: pd.DataFrame, first_id: int = 1) -> pd.DataFrame:
    """Product attributes (category, prices, weights, handling, supplier) for ``n`` SKUs."""
    shares = np.array([c.share for c in CATEGORIES])
    cat = rng.choice(len(CATEGORIES), size=n, p=shares / shares.sum())
    sub = rng.integers(0, 4, n)
    c = [CATEGORIES[i] for i in cat]
    cost = rng.lognormal(np.log([x.cost_median for x in c]), 0.6)
    cost = np.round(np.clip(cost, 0.2, 900), 2)
    list_price = np.round(cost * rng.uniform(1.3, 2.2, n), 2)
    list_price = np.maximum(list_price, cost + 0.05)
    weight = np.round(np.clip(rng.lognormal(np.log([x.weight_median_kg for x in c]), 0.5), 0.02, 60), 3)
    volume = np.round(np.maximum(weight / np.array([x.density_kg_m3 for x in c]), 0.00001), 6)

    handling = np.array([x.handling for x in c], dtype=object)
    subname = np.array([x.subcategories[s] for x, s in zip(c, sub)], dtype=object)
    hazardous = np.array([x.hazardous_subcategory == s for x, s in zip(c, subname)])
    high_value = np.array([x.high_value_min_cost is not None for x in c]) & (
        cost >= np.array([x.high_value_min_cost or np.inf for x in c])
    )
    handling[hazardous] = "hazardous"
    handling[high_value] = "high_value"
    perishable = np.isin(handling, ["chilled", "frozen"])
    shelf_lo = np.array([x.shelf_life_days[0] if x.shelf_life_days else 0 for x in c])
    shelf_hi = np.array([x.shelf_life_days[1] if x.shelf_life_days else 0 for x in c])
    shelf = np.where(perishable, rng.integers(shelf_lo, shelf_hi + 1), -1)

    sup_cat = suppliers["category"].to_numpy()
    supplier = np.empty(n, dtype=np.int64)
    for k in range(len(CATEGORIES)):
        idx = np.flatnonzero(cat == k)
        supplier[idx] = rng.choice(np.flatnonzero(sup_cat == k), size=len(idx)) + 1

    case_pack = np.where(
        weight > 5, rng.choice([1, 2, 4], n), np.where(cost > 30, rng.choice([1, 5, 10], n), rng.choice([6, 12, 24], n))
    )
    size = np.where(
        weight < 1,
        np.char.add((np.round(weight * 1000)).astype(int).astype(str), "g"),
        np.char.add(np.round(weight, 1).astype(str), "kg"),
    )
    brand = np.array(_BRANDS)[rng.integers(0, len(_BRANDS), n)]
    names = [f"{b} {s.replace('_', ' ').title()} {z}" for b, s, z in zip(brand, subname, size)]
    return pd.DataFrame(
        {
            "sku_id": np.arange(first_id, first_id + n),
            "product_name": names,
            "category": [x.name for x in c],
            "subcategory": subname.astype(str),
            "unit_cost": cost,
            "list_price": list_price,
            "unit_weight_kg": weight,
            "unit_volume_m3": volume,
            "lifecycle_stage": "maturity",
            "is_perishable": perishable,
            "shelf_life_days": shelf,
            "handling_class": handling.astype(str),
            "supplier_id": supplier,
            "updated_at": np.datetime64("NaT", "s"),
            # behaviour (not in the contract)
            "category_index": cat,
            "case_pack": case_pack,
        }
    )


def assign_lifecycle(products: pd.DataFrame, hist: History, rng: np.random.Generator) -> np.ndarray:
    """Set lifecycle_stage/updated_at and return the demand factor matrix [sku, month].

    introduction: launched in the last quarter of history; growth: ramps up;
    maturity: flat; decline: fades to ~35 %; end_of_life: fades to zero in the
    second half of history and sells nothing afterwards.
    """
    n, m = len(products), hist.n_months
    stage = rng.choice(len(LIFECYCLE_STAGES), size=n, p=LIFECYCLE_PROBS)
    month = np.arange(m)[None, :]
    factor = np.ones((n, m))
    start_month = np.zeros(n, dtype=np.int64)

    intro = stage == 0
    launch = rng.integers(m - max(2, m // 4), m, n)
    ramp = np.clip(0.4 + 0.3 * (month - launch[:, None]), 0, 1) * (month >= launch[:, None])
    factor[intro] = ramp[intro]
    start_month[intro] = launch[intro]

    growth = stage == 1
    g0 = rng.integers(0, m // 2 + 1, n)
    grow = np.clip(0.3 + 0.7 * (month - g0[:, None] + 1) / np.maximum(1, m - g0[:, None]), 0, 1)
    factor[growth] = (grow * (month >= g0[:, None]))[growth]
    start_month[growth] = g0[growth]

    decline = stage == 3
    factor[decline] = np.broadcast_to(1 - 0.65 * month / max(1, m - 1), (n, m))[decline]

    eol = stage == 4
    e1 = rng.integers(m // 2, max(m // 2 + 1, m - 1), n)
    fade = max(2, m // 6)
    factor[eol] = np.clip((e1[:, None] - month) / fade, 0, 1)[eol]
    start_month[eol] = np.maximum(0, e1[eol] - fade)

    # master record last touched after launch (or when the SKU was phased out)
    month_start = hist.months.astype("datetime64[s]")
    lo = month_start[start_month]
    updated = lo + seconds(rng.random(n) * (hist.end_ts - lo).astype(np.int64))
    products["lifecycle_stage"] = np.array(LIFECYCLE_STAGES)[stage]
    products["updated_at"] = updated
    products["launch_month"] = np.where(intro | growth, start_month, 0)
    return factor


def add_popularity(products: pd.DataFrame, rng: np.random.Generator) -> None:
    """Zipf-like SKU popularity (long tail) and the erratic-demand flag."""
    n = len(products)
    rank = rng.permutation(n)
    products["popularity"] = (rank + 3.0) ** -1.0 * rng.lognormal(0, 0.4, n)
    products["popularity_rank"] = rank
    products["erratic"] = rng.random(n) < ERRATIC_SHARE


def build_stocking(products: pd.DataFrame, dcs: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Which DCs stock which SKU: national stocks most, regionals the popular head,
    cold-chain DCs every perishable plus some top sellers; perishables only in
    temperature-controlled DCs. Every SKU is stocked somewhere."""
    n = len(products)
    head = (1 - products["popularity_rank"].to_numpy() / n) ** 2  # 1 for the top seller
    perishable = products["is_perishable"].to_numpy()
    stocked = np.zeros((n, len(dcs)), dtype=bool)
    for d, dc_type in enumerate(dcs["dc_type"]):
        u = rng.random(n)
        if dc_type == "national":
            stocked[:, d] = perishable | (u < 0.92)
        elif dc_type == "regional":
            stocked[:, d] = ~perishable & (u < 0.2 + 0.75 * head)
        else:
            stocked[:, d] = perishable | (u < 0.4 * head)
    stocked[~stocked.any(axis=1), 0] = True
    return stocked


def build_demand_shock(products: pd.DataFrame, hist: History, rng: np.random.Generator) -> np.ndarray:
    """Monthly demand multipliers: lumpy gamma shocks for erratic SKUs, 1 otherwise."""
    n, m = len(products), hist.n_months
    shock = rng.gamma(0.5, 2.0, size=(n, m))
    shock[~products["erratic"].to_numpy()] = 1.0
    return shock


def category_season(products: pd.DataFrame, months: np.ndarray) -> np.ndarray:
    """Seasonal demand factor [sku, month] of each SKU's category for ``months`` (datetime64[M])."""
    profiles = np.array([SEASON_PROFILES[c.season] for c in CATEGORIES])
    return profiles[products["category_index"].to_numpy()][:, months.astype(np.int64) % 12]
