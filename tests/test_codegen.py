"""The generated groups match the endpoint table, and the committed file is fresh."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import bill_async
from bill_async import ENDPOINTS, Shape
from bill_async._v2 import _groups as groups

ROOT = Path(__file__).parent.parent


def test_generated_file_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_endpoints.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _group_class(name: str) -> type:
    """The class of ``client.<name>``, as the generated property declares it."""
    annotation = inspect.signature(getattr(bill_async.Client, name).func).return_annotation
    group_class = getattr(groups, annotation) if isinstance(annotation, str) else annotation
    assert isinstance(group_class, type)
    return group_class


def test_every_row_has_its_method_on_its_group() -> None:
    client_class = bill_async.Client
    for endpoint in ENDPOINTS:
        if endpoint.shape is Shape.FORM:
            continue
        group_property = getattr(client_class, endpoint.group)
        group_class = inspect.signature(group_property.func).return_annotation
        group_class = getattr(groups, group_class) if isinstance(group_class, str) else group_class
        method = getattr(group_class, endpoint.method)
        assert endpoint.path in (method.__doc__ or ""), endpoint.path
        source = inspect.getsource(method)
        assert f'_EP["{endpoint.path}"]' in source, endpoint.path


def test_every_group_method_has_a_row() -> None:
    rows = {(e.group, e.method) for e in ENDPOINTS}
    for name in dir(groups.GeneratedGroups):
        if name.startswith("_"):
            continue
        group_class = getattr(
            groups, groups.GeneratedGroups.__dict__[name].func.__annotations__["return"]
        )
        for method in vars(group_class):
            if method.startswith("_") or method == "updated_since":
                continue
            assert (name, method) in rows, (name, method)


@pytest.mark.parametrize("name", ["vendors", "bills", "invoices", "customers", "vendor_credits"])
def test_entity_groups_have_crud_verbs(name: str) -> None:
    group_class = _group_class(name)
    for verb in ("create", "read", "update", "delete", "undelete", "list"):
        assert callable(getattr(group_class, verb)), (name, verb)


def test_action_groups_exist() -> None:
    for name in ("payments", "approvals", "documents", "network", "organization", "mfa"):
        assert isinstance(
            getattr(bill_async.Client, name), property.__class__ | type(bill_async.Client.vendors)
        )


def test_the_user_side_typing_check_reports_a_refusal_a_checker_missed() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_typing", ROOT / "scripts/check_typing.py")
    assert spec is not None and spec.loader is not None
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    failing = ROOT / "tests" / "typing" / "fail_request_surface.py"
    marked = check.expected(failing)
    assert len(marked) >= 10
    missed = check.differences("mypy", [failing], {failing.resolve(): marked - {min(marked)}})
    assert missed == [
        f"tests/typing/fail_request_surface.py:{min(marked)}: mypy accepts what must be an error"
    ]
    extra = check.differences("pyright", [failing], {failing.resolve(): marked | {1}})
    assert extra == ["tests/typing/fail_request_surface.py:1: pyright reports an error here"]
