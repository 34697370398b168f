"""The operations that need no session: Login.json, ListOrgs.json and Errors.json.

Login takes plain form fields (``userName``, ``password``, ``orgId``, ``devKey``, and optionally
``mfaId`` + ``deviceId``): the demo user's credentials open a credential session, which idles out
after ``idle_timeout``; the sync token's name and value open a token session for the token's
organization, which never idles out. A remembered ``mfaId`` (from MFAAuthenticate.json with
``rememberMe``) with its ``deviceId`` opens an MFA-trusted session. Refusals: credentials that
match nothing, BDC_1101; no ``orgId``, BDC_1108; an organization the user (or the token) cannot
reach, BDC_1129 naming ``orgId``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import (
    BAD_CREDENTIALS,
    ERROR_MESSAGES,
    Fault,
    invalid_parameter,
    missing_parameter,
)
from ._state import Session, State

__all__ = ["error_list", "list_orgs", "login"]


def _who(state: State, fields: Mapping[str, str]) -> bool:
    """Whether the fields name the sync token (True) or the demo user (False); else a Fault."""
    config = state.config
    user, password = fields.get("userName", ""), fields.get("password", "")
    if user == config.token_name and password == config.token_value:
        return True
    if user == config.user_name and password == config.password:
        return False
    raise Fault(BAD_CREDENTIALS)


def login(
    state: State, fields: Mapping[str, str], base_url: str, *, api: str = "v2"
) -> tuple[Any, Session]:
    """Login.json (and, with ``api="v3"``, ``POST /v3/login``): a new session of ``api``, and
    Login.json's answer data."""
    is_token = _who(state, fields)
    org_id = fields.get("orgId", "")
    if not org_id:
        raise missing_parameter("orgId")
    # BILL answers a login to an organization the user cannot reach with BDC_1129 on orgId
    # (its Node client's tests), not as bad credentials.
    if org_id not in state.orgs or (is_token and org_id != state.token_org_id):
        raise invalid_parameter("orgId", org_id)
    trusted = False
    mfa_id, device = fields.get("mfaId"), fields.get("deviceId")
    if not is_token and mfa_id and device:
        remembered = state.remembered.get(mfa_id)
        trusted = (
            remembered is not None
            and remembered[0] == device
            and remembered[1] == state.config.user_name
            and remembered[2] > state.config.wall_clock()
        )
    org = state.org(org_id)
    session = state.open_session(org, fields["devKey"], is_token=is_token, trusted=trusted, api=api)
    state.counters.logins += 1
    data = {
        "sessionId": session.session_id,
        "orgId": org_id,
        "apiEndPoint": base_url,
        "usersId": session.user_id,
    }
    return data, session


def list_orgs(state: State, fields: Mapping[str, str]) -> Any:
    """ListOrgs.json: every organization for the demo user; only its own for the token."""
    is_token = _who(state, fields)
    return [
        {"orgId": org.org_id, "orgName": org.name}
        for org in state.orgs.values()
        if not is_token or org.org_id == state.token_org_id
    ]


def error_list() -> Any:
    """Errors.json: the codes this emulator answers with."""
    return [
        {"error_code": code, "error_message": message}
        for code, message in sorted(ERROR_MESSAGES.items())
    ]
