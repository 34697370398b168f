"""The v3 endpoint table against BILL's operations (tests/reference/v3-operations.tsv, a copy of
the reference), the permission map derived from it, and the generated groups."""

from __future__ import annotations

import csv
import inspect
from pathlib import Path

from bill_async import v3
from bill_async._core._operation import Kind, SessionUse
from bill_async.v3 import OPERATIONS, OPERATIONS_BY_KEY
from bill_async.v3 import _groups as groups

REFERENCE = Path(__file__).parent.parent / "reference" / "v3-operations.tsv"
ROWS = list(csv.DictReader(REFERENCE.read_text().splitlines(), delimiter="\t"))


def test_the_table_covers_every_operation_of_the_reference() -> None:
    reference = {(row["method"], row["path"]) for row in ROWS}
    table = set(OPERATIONS_BY_KEY)
    assert len(ROWS) == 271 and len(OPERATIONS) == len(table)
    missing = reference - table
    assert len(table & reference) / len(reference) >= 0.95
    assert missing == set()  # nothing left out: partner rows are in, marked
    for row in ROWS:
        op = OPERATIONS_BY_KEY[(row["method"], row["path"])]
        assert op.kind is Kind(row["kind"]), op.name
        assert op.summary == row["summary"], op.name


def test_the_permission_map_follows_bills_token_page_and_its_inferences() -> None:
    for row in ROWS:
        op = OPERATIONS_BY_KEY[(row["method"], row["path"])]
        if row["token_session"] == "forbidden":  # BILL's v3 token page says so
            assert op.token_rule is not None and op.token_basis == "C", op.name
        elif "inferred forbidden" in row["notes"]:
            assert op.token_rule is not None and op.token_rule.inferred, op.name
        elif row["token_session"] == "allowed":
            assert op.token_rule is None and op.token_basis == "C", op.name
        if row["mfa_protected"] == "yes":
            assert op.needs_mfa, op.name
        if row["mfa_protected"] == "conditional" and not row["path"].startswith("/v3/mfa/"):
            assert op.mfa_when is not None, op.name


def test_every_operation_but_partner_ones_and_sign_in_has_its_generated_method() -> None:
    client_class = v3.Client
    for op in OPERATIONS:
        group = getattr(client_class, op.group, None)
        if op.partner or op.session is SessionUse.NONE:
            assert op.partner or op.path in ("/v3/login", "/v3/health")
            continue
        assert group is not None, op.name
        annotation = inspect.signature(group.func).return_annotation
        group_class = getattr(groups, annotation) if isinstance(annotation, str) else annotation
        method = getattr(group_class, op.method)
        source = inspect.getsource(method)
        flat = "".join(source.split()).replace(",)", ")")
        assert f'_OP[("{op.http}","{op.path}")]' in flat, op.name
        assert op.name in (method.__doc__ or ""), op.name


def test_the_v3_permission_table_in_the_docs_is_generated_from_the_table() -> None:
    text = (Path(__file__).parent.parent.parent / "docs" / "v3-permissions.md").read_text()
    for op in OPERATIONS:
        if op.token_rule is not None:
            assert f"| `{op.name}` | refused |" in text, op.name
    assert "inferred" in text and "confirmed" in text
