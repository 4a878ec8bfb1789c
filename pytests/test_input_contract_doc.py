"""The input contract cannot drift: docs/input_contract.md, the sources YAML and the staging SQL agree.

The sources YAML (models/staging/*/_*__sources.yml) declares the contract;
``scw contract-doc`` writes the reference part of docs/input_contract.md from
it. These tests regenerate that part in memory and compare it with the file,
and compare what the YAML declares (types, keys, required values,
enumerations) with what staging does: the casts of
macros/staging/typed_extracts.sql (or of the base model's ``typed`` CTE for a
table without a typed_<table> macro) and the dq rules and normalize_enum
calls of the base models. Fast: no dbt run.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from pathlib import Path

import pytest

from scw.contract_doc import (
    BEGIN,
    END,
    TYPES,
    ContractError,
    ContractTable,
    load_contract,
    regenerate,
    splice,
)
from scw.generator.contract import KEYS, TABLES

ROOT = Path(__file__).resolve().parents[1]
TYPED_EXTRACTS = ROOT / "macros/staging/typed_extracts.sql"
BASE_MODELS = sorted(ROOT.glob("models/staging/*/base/base_*.sql"))

#: cast macro -> the data_type it produces
CAST_TYPE = {macro: data_type for data_type, (macro, _, _) in TYPES.items()}
CAST_CALL = re.compile(r"\b(cast_[a-z]+)\(\s*'(\w+)'\s*\)")
ENUM_CALL = re.compile(r"normalize_enum\(\s*cast_text\(\s*'(\w+)'\s*\)\s*,\s*'(\w+)'\s*\)")
TYPED_MACRO = re.compile(r"\{%-?\s*macro\s+typed_(\w+)\([^)]*\)\s*-?%\}(.*?)\{%-?\s*endmacro\s*-?%\}", re.DOTALL)
TYPED_CTE = re.compile(r"^typed as \(\n(.*?)\n\)", re.DOTALL | re.MULTILINE)


def _names(call: str, sql: str) -> list[str]:
    """The quoted column names in every ``call([...])`` of ``sql``, in order."""
    names: list[str] = []
    for listed in re.findall(call + r"\(\s*\[(.*?)\]", sql, re.DOTALL):
        names += re.findall(r"'(\w+)'", listed)
    return names


@dataclasses.dataclass
class Staging:
    """What staging does with one raw table."""

    base_model: str
    casts: dict[str, set[str]]  # column -> cast macros applied to it
    key: list[str]  # dq_key_rule
    required: list[str]  # dq_required_rule
    enums: dict[str, str]  # column -> normalize_enum domain


def staging_of(table: ContractTable) -> Staging:
    """Read the casts and rules of ``table`` from the staging SQL."""
    typed_macros = dict(TYPED_MACRO.findall(TYPED_EXTRACTS.read_text()))
    source_call = re.compile(rf"source\(\s*'{table.source}'\s*,\s*'{table.name}'\s*\)")
    typed_call = re.compile(rf"\btyped_{table.name}\(")
    readers = [
        path for path in BASE_MODELS if source_call.search(path.read_text()) or typed_call.search(path.read_text())
    ]
    assert len(readers) == 1, f"{table.name}: expected one base model reading it, found {readers}"
    base_sql = readers[0].read_text()
    if table.name in typed_macros:
        cast_sql = typed_macros[table.name]
    else:
        typed = TYPED_CTE.search(base_sql)
        assert typed, f"{readers[0].name}: no typed CTE and no typed_{table.name} macro"
        cast_sql = typed.group(1)
    casts: dict[str, set[str]] = {}
    for macro, column in CAST_CALL.findall(cast_sql):
        casts.setdefault(column, set()).add(macro)
    return Staging(
        base_model=readers[0].relative_to(ROOT).as_posix(),
        casts=casts,
        key=_names("dq_key_rule", base_sql),
        required=_names("dq_required_rule", base_sql),
        enums=dict(ENUM_CALL.findall(cast_sql)),
    )


def type_mismatches(tables: list[ContractTable]) -> list[str]:
    """Every column whose declared data_type is not what staging casts it to, or that one side lacks."""
    problems = []
    for table in tables:
        staging = staging_of(table)
        declared = {column.name: column.data_type for column in table.columns}
        for name, data_type in declared.items():
            macros = staging.casts.get(name)
            expected = TYPES[data_type][0] if data_type in TYPES else None
            if not macros:
                problems.append(f"{table.name}.{name}: declared {data_type}, but staging does not cast it")
            elif macros != {expected}:
                problems.append(
                    f"{table.name}.{name}: declared {data_type} ({expected}), staging casts it with "
                    f"{', '.join(sorted(macros))} ({', '.join(CAST_TYPE.get(m, '?') for m in sorted(macros))})"
                )
        for name in sorted(set(staging.casts) - set(declared)):
            problems.append(f"{table.name}.{name}: cast by staging but not declared in {table.declared_in}")
    return problems


def rule_mismatches(tables: list[ContractTable]) -> list[str]:
    """Every table whose key, required values or enumerations differ from the base model's rules."""
    problems = []
    for table in tables:
        staging = staging_of(table)
        where = f"{table.name} ({table.declared_in} vs {staging.base_model})"
        if list(table.key) != staging.key:
            problems.append(f"{where}: key {list(table.key)} but dq_key_rule {staging.key}")
        required = {column.name for column in table.columns if column.required}
        checked = set(staging.key) | set(staging.required)
        if required != checked:
            problems.append(
                f"{where}: required {sorted(required)} but dq_key_rule + dq_required_rule {sorted(checked)}"
            )
        enums = {column.name: column.enum for column in table.columns if column.enum}
        if enums != staging.enums:
            problems.append(f"{where}: enums {enums} but normalize_enum calls {staging.enums}")
    return problems


@pytest.fixture(scope="module")
def contract() -> list[ContractTable]:
    return load_contract(ROOT)


def test_input_contract_doc_is_regenerated_from_the_sources_yaml():
    current, regenerated = regenerate(ROOT)
    diff = "".join(
        list(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                regenerated.splitlines(keepends=True),
                "docs/input_contract.md",
                "generated from the sources YAML",
            )
        )[:60]
    )
    assert current == regenerated, f"docs/input_contract.md is out of date: run `scw contract-doc`\n{diff}"


#: the finance extracts, written by the generator as CSV under raw/finance/
FINANCE = ("general_ledger", "cost_to_serve_budget")


def test_contract_matches_the_demo_generator(contract, tiny_clean):
    """The demo extracts (scw generate) have exactly the declared tables, columns and keys."""
    operational = [table for table in contract if table.name not in FINANCE]
    assert [table.name for table in operational] == list(TABLES)
    for table in operational:
        assert [column.name for column in table.columns] == [column.name for column in TABLES[table.name]]
        assert table.key == KEYS[table.name]
    finance = [table for table in contract if table.name in FINANCE]
    assert sorted(table.name for table in finance) == sorted(FINANCE)
    for table in finance:
        header = (tiny_clean.root / "seeds" / f"{table.name}.csv").read_text().splitlines()[0].split(",")
        assert [column.name for column in table.columns] == header


def test_declared_types_match_the_staging_casts(contract):
    assert type_mismatches(contract) == []


def test_keys_required_values_and_enums_match_the_staging_rules(contract):
    assert rule_mismatches(contract) == []


def test_a_planted_type_or_rule_mismatch_is_caught(contract):
    """The checks above are not vacuous: a wrong type or a wrong required flag is reported."""
    lines = next(table for table in contract if table.name == "erp_sales_order_lines")

    def planted(**change) -> list[ContractTable]:
        name = change.pop("column")
        columns = tuple(dataclasses.replace(c, **change) if c.name == name else c for c in lines.columns)
        return [dataclasses.replace(lines, columns=columns) if table is lines else table for table in contract]

    wrong_type = set(type_mismatches(planted(column="quantity_ordered", data_type="bigint")))
    expected = (
        "erp_sales_order_lines.quantity_ordered: declared bigint (cast_int), staging casts it with cast_double (double)"
    )
    assert wrong_type - set(type_mismatches(contract)) == {expected}
    not_required = set(rule_mismatches(planted(column="sku_id", required=False)))
    assert len(not_required - set(rule_mismatches(contract))) == 1
    wrong_enum = set(rule_mismatches(planted(column="sku_id", enum="channel")))
    assert len(wrong_enum - set(rule_mismatches(contract))) == 1


def test_regeneration_replaces_only_the_marked_part():
    document = f"# Title\n\nprose before\n\n{BEGIN}\nold table\n{END}\n\n## After\n\nprose after\n"
    section = f"{BEGIN}\nnew table\n{END}\n"
    assert splice(document, section) == f"# Title\n\nprose before\n\n{section}\n## After\n\nprose after\n"
    with pytest.raises(ContractError):
        splice("# no markers\n", section)
