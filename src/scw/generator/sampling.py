"""Small vectorised sampling and array helpers shared by the generator modules."""

from __future__ import annotations

import numpy as np
import pandas as pd


def probs_for(weights: dict[str, float], values: tuple[str, ...]) -> np.ndarray:
    """Turn ``{value: weight}`` into a probability vector aligned with ``values``."""
    unknown = set(weights) - set(values)
    if unknown:
        raise ValueError(f"weights for unknown values: {sorted(unknown)}")
    p = np.array([weights.get(v, 0.0) for v in values], dtype=float)
    return p / p.sum()


def choose_per_group(rng: np.random.Generator, group: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Draw a category index per element; ``probs[g]`` is the distribution of group ``g``."""
    out = np.zeros(len(group), dtype=np.int64)
    for g in range(probs.shape[0]):
        idx = np.flatnonzero(group == g)
        if len(idx):
            out[idx] = rng.choice(probs.shape[1], size=len(idx), p=probs[g])
    return out


def uniform(rng: np.random.Generator, low, high, size: int | None = None) -> np.ndarray:
    """Uniform draws between per-element bounds ``low`` and ``high``."""
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    n = size if size is not None else np.broadcast(low, high).shape[0]
    return low + rng.random(n) * (high - low)


def seconds(values) -> np.ndarray:
    """Convert a number (or array) of seconds to ``timedelta64[s]``."""
    return np.asarray(np.round(values), dtype=np.int64).astype("timedelta64[s]")


def hours(values) -> np.ndarray:
    """Convert hours (float) to ``timedelta64[s]``."""
    return seconds(np.asarray(values, dtype=float) * 3600.0)


def days(values) -> np.ndarray:
    """Convert whole days to ``timedelta64[D]``."""
    return np.asarray(values, dtype=np.int64).astype("timedelta64[D]")


def rank_within_runs(keys: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal consecutive ``keys``."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.ones(n, dtype=bool)
    starts[1:] = keys[1:] != keys[:-1]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - run_start


def first_of_runs(keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the first element of each run of equal consecutive ``keys``."""
    mask = np.ones(len(keys), dtype=bool)
    mask[1:] = keys[1:] != keys[:-1]
    return mask


def round_money(values) -> np.ndarray:
    """Round money to whole cents."""
    return np.round(np.asarray(values, dtype=float), 2)


def lookup(values: np.ndarray, mapping: dict) -> np.ndarray:
    """Map each element of ``values`` through ``mapping`` (vectorised dict lookup)."""
    return pd.Series(values, dtype=object).map(mapping).to_numpy(dtype=float)
