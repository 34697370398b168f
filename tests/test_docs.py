"""The docs say what the code does: the error table and the permission table match the code."""

from __future__ import annotations

import re
from pathlib import Path

import bill_async

ROOT = Path(__file__).parent.parent


def test_error_table_matches_the_code_map() -> None:
    text = (ROOT / "docs" / "errors.md").read_text()
    rows = dict(re.findall(r"^\| (BDC_\d+) \| `(\w+)`", text, flags=re.M))
    assert rows == {code: cls.__name__ for code, cls in bill_async.ERROR_CLASSES.items()}


def test_every_documented_class_exists() -> None:
    for root in ("docs/errors.md", "docs/transports.md", "docs/recipes.md"):
        for name in set(re.findall(r"`(\w+Error)`", (ROOT / root).read_text())) - {"ValueError"}:
            assert isinstance(getattr(bill_async, name, None), type), (root, name)


def test_readme_has_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "bash .ci/run" in readme
    assert bill_async.token_permission_table() in readme


def test_the_architecture_map_names_only_modules_that_exist() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"(?<![\w/])((?:\w+/)*\w+\.py)\b", text))
    assert len(named) > 20
    package = ROOT / "bill_async"
    missing = sorted(
        p for p in named if not (ROOT / p).exists() and not any(package.glob(f"**/{p}"))
    )
    assert missing == [], missing
    assert "docs/architecture.md" in (ROOT / "README.md").read_text()
