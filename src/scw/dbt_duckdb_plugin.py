"""The project's dbt-duckdb plugin (``plugins`` of the duckdb target in profiles.yml).

DuckDB resolves a relative file path when a query reads it, against the
working directory of the process that queries. The raw extracts are
registered as views (macros/sources/register_raw_extracts.sql), so a view
over ``data/raw/<table>.parquet`` would read another file, or none, when the
warehouse (or its published copy) is opened from another directory. SQL has
no way to ask for the working directory: this plugin gives every connection
of a dbt run the session variable ``scw_working_directory`` (dbt's working
directory), and the macro makes a relative extract path absolute with it.

It also registers the file checks of ``scw.extract_files`` as scalar
functions, which the hook calls to name a file that is not Parquet or a CSV
row with the wrong number of fields before DuckDB fails on it.

And it imports what the dbt Python models import (scipy, scikit-learn)
once, when dbt loads the plugin, before any model thread starts: two Python
models starting at once in a fresh dbt process would otherwise import scipy
in two threads, and scipy's lazily loaded submodules then fail with
"cannot import name ... from partially initialized module". A daily
``scw refresh`` runs no Python model (they are all tagged ``periodic``;
pytests/test_refresh.py checks what a daily run runs) and sets
``SCW_PRELOAD_MODEL_IMPORTS=0`` to skip the imports, one to two seconds of
every run. Nor do the dbt commands that run no model (``test``, ``seed``,
``run-operation``, ``parse``, ``compile``, ...) import them: only ``build``
and ``run`` execute Python models.
"""

from __future__ import annotations

import importlib
import os

from dbt.adapters.duckdb.plugins import BasePlugin

from scw.extract_files import csv_field_count_problem, csv_read_problem, parquet_file_problem

VARIABLE = "scw_working_directory"
#: environment variable: "0" skips preload_model_imports (a run without Python models)
PRELOAD_SWITCH = "SCW_PRELOAD_MODEL_IMPORTS"
#: what the Python models of models/ import from scipy and scikit-learn
MODEL_IMPORTS = ("scipy.special", "scipy.stats", "scipy.cluster.hierarchy", "sklearn.cluster", "sklearn.metrics")


#: the dbt commands that execute models, Python models among them
MODEL_COMMANDS = ("build", "run")


def preload_wanted(command: str | None, switch: str | None) -> bool:
    """Whether a dbt ``command`` (dbt's flag WHICH) needs the Python models' imports."""
    if switch == "0":
        return False
    # unknown command (dbt run programmatically without flags): preload
    return command is None or command in MODEL_COMMANDS


def _dbt_command() -> str | None:
    try:
        from dbt.flags import get_flags

        return getattr(get_flags(), "WHICH", None)
    except Exception:  # noqa: BLE001 - no flags: behave as a build
        return None


def preload_model_imports() -> None:
    """Import the Python models' scientific modules in the calling (main) thread."""
    for name in MODEL_IMPORTS:
        importlib.import_module(name)


def _set_working_directory(connection) -> None:
    connection.execute(f"set variable {VARIABLE} = ?", [os.getcwd()])


class Plugin(BasePlugin):
    """Sets ``getvariable('scw_working_directory')`` on the connection and every cursor; registers the file checks."""

    def initialize(self, plugin_config) -> None:
        if preload_wanted(_dbt_command(), os.environ.get(PRELOAD_SWITCH)):
            preload_model_imports()

    def configure_connection(self, conn) -> None:
        _set_working_directory(conn)
        conn.create_function(
            "scw_parquet_file_problem", parquet_file_problem, ["VARCHAR"], "VARCHAR", null_handling="special"
        )
        conn.create_function(
            "scw_csv_read_problem", csv_read_problem, ["VARCHAR", "VARCHAR"], "VARCHAR", null_handling="special"
        )
        conn.create_function(
            "scw_csv_field_count_problem",
            csv_field_count_problem,
            ["VARCHAR", "VARCHAR"],
            "VARCHAR",
            null_handling="special",
        )

    def configure_cursor(self, cursor) -> None:
        _set_working_directory(cursor)
