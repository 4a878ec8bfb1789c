"""Delivery routes of one DC and day: a vehicle-routing problem solved with OR-Tools.

A dbt Python model (self-contained: pandas, numpy and ortools, so the same file
runs on an engine that ships just the model file and has ortools installed).
It reads the day's stops of ``delivery_route_stops`` (one row per customer, at
most a few hundred: never a per-line table) and returns one row per stop
(grain dc_id, route_date, stop_id).

The problem (a capacitated VRP with time windows and vehicle types):

- a depot at the DC (its region's centre, ``depot_x_km``, ``depot_y_km``);
  vehicles leave it from ``depot_open_hour`` and return by midnight;
- a stop per customer with its demand in kg, its delivery window in hours
  (the tightest of its policies; the whole day when it has none) and a fixed
  service time of ``service_minutes``;
- ``vehicles`` vehicles of ``capacity_kg``, of which the first
  ``refrigerated_vehicles`` are refrigerated: a stop that needs the cold chain
  may only be served by one of those;
- travel distance = straight-line km x ``circuity``, travel time = distance /
  ``speed_kmh``; the objective is the total distance.

Stop locations: the extracts carry no customer address, so a stop is placed
at its region's centre plus a fixed offset within the region's spread, drawn
from the MD5 hash of its id (``stop_location``): the same customer always
lands on the same spot, so routes are reproducible. A user with real
coordinates replaces ``stop_location``'s input with them.

Search: OR-Tools' routing solver, first solution by the cheapest arc, then
guided local search, stopped after ``solution_limit`` improving solutions or
``time_limit_seconds``, whichever comes first (with the solution limit
reached first, the result does not depend on the machine's speed). A stop
the solver cannot fit (capacity, windows, no refrigerated vehicle) is left
unrouted with a large penalty, and reported: ``route_status`` not_routed,
``is_window_met`` false. A routed stop's arrival lies within its window by
construction; ``is_window_met`` checks it again on the solution.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

#: Penalty (in metres of the objective) for leaving a stop unrouted: far above any route.
DROP_PENALTY = 10**9
MINUTES_PER_DAY = 24 * 60

#: Output columns and their pandas types (ids, strings, numerics, booleans, dates).
OUTPUT_COLUMNS = {
    "dc_id": "string",
    "stop_id": "string",
    "route_id": "string",
    "vehicle_type": "string",
    "route_status": "string",
    "stop_sequence": "Int64",
    "demand_kg": "float64",
    "x_km": "float64",
    "y_km": "float64",
    "window_start_minute": "Int64",
    "window_end_minute": "Int64",
    "arrival_minute": "Int64",
    "leg_distance_km": "float64",
    "route_distance_km": "float64",
    "requires_refrigeration": "bool",
    "is_window_met": "bool",
    "route_date": "date",
}


def stop_location(stop_id: str, centre_x: float, centre_y: float, spread_km: float) -> tuple[float, float]:
    """A fixed point within ``spread_km`` of the region's centre, from the MD5 of the stop id:
    angle = 2 pi u1, radius = spread sqrt(u2) (uniform over the disc), u1 and u2 from the digest."""
    digest = hashlib.md5(str(stop_id).encode("utf-8")).digest()
    u1 = int.from_bytes(digest[:4], "big") / 2**32
    u2 = int.from_bytes(digest[4:8], "big") / 2**32
    radius = spread_km * math.sqrt(u2)
    return centre_x + radius * math.cos(2 * math.pi * u1), centre_y + radius * math.sin(2 * math.pi * u1)


def distance_matrix_km(points: np.ndarray, circuity: float) -> np.ndarray:
    """Road distance between every pair of points (km): Euclidean distance x circuity."""
    delta = points[:, None, :] - points[None, :, :]
    return np.sqrt((delta**2).sum(axis=2)) * circuity


def solve_routes(
    depot: tuple[float, float],
    stops: pd.DataFrame,
    *,
    vehicles: int,
    refrigerated_vehicles: int,
    capacity_kg: float,
    speed_kmh: float,
    circuity: float,
    service_minutes: int,
    depot_open_minute: int,
    solution_limit: int,
    time_limit_seconds: int,
) -> pd.DataFrame:
    """Route ``stops`` (columns stop_id, x_km, y_km, demand_kg, window_start_minute,
    window_end_minute, requires_refrigeration) from ``depot``.

    Returns one row per stop: route_id (vehicle number, 1-based; null when not routed),
    vehicle_type, route_status, stop_sequence, arrival_minute, leg_distance_km (from the
    previous point of the route) and route_distance_km (the whole route, back to the depot)."""
    stops = stops.reset_index(drop=True)
    n = len(stops)
    result = stops.copy()
    for column in ("route_id", "vehicle_type", "stop_sequence", "arrival_minute", "leg_distance_km"):
        result[column] = None
    result["route_distance_km"] = np.nan
    result["route_status"] = "not_routed"
    if n == 0 or vehicles <= 0:
        return result

    points = np.vstack([np.array([depot], dtype=float), stops[["x_km", "y_km"]].to_numpy(dtype=float)])
    distance_km = distance_matrix_km(points, circuity)
    metres = np.rint(distance_km * 1000).astype(np.int64)
    travel_minutes = np.rint(distance_km / speed_kmh * 60).astype(np.int64)
    service = np.array([0] + [int(service_minutes)] * n, dtype=np.int64)
    demand = np.concatenate([[0], np.ceil(stops["demand_kg"].to_numpy(dtype=float)).astype(np.int64)])

    manager = pywrapcp.RoutingIndexManager(n + 1, int(vehicles), 0)
    routing = pywrapcp.RoutingModel(manager)

    def distance_callback(from_index: int, to_index: int) -> int:
        return int(metres[manager.IndexToNode(from_index), manager.IndexToNode(to_index)])

    def time_callback(from_index: int, to_index: int) -> int:
        origin, target = manager.IndexToNode(from_index), manager.IndexToNode(to_index)
        return int(service[origin] + travel_minutes[origin, target])

    def demand_callback(from_index: int) -> int:
        return int(demand[manager.IndexToNode(from_index)])

    distance_index = routing.RegisterTransitCallback(distance_callback)
    routing.SetArcCostEvaluatorOfAllVehicles(distance_index)
    demand_index = routing.RegisterUnaryTransitCallback(demand_callback)
    routing.AddDimensionWithVehicleCapacity(
        demand_index, 0, [int(math.floor(capacity_kg))] * int(vehicles), True, "load"
    )
    time_index = routing.RegisterTransitCallback(time_callback)
    routing.AddDimension(time_index, MINUTES_PER_DAY, MINUTES_PER_DAY, False, "time")
    time_dimension = routing.GetDimensionOrDie("time")

    refrigerated = list(range(min(int(refrigerated_vehicles), int(vehicles))))
    for vehicle in range(int(vehicles)):
        time_dimension.CumulVar(routing.Start(vehicle)).SetRange(int(depot_open_minute), MINUTES_PER_DAY)
        time_dimension.CumulVar(routing.End(vehicle)).SetRange(int(depot_open_minute), MINUTES_PER_DAY)
    for position, stop in stops.iterrows():
        index = manager.NodeToIndex(position + 1)
        start = max(int(stop["window_start_minute"]), int(depot_open_minute))
        end = max(int(stop["window_end_minute"]), start)
        time_dimension.CumulVar(index).SetRange(start, end)
        if bool(stop["requires_refrigeration"]):
            routing.VehicleVar(index).SetValues([-1, *refrigerated])
        routing.AddDisjunction([index], DROP_PENALTY)

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.solution_limit = int(solution_limit)
    parameters.time_limit.FromSeconds(int(time_limit_seconds))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return result

    for vehicle in range(int(vehicles)):
        index = routing.Start(vehicle)
        previous_node = 0
        sequence = 0
        visited: list[int] = []
        route_km = 0.0
        while not routing.IsEnd(index):
            index = solution.Value(routing.NextVar(index))
            node = manager.IndexToNode(index)
            route_km += distance_km[previous_node, node]
            if node != 0:
                sequence += 1
                row = node - 1
                visited.append(row)
                result.loc[row, "route_id"] = str(vehicle + 1)
                result.loc[row, "vehicle_type"] = "refrigerated" if vehicle in refrigerated else "ambient"
                result.loc[row, "route_status"] = "routed"
                result.loc[row, "stop_sequence"] = sequence
                result.loc[row, "arrival_minute"] = solution.Value(time_dimension.CumulVar(index))
                result.loc[row, "leg_distance_km"] = distance_km[previous_node, node]
            previous_node = node
        for row in visited:
            result.loc[row, "route_distance_km"] = route_km
    return result


def build_routes(stops: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """The routes of the stops of ``delivery_route_stops`` under the ``delivery_routing`` settings."""
    frame = stops.copy()
    if frame.empty:
        return _typed(pd.DataFrame(columns=list(OUTPUT_COLUMNS)))
    locations = [
        stop_location(row.stop_id, row.region_x_km, row.region_y_km, row.region_spread_km) for row in frame.itertuples()
    ]
    frame["x_km"] = [location[0] for location in locations]
    frame["y_km"] = [location[1] for location in locations]
    open_minute = int(float(settings["depot_open_hour"]) * 60)
    start_hours = pd.to_numeric(frame["window_start_hour"], errors="coerce")
    end_hours = pd.to_numeric(frame["window_end_hour"], errors="coerce")
    frame["window_start_minute"] = (start_hours * 60).fillna(open_minute).astype(int)
    frame["window_end_minute"] = (end_hours * 60).fillna(MINUTES_PER_DAY).astype(int)
    frame["requires_refrigeration"] = frame["requires_refrigeration"].fillna(False).astype(bool)
    depot = (float(frame["depot_x_km"].iloc[0]), float(frame["depot_y_km"].iloc[0]))
    routed = solve_routes(
        depot,
        frame,
        vehicles=int(settings["vehicles"]),
        refrigerated_vehicles=int(settings["refrigerated_vehicles"]),
        capacity_kg=float(settings["capacity_kg"]),
        speed_kmh=float(settings["speed_kmh"]),
        circuity=float(settings["circuity"]),
        service_minutes=int(settings["service_minutes"]),
        depot_open_minute=open_minute,
        solution_limit=int(settings["solution_limit"]),
        time_limit_seconds=int(settings["time_limit_seconds"]),
    )
    arrival = pd.to_numeric(routed["arrival_minute"], errors="coerce")
    routed["is_window_met"] = (
        (routed["route_status"] == "routed")
        & (arrival >= routed["window_start_minute"])
        & (arrival <= routed["window_end_minute"])
    )
    return _typed(routed.reset_index(drop=True))


# --- shared helper _typed (identical copies: pytests/test_python_model_copies.py) ---
def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The output columns in order with their types (dates as datetime.date -> SQL date)."""
    out = pd.DataFrame(index=frame.index)
    for column, kind in OUTPUT_COLUMNS.items():
        values = frame[column]
        if kind == "date":
            out[column] = pd.to_datetime(values).dt.date
        elif kind == "bool":
            out[column] = values.fillna(False).astype(bool)
        elif kind == "Int64":
            out[column] = pd.to_numeric(values, errors="coerce").round().astype("Int64")
        elif kind == "string":
            out[column] = values.astype("string")
        else:
            out[column] = pd.to_numeric(values, errors="coerce").astype(kind)
    return out


# --- end of shared helper _typed ---


# --- shared helper _to_pandas (identical copies: pytests/test_python_model_copies.py) ---
def _to_pandas(relation) -> pd.DataFrame:
    """A pandas DataFrame from whatever the engine's dbt.ref returns."""
    for attribute in ("df", "to_pandas", "toPandas"):
        if hasattr(relation, attribute):
            return getattr(relation, attribute)()
    return pd.DataFrame(relation)


# --- end of shared helper _to_pandas ---


def model(dbt, session):
    dbt.config(materialized="table")
    stops = _to_pandas(dbt.ref("delivery_route_stops"))
    # dbt parses config keys as literals: one call each
    settings = {
        "vehicles": dbt.config.get("vehicles"),
        "refrigerated_vehicles": dbt.config.get("refrigerated_vehicles"),
        "capacity_kg": dbt.config.get("capacity_kg"),
        "speed_kmh": dbt.config.get("speed_kmh"),
        "circuity": dbt.config.get("circuity"),
        "service_minutes": dbt.config.get("service_minutes"),
        "depot_open_hour": dbt.config.get("depot_open_hour"),
        "solution_limit": dbt.config.get("solution_limit"),
        "time_limit_seconds": dbt.config.get("time_limit_seconds"),
    }
    return build_routes(stops, settings)
