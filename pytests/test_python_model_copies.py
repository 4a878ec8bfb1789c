"""The helpers the dbt Python models repeat are fenced and identical.

A dbt Python model is one self-contained file (it runs on Databricks or
Snowflake, where it cannot import this package), so a helper two models need
is copied into both. Each copy sits between

    # --- shared helper <name> (identical copies: pytests/test_python_model_copies.py) ---
    # --- end of shared helper <name> ---

and every copy of a name must be the same text. A function defined in more
than one model outside such a fence fails too: a new copy must be fenced.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(
    r"^# --- shared helper (?P<name>\w+) \(identical copies: pytests/test_python_model_copies\.py\) ---\n"
    r"(?P<body>.*?)"
    r"^# --- end of shared helper (?P=name) ---$",
    re.MULTILINE | re.DOTALL,
)


def fenced_helpers(files: list[Path]) -> dict[str, dict[Path, str]]:
    """name -> {file: text between its fences}."""
    found: dict[str, dict[Path, str]] = {}
    for path in files:
        for match in FENCE.finditer(path.read_text()):
            found.setdefault(match["name"], {})[path] = match["body"]
    return found


def problems(files: list[Path]) -> list[str]:
    """Fenced copies that differ, and functions repeated across files without a fence."""
    found = fenced_helpers(files)
    issues = [
        f"{name}: the copies in {', '.join(sorted(path.name for path in copies))} differ"
        for name, copies in sorted(found.items())
        if len(set(copies.values())) > 1
    ]
    defined: dict[str, list[Path]] = {}
    for path in files:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name != "model":
                defined.setdefault(node.name, []).append(path)
    for name, paths in sorted(defined.items()):
        if len(paths) > 1:
            unfenced = [path.name for path in paths if path not in found.get(name, {})]
            if unfenced:
                issues.append(f"{name}: repeated in {', '.join(path.name for path in paths)}, not fenced in {unfenced}")
    return issues


def _python_models() -> list[Path]:
    return sorted((REPO / "models").rglob("*.py"))


def test_repeated_helpers_are_fenced_and_identical():
    files = _python_models()
    assert problems(files) == []
    found = fenced_helpers(files)
    # the helpers known to be shared today, each in every model that uses it
    assert {name: len(copies) for name, copies in found.items()} == {
        "_to_pandas": 4,
        "_typed": 2,
        "normal_loss": 2,
        "protection_demand_sd": 2,
        "safety_factor_fill_rate": 2,
    }


def test_a_changed_copy_or_an_unfenced_copy_is_caught(tmp_path):
    policies = (REPO / "models/marts/inventory/inventory_policies.py").read_text()
    scenarios = (REPO / "models/marts/inventory/inventory_policy_scenarios.py").read_text()
    # one copy of normal_loss edited: the copies differ
    edited = scenarios.replace("def normal_loss(k):", "def normal_loss(k):\n    k = k + 0.0", 1)
    assert edited != scenarios
    (tmp_path / "a.py").write_text(policies)
    (tmp_path / "b.py").write_text(edited)
    assert any(
        issue.startswith("normal_loss: the copies") for issue in problems([tmp_path / "a.py", tmp_path / "b.py"])
    )
    # a third file repeats normal_loss without the fence
    unfenced = "def normal_loss(k):\n    return k\n"
    (tmp_path / "c.py").write_text(unfenced)
    issues = problems([tmp_path / "a.py", tmp_path / "c.py"])
    assert any(issue.startswith("normal_loss: repeated") and "c.py" in issue for issue in issues)


def test_the_plugin_preloads_every_scientific_import_of_the_models():
    """The dbt-duckdb plugin imports, before the model threads start, every
    scipy and scikit-learn module a Python model imports (a model importing
    another one would race in two threads again)."""
    import re

    from scw.dbt_duckdb_plugin import MODEL_IMPORTS

    imported = set()
    for path in _python_models():
        imported |= set(re.findall(r"^from ((?:scipy|sklearn)[\w.]*) import", path.read_text(), re.MULTILINE))
        imported |= set(re.findall(r"^import ((?:scipy|sklearn)[\w.]*)", path.read_text(), re.MULTILINE))
    assert imported and imported <= set(MODEL_IMPORTS), imported - set(MODEL_IMPORTS)


def test_only_commands_that_run_models_preload_the_imports():
    """build and run execute Python models and preload their imports; a dbt
    command that runs none (test, run-operation, seed, parse) skips the
    imports, and SCW_PRELOAD_MODEL_IMPORTS=0 skips them always."""
    from scw.dbt_duckdb_plugin import preload_wanted

    assert preload_wanted("build", None) and preload_wanted("run", "1") and preload_wanted(None, None)
    for command in ("test", "run-operation", "seed", "parse", "compile", "snapshot", "list"):
        assert not preload_wanted(command, None), command
    assert not preload_wanted("build", "0")


def test_the_sql_list_of_clustering_features_is_the_python_models():
    """macros/governance/segmentation_logic.sql lists the clustering features
    for the decision log and the drift marts; int_customers__clusters.py's
    FEATURES is the list the clustering uses. They must be the same, in the
    same order."""
    model = REPO / "models/intermediate/segmentation/customers/int_customers__clusters.py"
    tree = ast.parse(model.read_text())
    python_features = next(
        list(ast.literal_eval(node.value).keys())
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "FEATURES"
    )
    macro = (REPO / "macros/governance/segmentation_logic.sql").read_text()
    body = macro[macro.index("macro customer_clustering_features()") :]
    body = body[: body.index("endmacro")]
    assert re.findall(r"'(\w+)'", body) == python_features
