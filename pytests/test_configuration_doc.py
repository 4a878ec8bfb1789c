"""docs/configuration.md documents every var of dbt_project.yml with its default.

dbt_project.yml holds the vars one line each; what each one sets is in
docs/configuration.md, one table row per var or group of vars. The test
fails on a var missing from the page, a row naming a var that is gone,
and a default on the page that differs from the file's.
"""

from __future__ import annotations

import json
import re

import yaml
from dbt_project_runner import REPO

DOC = REPO / "docs" / "configuration.md"
LONG = "(see dbt_project.yml)"


def shown(value) -> str:
    """A default as the page writes it (long lists and maps are referred to the file)."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value)
    return text if len(text) <= 40 else LONG


def documented_defaults(doc: str) -> dict[str, str]:
    """var -> default of every table row of the page."""
    rows = {}
    for line in doc.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([^`]+)`", cells[0])
        defaults = re.findall(r"`([^`]*)`", cells[1])
        assert len(names) == len(defaults), line
        rows.update(zip(names, defaults, strict=True))
    return rows


def problems(variables: dict, doc: str) -> list[str]:
    rows = documented_defaults(doc)
    found = [f"{name}: not in docs/configuration.md" for name in variables if name not in rows]
    found += [f"{name}: on the page but not a var" for name in rows if name not in variables]
    found += [
        f"{name}: default {rows[name]!r} on the page, {shown(value)!r} in dbt_project.yml"
        for name, value in variables.items()
        if name in rows and rows[name] != shown(value)
    ]
    return found


def test_every_var_is_documented_with_its_default():
    variables = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
    assert problems(variables, DOC.read_text()) == []
    assert len(variables) > 100


def test_a_missing_stale_or_changed_var_is_caught():
    doc = "| var | default | what |\n|---|---|---|\n| `a`<br>`b` | `1`<br>`x` | two |\n| `gone` | `null` | old |\n"
    found = problems({"a": 2, "b": "x", "new": None}, doc)
    assert found == [
        "new: not in docs/configuration.md",
        "gone: on the page but not a var",
        "a: default '1' on the page, '2' in dbt_project.yml",
    ]
