"""The folder tree shows the architecture (docs/architecture.md, "Where things live").

Checked on the files, without a build:
- one property file per folder, named after the folder:
  ``_<folder>__models.yml`` under models/ (``_<folder>__sources.yml`` beside
  it where the folder declares sources), ``_<folder>__seeds.yml`` under
  seeds/, ``_<folder>__snapshots.yml`` under snapshots/;
- a unit test is declared in the property file of its model's folder (or,
  for a model in a subfolder without one, such as staging/erp/base/, of the
  nearest folder above it);
- a singular test sits in tests/<the folder of a model it reads>, so tests/
  mirrors models/ (generic tests live in tests/generic/).
Each check is a function run here on the project and on a planted breach.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
KINDS = {"models": ("models", "sources"), "seeds": ("seeds",), "snapshots": ("snapshots",)}


def property_file_problems(root: Path) -> list[str]:
    """Property files whose name breaks the pattern, and folders with two of a kind."""
    problems = []
    for top, kinds in KINDS.items():
        for path in sorted((root / top).rglob("*.yml")):
            folder = path.parent.name
            allowed = {f"_{folder}__{kind}.yml" for kind in kinds}
            if path.name not in allowed:
                problems.append(f"{path.relative_to(root)}: expected one of {sorted(allowed)}")
    return problems


def _model_folders(root: Path) -> dict[str, Path]:
    """Model name -> folder of its .sql or .py file."""
    return {path.stem: path.parent for pattern in ("*.sql", "*.py") for path in (root / "models").rglob(pattern)}


def _property_folder(folder: Path, root: Path) -> Path | None:
    """The nearest folder at or above ``folder`` (within models/) with a property file."""
    while folder != root.parent:
        if any(folder.glob("_*.yml")):
            return folder
        folder = folder.parent
    return None


def unit_test_problems(root: Path) -> list[str]:
    """Unit tests declared outside the folder of the model they test."""
    folders = _model_folders(root)
    problems = []
    for path in sorted((root / "models").rglob("*.yml")):
        for unit_test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []) or []:
            model = unit_test["model"]
            if model not in folders or _property_folder(folders[model], root / "models") != path.parent:
                problems.append(f"unit test {unit_test['name']} of {model} is in {path.relative_to(root)}")
    return problems


#: a model named in a singular test: by ref(), or as a quoted name that a
#: loop passes to ref()
NAMED = re.compile(r"""['"](\w+)['"]""")


def singular_test_problems(root: Path) -> list[str]:
    """Singular tests not in tests/<folder of a model they read>."""
    folders = _model_folders(root)
    problems = []
    for path in sorted((root / "tests").rglob("*.sql")):
        relative = path.parent.relative_to(root / "tests")
        if relative.parts[:1] == ("generic",):
            continue
        named = NAMED.findall(path.read_text())
        read = {folders[name].relative_to(root / "models") for name in named if name in folders}
        if relative not in read:
            problems.append(
                f"{path.relative_to(root)} reads models of {sorted(str(folder) for folder in read)}, not of {relative}"
            )
    return problems


def test_property_files_are_named_after_their_folder():
    assert property_file_problems(REPO) == []


def test_unit_tests_sit_beside_their_models():
    assert unit_test_problems(REPO) == []


def test_singular_tests_mirror_the_model_tree():
    assert singular_test_problems(REPO) == []


def test_the_checks_find_planted_breaches(tmp_path):
    """A hand-made tree with one breach of each rule: each check names it, and only it."""
    orders = tmp_path / "models" / "marts" / "core"
    orders.mkdir(parents=True)
    (orders / "fct_orders.sql").write_text("select 1 as order_id")
    (orders / "_core__models.yml").write_text("version: 2\n")
    costs = tmp_path / "models" / "marts" / "cost_to_serve"
    costs.mkdir(parents=True)
    (costs / "order_costs.sql").write_text("select * from {{ ref('fct_orders') }}")
    # a second naming pattern, holding a unit test of a model of another folder
    (costs / "_cost_to_serve__unit_tests.yml").write_text(
        "version: 2\nunit_tests:\n  - name: orders_example\n    model: fct_orders\n"
        "  - name: costs_example\n    model: order_costs\n"
    )
    for folder in ("seeds/reference", "snapshots"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "seeds" / "reference" / "_reference__seeds.yml").write_text("version: 2\n")
    (tmp_path / "snapshots" / "_snapshots__snapshots.yml").write_text("version: 2\n")
    tests = tmp_path / "tests"
    (tests / "marts" / "cost_to_serve").mkdir(parents=True)
    (tests / "generic").mkdir()
    (tests / "generic" / "is_positive.sql").write_text("{% test is_positive(model) %}select 1{% endtest %}")
    (tests / "marts" / "cost_to_serve" / "assert_costs_tie.sql").write_text(
        "select * from {{ ref( 'order_costs' ) }} join {{ ref('fct_orders') }} using (order_id)"
    )
    (tests / "finance").mkdir()
    (tests / "finance" / "assert_orders_positive.sql").write_text("select * from {{ ref('fct_orders') }}")

    assert property_file_problems(tmp_path) == [
        "models/marts/cost_to_serve/_cost_to_serve__unit_tests.yml:"
        " expected one of ['_cost_to_serve__models.yml', '_cost_to_serve__sources.yml']"
    ]
    assert unit_test_problems(tmp_path) == [
        "unit test orders_example of fct_orders is in models/marts/cost_to_serve/_cost_to_serve__unit_tests.yml"
    ]
    assert singular_test_problems(tmp_path) == [
        "tests/finance/assert_orders_positive.sql reads models of ['marts/core'], not of finance"
    ]
