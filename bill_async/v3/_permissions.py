"""v3's token permission map, derived from the v3 endpoint table (never written out by hand).

BILL's v3 token sign-in page confirms two rules: a sync-token session has no MFA operations or
MFA-protected operations, and no BILL payment capabilities. Its table of what else a token may
do could not be read, so the other refusals are inferred from the v2 token page's rules for the
same object and action; each row says which (``token_basis``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .._core._operation import TokenRule
from ._endpoints import OPERATIONS

__all__ = ["TOKEN_PERMISSIONS", "token_permission_table"]

# "METHOD /path" -> the rule that forbids it to token sessions, for every forbidden operation.
TOKEN_PERMISSIONS: Mapping[str, TokenRule] = MappingProxyType(
    {op.name: op.token_rule for op in OPERATIONS if op.token_rule is not None}
)


def token_permission_table() -> str:
    """The v3 permission map as Markdown (docs/v3-permissions.md is generated from this)."""
    lines = [
        "| Operation | Token session | Rule | Basis |",
        "|---|---|---|---|",
    ]
    for op in OPERATIONS:
        rule = op.token_rule
        if rule is None:
            continue
        basis = "confirmed (BILL's v3 token page)" if op.token_basis == "C" else "inferred (v2)"
        lines.append(f"| `{op.name}` | refused | {rule.text} | {basis} |")
    conditional = [op for op in OPERATIONS if op.mfa_when]
    lines += [
        "",
        "Refused only with an MFA-protected option set (a token session has no MFA-trusted "
        "session; a credential session must be MFA-trusted):",
        "",
    ]
    lines += [f"- `{op.name}` with `{op.mfa_when}` true" for op in conditional]
    allowed = [op for op in OPERATIONS if op.token_rule is None and not op.partner]
    inferred = sum(op.token_basis != "C" for op in allowed)
    lines += [
        "",
        f"The other {len(allowed)} operations are allowed for token sessions ({inferred} of "
        "them inferred from v2's token page, which allows reads and the CRUD of these object "
        f"families). The {sum(op.partner for op in OPERATIONS)} partner operations need a "
        "partner session (appKey), which token sessions are not.",
    ]
    return "\n".join(lines) + "\n"
