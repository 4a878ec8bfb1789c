"""Scales, enumerations, the history window and behavioural parameters.

Everything the generator treats as a constant lives here, so the behavioural
model (archetypes, categories, carriers, DC layout) can be read in one place.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

# --------------------------------------------------------------------------- scales


@dataclass(frozen=True)
class Scale:
    """Size of a generated data set.

    ``target_lines`` calibrates the order frequency so the number of order
    lines lands near the target; everything else follows from behaviour.
    """

    name: str
    n_customers: int
    n_skus: int
    n_dcs: int
    n_months: int
    n_suppliers: int
    target_lines: int


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("tiny", 60, 120, 2, 6, 20, 4_500),
        Scale("small", 200, 400, 3, 12, 25, 30_000),
        Scale("demo", 1_500, 3_000, 3, 24, 35, 300_000),
        Scale("medium", 5_000, 10_000, 5, 24, 45, 2_000_000),
        Scale("large", 20_000, 30_000, 8, 36, 60, 10_000_000),
        # a mid-size distributor: many customers and SKUs, few lines per SKU
        Scale("distributor", 150_000, 200_000, 5, 24, 400, 6_000_000),
    )
}

# ---------------------------------------------------------------------- enumerations

CHANNELS = ("retail", "wholesale", "ecommerce", "distributor")
LIFECYCLE_STAGES = ("introduction", "growth", "maturity", "decline", "end_of_life")
HANDLING_CLASSES = ("ambient", "chilled", "frozen", "hazardous", "high_value")
PRIORITIES = ("standard", "expedited")
ORDER_STATUSES = ("open", "shipped", "cancelled")
MODES = ("parcel", "ltl", "ftl", "expedited_air", "reefer")
ACTIVITY_TYPES = (
    "receiving",
    "putaway",
    "picking",
    "packing",
    "loading",
    "value_added",
    "returns_processing",
    "cycle_count",
)
SLA_TIERS = ("platinum", "gold", "silver", "bronze")
RETURN_REASONS = ("damaged", "wrong_item", "late", "quality", "customer_changed_mind")
ORDER_CHANNELS = ("edi", "portal", "email", "phone", "ecommerce")
DC_TYPES = ("national", "regional", "cold_chain")
CREDIT_RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B")
REGIONS = ("north", "south", "east", "west", "central")
COUNTRIES_BY_REGION = {
    "north": ("SE", "DK", "NO", "FI"),
    "south": ("IT", "ES", "PT", "GR"),
    "east": ("PL", "CZ", "HU", "SK"),
    "west": ("FR", "BE", "NL", "GB"),
    "central": ("DE", "AT", "CH", "LU"),
}

#: Allowed values per (table, column) for clean rows; used by tests and docs.
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("erp_customers", "channel"): CHANNELS,
    ("erp_customers", "region"): REGIONS,
    ("erp_customers", "credit_rating"): CREDIT_RATINGS,
    ("erp_products", "lifecycle_stage"): LIFECYCLE_STAGES,
    ("erp_products", "handling_class"): HANDLING_CLASSES,
    ("erp_sales_orders", "order_channel"): ORDER_CHANNELS,
    ("erp_sales_orders", "priority"): PRIORITIES,
    ("erp_sales_orders", "order_status"): ORDER_STATUSES,
    ("erp_returns", "return_reason"): RETURN_REASONS,
    ("wms_distribution_centers", "region"): REGIONS,
    ("wms_distribution_centers", "dc_type"): DC_TYPES,
    ("wms_activities", "activity_type"): ACTIVITY_TYPES,
    ("tms_carriers", "mode"): MODES,
    ("tms_shipments", "mode"): MODES,
    ("tms_shipments", "destination_region"): REGIONS,
    ("crm_accounts", "sla_tier"): SLA_TIERS,
}

# ----------------------------------------------------------------------- archetypes

ARCHETYPE_NAMES = (
    "key_account",
    "small_frequent",
    "seasonal_retailer",
    "price_sensitive_wholesaler",
    "distributor",
)
#: Archetype codes (positions in ARCHETYPE_NAMES and ARCHETYPES).
KEY_ACCOUNT, SMALL_FREQUENT, SEASONAL_RETAILER, WHOLESALER, DISTRIBUTOR = range(len(ARCHETYPE_NAMES))

#: Monthly order-intensity profiles, January..December.
SEASON_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.03, 1.05),
    "mild_q4": (0.95, 0.9, 1.0, 1.0, 1.0, 0.95, 0.95, 0.95, 1.0, 1.1, 1.35, 1.45),
    "retail_peaks": (0.55, 0.6, 1.5, 1.7, 1.0, 0.7, 0.6, 0.6, 0.8, 3.0, 4.0, 3.6),
    "summer": (0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.4, 1.35, 1.0, 0.85, 0.8, 0.9),
    "summer_mild": (0.9, 0.9, 0.95, 1.0, 1.05, 1.15, 1.2, 1.15, 1.0, 0.9, 0.9, 0.95),
    "q4": (0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.95, 1.0, 1.1, 1.5, 1.7),
    "q4_strong": (0.6, 0.6, 0.7, 0.75, 0.8, 0.8, 0.8, 0.85, 0.95, 1.3, 2.2, 2.6),
    "spring": (0.6, 0.8, 1.5, 1.9, 1.8, 1.3, 1.0, 0.8, 0.7, 0.6, 0.5, 0.5),
}


@dataclass(frozen=True)
class Archetype:
    """Behavioural parameters of one customer archetype.

    Ranges are ``(low, high)`` and drawn once per customer; ``*_weights`` are
    categorical distributions over the matching enumeration;
    ``category_affinity`` scales SKU popularity per product category (default 1).
    """

    name: str
    share: float
    orders_per_month: float
    lines_mean: float
    qty_median: float
    qty_sigma: float
    case_pack_orders: bool
    expedited_share: tuple[float, float]
    return_rate: tuple[float, float]
    discount_pct: tuple[float, float]
    payment_terms: tuple[int, ...]
    late_payer_share: float
    late_days: tuple[int, int]
    season: str
    channel_weights: dict[str, float]
    order_channel_weights: dict[str, float]
    sla_weights: dict[str, float]
    credit_weights: dict[str, float]
    strategic_share: float
    parent_share: float
    ftl_threshold_kg: float
    value_added_share: float
    cancel_rate: float
    category_affinity: dict[str, float]


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        name="key_account",
        share=0.10,
        orders_per_month=0.5,
        lines_mean=25,
        qty_median=70,
        qty_sigma=0.6,
        case_pack_orders=True,
        expedited_share=(0.01, 0.05),
        return_rate=(0.005, 0.02),
        discount_pct=(4, 8),
        payment_terms=(45, 60),
        late_payer_share=0.1,
        late_days=(3, 15),
        season="flat",
        channel_weights={"retail": 0.6, "wholesale": 0.4},
        order_channel_weights={"edi": 0.85, "portal": 0.1, "email": 0.05},
        sla_weights={"platinum": 0.6, "gold": 0.4},
        credit_weights={"AAA": 0.35, "AA": 0.4, "A": 0.25},
        strategic_share=0.85,
        parent_share=0.6,
        ftl_threshold_kg=1500,
        value_added_share=0.3,
        cancel_rate=0.01,
        category_affinity={
            "beverages": 1.2,
            "dairy": 1.5,
            "frozen_foods": 1.3,
            "household": 1.2,
            "electronics": 0.6,
            "toys_games": 0.8,
            "garden_diy": 0.8,
        },
    ),
    Archetype(
        name="small_frequent",
        share=0.34,
        orders_per_month=6.0,
        lines_mean=1.6,
        qty_median=2,
        qty_sigma=0.0,
        case_pack_orders=False,
        expedited_share=(0.30, 0.50),
        return_rate=(0.03, 0.07),
        discount_pct=(0, 3),
        payment_terms=(14, 30),
        late_payer_share=0.05,
        late_days=(1, 7),
        season="mild_q4",
        channel_weights={"ecommerce": 0.75, "retail": 0.25},
        order_channel_weights={"ecommerce": 0.6, "portal": 0.35, "phone": 0.05},
        sla_weights={"bronze": 0.6, "silver": 0.4},
        credit_weights={"A": 0.25, "BBB": 0.45, "BB": 0.3},
        strategic_share=0.02,
        parent_share=0.0,
        ftl_threshold_kg=2500,
        value_added_share=0.0,
        cancel_rate=0.03,
        category_affinity={
            "beverages": 0.5,
            "dairy": 0.1,
            "frozen_foods": 0.05,
            "household": 0.8,
            "personal_care": 1.5,
            "electronics": 2.0,
            "toys_games": 1.5,
            "garden_diy": 0.8,
        },
    ),
    Archetype(
        name="seasonal_retailer",
        share=0.20,
        orders_per_month=2.0,
        lines_mean=4,
        qty_median=15,
        qty_sigma=0.6,
        case_pack_orders=False,
        expedited_share=(0.05, 0.12),
        return_rate=(0.02, 0.05),
        discount_pct=(3, 8),
        payment_terms=(30, 45),
        late_payer_share=0.2,
        late_days=(3, 20),
        season="retail_peaks",
        channel_weights={"retail": 1.0},
        order_channel_weights={"edi": 0.35, "portal": 0.4, "email": 0.2, "phone": 0.05},
        sla_weights={"silver": 0.6, "gold": 0.4},
        credit_weights={"A": 0.4, "BBB": 0.45, "BB": 0.15},
        strategic_share=0.1,
        parent_share=0.0,
        ftl_threshold_kg=2500,
        value_added_share=0.0,
        cancel_rate=0.02,
        category_affinity={
            "beverages": 0.6,
            "dairy": 0.2,
            "frozen_foods": 0.2,
            "household": 0.6,
            "personal_care": 0.8,
            "electronics": 1.5,
            "toys_games": 2.5,
            "garden_diy": 2.5,
        },
    ),
    Archetype(
        name="price_sensitive_wholesaler",
        share=0.20,
        orders_per_month=1.2,
        lines_mean=13,
        qty_median=35,
        qty_sigma=0.6,
        case_pack_orders=False,
        expedited_share=(0.02, 0.06),
        return_rate=(0.10, 0.20),
        discount_pct=(15, 30),
        payment_terms=(60, 90),
        late_payer_share=0.6,
        late_days=(5, 45),
        season="flat",
        channel_weights={"wholesale": 1.0},
        order_channel_weights={"email": 0.35, "phone": 0.25, "portal": 0.3, "edi": 0.1},
        sla_weights={"silver": 0.5, "bronze": 0.5},
        credit_weights={"BBB": 0.35, "BB": 0.4, "B": 0.25},
        strategic_share=0.05,
        parent_share=0.0,
        ftl_threshold_kg=2500,
        value_added_share=0.0,
        cancel_rate=0.02,
        category_affinity={
            "beverages": 1.2,
            "dairy": 0.8,
            "frozen_foods": 0.6,
            "household": 1.5,
            "electronics": 0.8,
            "toys_games": 0.8,
            "garden_diy": 1.2,
        },
    ),
    Archetype(
        name="distributor",
        share=0.16,
        orders_per_month=1.5,
        lines_mean=8,
        qty_median=100,
        qty_sigma=0.5,
        case_pack_orders=True,
        expedited_share=(0.0, 0.03),
        return_rate=(0.01, 0.03),
        discount_pct=(10, 14),
        payment_terms=(30, 45),
        late_payer_share=0.1,
        late_days=(2, 10),
        season="flat",
        channel_weights={"distributor": 1.0},
        order_channel_weights={"edi": 0.7, "portal": 0.2, "email": 0.1},
        sla_weights={"gold": 0.5, "silver": 0.5},
        credit_weights={"AA": 0.3, "A": 0.45, "BBB": 0.25},
        strategic_share=0.3,
        parent_share=0.0,
        ftl_threshold_kg=800,
        value_added_share=0.0,
        cancel_rate=0.01,
        category_affinity={"beverages": 1.5, "household": 1.3, "electronics": 0.7, "toys_games": 0.6},
    ),
)

#: Sigma of the per-customer lognormal value factor (drives the Pareto revenue curve).
CUSTOMER_VALUE_SIGMA = 0.8
#: Share of small_frequent orders with 1, 2, 3 lines.
SMALL_ORDER_LINE_PROBS = (0.55, 0.30, 0.15)

# ------------------------------------------------------------------------- products


@dataclass(frozen=True)
class Category:
    """A product category with its price, weight and handling profile."""

    name: str
    subcategories: tuple[str, ...]
    share: float
    cost_median: float
    weight_median_kg: float
    density_kg_m3: float
    handling: str
    shelf_life_days: tuple[int, int] | None
    season: str
    hazardous_subcategory: str | None = None
    high_value_min_cost: float | None = None


CATEGORIES: tuple[Category, ...] = (
    Category(
        "beverages", ("soft_drinks", "juices", "water", "coffee_tea"), 0.15, 1.4, 1.1, 850, "ambient", None, "summer"
    ),
    Category("dairy", ("milk", "cheese", "yogurt", "butter"), 0.06, 1.8, 0.6, 900, "chilled", (7, 60), "flat"),
    Category(
        "frozen_foods",
        ("ice_cream", "ready_meals", "vegetables", "seafood"),
        0.045,
        3.2,
        0.8,
        550,
        "frozen",
        (120, 540),
        "summer_mild",
    ),
    Category(
        "household",
        ("cleaning", "paper", "laundry", "kitchen"),
        0.16,
        2.6,
        1.2,
        400,
        "ambient",
        None,
        "flat",
        hazardous_subcategory="cleaning",
    ),
    Category(
        "personal_care",
        ("hair_care", "skin_care", "oral_care", "cosmetics"),
        0.15,
        3.0,
        0.3,
        500,
        "ambient",
        None,
        "flat",
    ),
    Category(
        "electronics",
        ("audio", "accessories", "small_appliances", "computing"),
        0.12,
        22.0,
        0.8,
        250,
        "ambient",
        None,
        "q4",
        high_value_min_cost=30.0,
    ),
    Category(
        "toys_games",
        ("toys", "board_games", "outdoor_play", "puzzles"),
        0.12,
        8.0,
        0.7,
        150,
        "ambient",
        None,
        "q4_strong",
    ),
    Category(
        "garden_diy",
        ("tools", "plants", "garden_chemicals", "outdoor_furniture"),
        0.155,
        7.0,
        2.5,
        300,
        "ambient",
        None,
        "spring",
        hazardous_subcategory="garden_chemicals",
    ),
)

#: Probability of each lifecycle stage, in LIFECYCLE_STAGES order.
LIFECYCLE_PROBS = (0.07, 0.13, 0.50, 0.18, 0.12)
#: Share of SKUs with erratic (lumpy) demand.
ERRATIC_SHARE = 0.15
#: Yearly price and cost inflation used to back-date prices.
YEARLY_INFLATION = 0.025

# ------------------------------------------------------------------ carriers and DCs


@dataclass(frozen=True)
class Carrier:
    """A carrier with its tariff (base + per kg) and on-time delivery rate."""

    name: str
    mode: str
    is_3pl: bool
    base_cost: float
    cost_per_kg: float
    on_time_rate: float


CARRIERS: tuple[Carrier, ...] = (
    Carrier("SwiftParcel", "parcel", False, 5.5, 0.85, 0.94),
    Carrier("EuroPost Express", "parcel", True, 4.8, 0.95, 0.87),
    Carrier("RoadLink Freight", "ltl", False, 42.0, 0.11, 0.91),
    Carrier("Continental Cargo", "ltl", True, 38.0, 0.12, 0.82),
    Carrier("TruckLine Haulage", "ftl", False, 620.0, 0.028, 0.95),
    Carrier("MegaHaul Logistics", "ftl", True, 560.0, 0.032, 0.88),
    Carrier("AirDash Courier", "expedited_air", False, 28.0, 3.2, 0.96),
    Carrier("FrostLine Reefer", "reefer", True, 110.0, 0.24, 0.90),
)

#: Planned transit days per mode (one more when leaving the DC's region).
TRANSIT_DAYS = {"parcel": 2, "ltl": 3, "ftl": 2, "expedited_air": 1, "reefer": 2}
#: Freight multiplier for shipments leaving the origin DC's region.
INTER_REGION_FREIGHT = 1.35
#: Freight multiplier for consolidated (shared-truck) shipments.
CONSOLIDATION_DISCOUNT = 0.85
#: Modes whose same-day shipments to one region are consolidated.
CONSOLIDATED_MODES = ("ltl", "reefer")
PARCEL_MAX_KG = 70.0
EXPEDITED_PARCEL_MAX_KG = 10.0


def dc_layout(n_dcs: int) -> list[tuple[str, str]]:
    """Return ``(dc_type, region)`` per DC: one national DC, cold-chain DCs, regionals."""
    n_cold = 0 if n_dcs < 3 else (2 if n_dcs >= 8 else 1)
    n_regional = n_dcs - 1 - n_cold
    regional_regions = ("north", "south", "east", "west")
    cold_regions = ("west", "east")
    layout = [("national", "central")]
    layout += [("regional", regional_regions[i % 4]) for i in range(n_regional)]
    layout += [("cold_chain", cold_regions[i % 2]) for i in range(n_cold)]
    return layout


# ------------------------------------------------------------------- history window


@dataclass(frozen=True)
class History:
    """The generated history: ``n_months`` full months ending with ``end_month``."""

    months: np.ndarray  # datetime64[M], one per history month

    @classmethod
    def from_end_month(cls, end_month: str, n_months: int) -> History:
        """Build the window from ``YYYY-MM`` (the last full month of history)."""
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", end_month):
            raise ValueError(f"end_month must look like YYYY-MM, got {end_month!r}")
        last = np.datetime64(end_month, "M")
        return cls(months=np.arange(last - (n_months - 1), last + 1))

    @property
    def n_months(self) -> int:
        return len(self.months)

    @property
    def start(self) -> np.datetime64:
        """First day of history (datetime64[D])."""
        return self.months[0].astype("datetime64[D]")

    @property
    def end(self) -> np.datetime64:
        """Last day of history (datetime64[D])."""
        return (self.months[-1] + 1).astype("datetime64[D]") - 1

    @property
    def end_ts(self) -> np.datetime64:
        """Last second of history (datetime64[s])."""
        return (self.end + 1).astype("datetime64[s]") - 1

    @property
    def days(self) -> np.ndarray:
        """Every day of history (datetime64[D])."""
        return np.arange(self.start, self.end + 1)

    def month_index(self, values: np.ndarray) -> np.ndarray:
        """0-based history month of each date/timestamp (may fall outside 0..n-1)."""
        return (values.astype("datetime64[M]") - self.months[0]).astype(np.int64)

    @property
    def calendar_month(self) -> np.ndarray:
        """Calendar month (0 = January) of each history month."""
        return (self.months.astype(np.int64) % 12).astype(np.int64)

    @property
    def week_anchor(self) -> np.datetime64:
        """The Monday on or before the first day of history."""
        return self.start - int(weekday(self.start))

    @property
    def n_weeks(self) -> int:
        """Number of Monday-based weeks from ``week_anchor`` covering the history."""
        return int((self.end - self.week_anchor).astype(np.int64) // 7 + 1)

    def week_index(self, values: np.ndarray) -> np.ndarray:
        """Monday-based week index of each date/timestamp relative to ``week_anchor``."""
        days = values.astype("datetime64[D]") - self.week_anchor
        return days.astype(np.int64) // 7

    @property
    def disruption_months(self) -> np.ndarray:
        """Indexes of the history months with the supplier disruption (mid-history)."""
        first = int(self.n_months * 0.45)
        length = max(2, self.n_months // 6)
        return np.arange(first, min(first + length, self.n_months))


def weekday(values: np.ndarray | np.datetime64) -> np.ndarray:
    """ISO weekday, 0 = Monday ... 6 = Sunday."""
    return (np.asarray(values).astype("datetime64[D]").astype(np.int64) + 3) % 7


# ------------------------------------------------------------------- random streams


class Streams:
    """Named, independent random generators derived from one seed.

    Each part of the model asks for its own stream, so adding draws in one part
    never shifts the random numbers of another.
    """

    def __init__(self, seed: int):
        self.seed = int(seed)

    def get(self, name: str) -> np.random.Generator:
        """Return a fresh generator for ``name`` (same seed + name -> same numbers)."""
        return np.random.default_rng([self.seed, zlib.crc32(name.encode("utf-8"))])
