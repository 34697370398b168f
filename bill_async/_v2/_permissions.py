"""The token permission map, derived from the endpoint table (never written out by hand).

BILL's token sign-in page (the source; where it and other BILL documents disagree about token
sessions, it wins) lists what a sync-token session may not do. Each such rule is a ``TokenRule``
on the rows it covers in ``_endpoints``; this module only reads them back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from .._core._operation import TokenRule
from .._exceptions import InvalidRequestError
from ._endpoints import APPROVER_WRITE, ENDPOINTS, USER_WRITE

__all__ = [
    "DISAGREEMENTS",
    "TOKEN_PERMISSIONS",
    "check_path",
    "rule_for_path",
    "token_permission_table",
]

# path -> the rule that forbids it to token sessions, for every forbidden operation.
TOKEN_PERMISSIONS: Mapping[str, TokenRule] = MappingProxyType(
    {e.path: e.token_rule for e in ENDPOINTS if e.token_rule is not None}
)

# Rules that cover whole families of paths, for operations ``client.call`` reaches that the table
# lacks (a Bulk or Undelete variant BILL may add): writes of users and of policy approvers. In
# any case: a server may not tell ``User.json`` from ``user.json``.
_FAMILY_RULES = (
    (
        re.compile(r"(?:Bulk/)?Crud/(?:Create|Update|Delete|Undelete)/User\.json", re.IGNORECASE),
        USER_WRITE,
    ),
    (
        re.compile(
            r"(?:Bulk/)?Crud/(?:Create|Update|Delete|Undelete)/ApprovalPolicyApprover\.json",
            re.IGNORECASE,
        ),
        APPROVER_WRITE,
    ),
)

# What a BILL v2 operation path looks like: names of letters, digits and underscores, separated
# by single slashes, ending in ".json". Nothing that a server or a proxy could read as another
# path: no percent-encoding, no "." or ".." segment, no empty segment, query or fragment.
_CANONICAL = re.compile(r"(?:[A-Za-z0-9_]+/)*[A-Za-z0-9_]+\.json")
_TABLE_BY_CASE = {e.path.lower(): e.path for e in ENDPOINTS}


def check_path(path: str) -> None:
    """Refuse (``InvalidRequestError``, nothing sent) a path that is not in canonical form, so
    that the permission map sees the path the server will run: ``%50ayBills.json``,
    ``./PayBills.json``, ``x/../PayBills.json`` and ``paybills.json`` are all refused."""
    if not _CANONICAL.fullmatch(path):
        raise InvalidRequestError(
            f"{path!r} is not a BILL v2 operation path in canonical form (names of letters, "
            "digits and underscores between single slashes, ending in .json; no "
            "percent-encoding, '.' or '..')"
        )
    spelled = _TABLE_BY_CASE.get(path.lower())
    if spelled is not None and spelled != path:
        raise InvalidRequestError(f"{path!r} is not BILL's spelling: call {spelled!r}")


def rule_for_path(path: str) -> TokenRule | None:
    """The token rule for any path in canonical form (``check_path``): the table's, or a family
    rule for a path it lacks."""
    rule = TOKEN_PERMISSIONS.get(path)
    if rule is not None:
        return rule
    for pattern, family_rule in _FAMILY_RULES:
        if pattern.fullmatch(path):
            return family_rule
    return None


# Where BILL's documents disagree about token sessions, and what the map does.
DISAGREEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "MailInvoice.json": "An older BILL page says a sync token can mail invoices; the token "
        "sign-in page forbids sending or mailing invoices, and wins: refused.",
        "Crud/Create/VendorBankAccount.json": "MFA-protected for credential sessions, yet the "
        "token sign-in page grants all vendor bank account CRUD to tokens: allowed.",
        "Bulk/Crud/Create/VendorBankAccount.json": "As its Crud/Create: allowed.",
        "SendVendorInvite.json": "MFA-protected for credential sessions, yet the token sign-in "
        "page grants all network operations to tokens: allowed.",
        "SendInvite.json": "As SendVendorInvite.json: allowed.",
        "ClearApprovers.json": "Not on the page; clearing approvers is taken as part of "
        "setting them: refused (inferred).",
        "ChargeCustomer.json": "Not on the page; BILL's key and token pages say token sessions "
        "have no payment capabilities: refused (inferred).",
        "MFAChallenge.json": "Not on the page; older token pages say token sessions have no MFA "
        "operations: refused (inferred). The same for MFAAuthenticate and MFAStatus.",
    }
)


def token_permission_table() -> str:
    """The permission map as a Markdown table (the README's copy is generated from this)."""
    lines = [
        "| Operation | Token session | Rule |",
        "|---|---|---|",
    ]
    for endpoint in ENDPOINTS:
        rule = endpoint.token_rule
        if rule is None:
            continue
        inferred = " (inferred)" if rule.inferred else ""
        lines.append(f"| `{endpoint.path}` | refused | {rule.text}{inferred} |")
    lines.append("")
    lines.append(
        "Every other operation of the endpoint table is allowed for token sessions. Where "
        "BILL's documents disagree:"
    )
    lines.append("")
    for path, note in DISAGREEMENTS.items():
        lines.append(f"- `{path}`: {note}")
    return "\n".join(lines) + "\n"
