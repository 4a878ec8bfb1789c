"""Deterministic demo-data generator for the supply chain cost-to-serve warehouse.

``generate`` writes the 14 source tables of the input contract (Parquet or
CSV), the finance dbt seeds and the ground truth (customer archetypes,
injected defects, generation manifest). See ``contract.py`` for the table
layout and ``config.py`` for scales and behavioural parameters.
"""

from .config import SCALES
from .pipeline import generate

__all__ = ["SCALES", "generate"]
