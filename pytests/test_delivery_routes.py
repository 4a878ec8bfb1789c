"""The routing model's pure functions (models/marts/transport/delivery_routes.py,
loaded by file path) on small instances whose optimum is known: found here by
trying every assignment of stops to vehicles and every order of each route.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MODEL = Path(__file__).resolve().parents[1] / "models" / "marts" / "transport" / "delivery_routes.py"


def _load():
    """Import the model file by path, without leaving __pycache__ in models/."""
    spec = importlib.util.spec_from_file_location("transport_delivery_routes", MODEL)
    module = importlib.util.module_from_spec(spec)
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return module


routes = _load()

SETTINGS = dict(
    vehicles=2,
    refrigerated_vehicles=1,
    capacity_kg=100,
    speed_kmh=60,
    circuity=1.0,
    service_minutes=0,
    depot_open_minute=0,
    solution_limit=1000,
    time_limit_seconds=10,
)


def _stops(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "stop_id",
            "x_km",
            "y_km",
            "demand_kg",
            "window_start_minute",
            "window_end_minute",
            "requires_refrigeration",
        ],
    )


def _route_km(points: dict, route: tuple) -> float:
    path = [(0.0, 0.0), *[points[stop] for stop in route], (0.0, 0.0)]
    return sum(math.dist(a, b) for a, b in itertools.pairwise(path))


def _brute_force(stops: pd.DataFrame, vehicles: int, capacity: float, refrigerated: int) -> float:
    """The least total distance over every assignment of stops to vehicles and order of each
    route, under capacity, refrigeration and time windows (speed 60 km/h: 1 km = 1 minute)."""
    points = {row.stop_id: (row.x_km, row.y_km) for row in stops.itertuples()}
    rows = {row.stop_id: row for row in stops.itertuples()}

    def feasible(route: tuple, vehicle: int) -> bool:
        if sum(rows[stop].demand_kg for stop in route) > capacity:
            return False
        clock, here = 0.0, (0.0, 0.0)
        for stop in route:
            if rows[stop].requires_refrigeration and vehicle >= refrigerated:
                return False
            clock = max(clock + math.dist(here, points[stop]), rows[stop].window_start_minute)
            if clock > rows[stop].window_end_minute:
                return False
            here = points[stop]
        return True

    best = math.inf
    for assignment in itertools.product(range(vehicles), repeat=len(stops)):
        total = 0.0
        for vehicle in range(vehicles):
            members = [stop for stop, owner in zip(points, assignment) if owner == vehicle]
            options = [
                _route_km(points, order) for order in itertools.permutations(members) if feasible(order, vehicle)
            ]
            if not options:
                total = math.inf
                break
            total += min(options)
        best = min(best, total)
    return best


def _total_km(result: pd.DataFrame) -> float:
    return result.dropna(subset=["route_id"]).groupby("route_id")["route_distance_km"].first().sum()


def test_capacity_splits_the_stops_as_the_optimum_does():
    """Four stops of 40 kg on the corners of a 10 km square centred on the depot, two vehicles of
    100 kg (two stops each at most): each vehicle serves one side; the optimum is
    2 x (7.07 + 10 + 7.07) = 48.28 km."""
    stops = _stops(
        [
            ("A", 5, 5, 40, 0, 1440, False),
            ("B", 5, -5, 40, 0, 1440, False),
            ("C", -5, -5, 40, 0, 1440, False),
            ("D", -5, 5, 40, 0, 1440, False),
        ]
    )
    result = routes.solve_routes((0.0, 0.0), stops, **SETTINGS)
    assert (result["route_status"] == "routed").all()
    expected = _brute_force(stops, 2, 100, 1)
    assert expected == pytest.approx(2 * (2 * math.sqrt(50) + 10), abs=1e-9)
    assert _total_km(result) == pytest.approx(expected, abs=0.01)


def test_windows_and_refrigeration_reach_the_known_optimum():
    """Five stops with windows; E needs the refrigerated vehicle (vehicle 1). The solver's total
    equals the brute-force optimum, every routed arrival is inside its window and E rides the
    refrigerated vehicle."""
    stops = _stops(
        [
            ("A", 10, 0, 30, 0, 20, False),
            ("B", 20, 0, 30, 15, 60, False),
            ("C", 0, 15, 30, 30, 90, False),
            ("D", -10, 5, 30, 0, 1440, False),
            ("E", 5, -10, 20, 0, 40, True),
        ]
    )
    result = routes.solve_routes((0.0, 0.0), stops, **SETTINGS)
    assert (result["route_status"] == "routed").all()
    assert _total_km(result) == pytest.approx(_brute_force(stops, 2, 100, 1), abs=0.05)
    arrival = result["arrival_minute"].astype(float)
    assert ((arrival >= stops["window_start_minute"]) & (arrival <= stops["window_end_minute"])).all()
    assert result.loc[result["stop_id"] == "E", "route_id"].item() == "1"


def test_a_stop_no_vehicle_can_serve_is_reported_not_dropped():
    """A stop heavier than any vehicle stays in the output as not_routed, window not met."""
    stops = _stops([("A", 10, 0, 30, 0, 1440, False), ("HEAVY", 5, 5, 500, 0, 1440, False)])
    out = routes.build_routes(
        stops.assign(
            dc_id="DC1",
            route_date=pd.Timestamp("2025-01-02"),
            region_x_km=0.0,
            region_y_km=0.0,
            region_spread_km=0.0,
            depot_x_km=0.0,
            depot_y_km=0.0,
            window_start_hour=np.nan,
            window_end_hour=np.nan,
        ),
        {
            "vehicles": 2,
            "refrigerated_vehicles": 0,
            "capacity_kg": 100,
            "speed_kmh": 60,
            "circuity": 1.0,
            "service_minutes": 0,
            "depot_open_hour": 0,
            "solution_limit": 100,
            "time_limit_seconds": 5,
        },
    )
    assert len(out) == 2
    heavy = out.loc[out["stop_id"] == "HEAVY"].iloc[0]
    assert heavy["route_status"] == "not_routed" and not heavy["is_window_met"]
    light = out.loc[out["stop_id"] == "A"].iloc[0]
    assert light["route_status"] == "routed" and light["is_window_met"]


def test_stop_locations_are_fixed_and_inside_the_region():
    first = routes.stop_location("C000123", 100.0, -50.0, 60.0)
    assert first == routes.stop_location("C000123", 100.0, -50.0, 60.0)
    assert math.dist(first, (100.0, -50.0)) <= 60.0
    assert first != routes.stop_location("C000124", 100.0, -50.0, 60.0)
