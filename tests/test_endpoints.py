"""The endpoint table: complete against the reference, no duplicates, facts that match."""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path

import bill_async
from bill_async import ENDPOINTS, ENDPOINTS_BY_PATH, Kind, Shape

REFERENCE = Path(__file__).parent / "reference"


def reference_section_4_paths() -> set[str]:
    text = (REFERENCE / "bill-v2-api.md").read_text()
    section = text[text.index("## 4. Endpoint table") : text.index("## 5. Objects")]
    paths: set[str] = set()
    for match in re.finditer(r"`/?([A-Za-z0-9/{},]+\.json)`", section):
        parts = re.split(r"(\{[^}]*\})", match.group(1))
        options = [p[1:-1].split(",") if p.startswith("{") else [p] for p in parts]
        paths.update("".join(combo) for combo in itertools.product(*options))
    return paths


def operations_tsv() -> list[dict[str, str]]:
    with (REFERENCE / "v2-operations.tsv").open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_at_least_85_rows_and_no_duplicates() -> None:
    assert len(ENDPOINTS) >= 85
    paths = [e.path for e in ENDPOINTS]
    assert len(paths) == len(set(paths))
    methods = [(e.group, e.method) for e in ENDPOINTS]
    assert len(methods) == len(set(methods))


def test_every_path_of_reference_section_4_is_in_the_table() -> None:
    wanted = reference_section_4_paths()
    # Not paths of their own: the reference flags "/List/Users.json" as a probable typo of
    # List/User.json, and "/CreditMemo.json" names the CreditMemo object's operations.
    wanted -= {"List/Users.json", "CreditMemo.json"}
    assert {"List/User.json", "Crud/Create/CreditMemo.json"} <= set(ENDPOINTS_BY_PATH)
    assert len(wanted) > 60
    missing = sorted(p for p in wanted if p not in ENDPOINTS_BY_PATH)
    assert missing == []


def test_every_operation_of_the_tsv_is_in_the_table_with_its_facts() -> None:
    rows = operations_tsv()
    assert len(rows) == 212
    for row in rows:
        endpoint = ENDPOINTS_BY_PATH[row["path"]]
        assert endpoint.kind is Kind(row["kind"]), row["path"]
        forbidden = row["token_session"].startswith("forbidden")
        assert endpoint.token_allowed is not forbidden, row["path"]
        assert endpoint.needs_mfa is (row["needs_mfa"] == "yes"), row["path"]


def test_crud_rows_name_their_entity_and_shape() -> None:
    for endpoint in ENDPOINTS:
        match = re.fullmatch(r"(Bulk/)?(?:Crud/(\w+)|List)/(\w+)\.json", endpoint.path)
        if match is None:
            continue
        bulk, verb, entity = match.groups()
        assert endpoint.entity == entity
        verb = (verb or "List").lower()
        assert endpoint.method == ("bulk_" if bulk else "") + verb
        expected = {
            "create": Shape.OBJ,
            "update": Shape.OBJ,
            "list": Shape.LIST,
        }.get(verb, Shape.ID)
        if bulk:
            expected = Shape.BULK_OBJ if verb in ("create", "update") else Shape.BULK_ID
        assert endpoint.shape is expected, endpoint.path
        assert entity in bill_async._v2._models.MODELS_BY_ENTITY, entity


def test_reads_are_reads() -> None:
    for endpoint in ENDPOINTS:
        if endpoint.path.startswith(("Crud/Read/", "List/")):
            assert endpoint.is_read, endpoint.path
        if endpoint.path.startswith(("Crud/Create/", "Crud/Update/", "Crud/Delete/", "Bulk/")):
            assert not endpoint.is_read, endpoint.path
