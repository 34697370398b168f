"""The docs say what the code does: the error table and the permission table match the code."""

from __future__ import annotations

import builtins
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import bill_async

ROOT = Path(__file__).parent.parent
GENERATOR = ROOT / "scripts" / "gen_errors_doc.py"


def test_error_table_is_generated_from_the_code_map_and_fresh() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_errors_doc.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / "docs" / "errors.md").read_text()
    rows = re.findall(r"^\| (BDC_\d+)(?: \(on ([^)]+)\))? \|.*?\| `(\w+)` \|", text, flags=re.M)
    documented = {(code if not where else (where, code)): name for code, where, name in rows}
    assert documented == {key: cls.__name__ for key, cls in bill_async.ERROR_CLASSES.items()}


def test_the_error_table_check_fails_on_a_stale_table() -> None:
    spec = importlib.util.spec_from_file_location("gen_errors_doc", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    fresh = (ROOT / "docs" / "errors.md").read_text()
    stale = fresh.replace("| `InactiveDevKeyError` | no;", "| `AuthenticationError` | no;")
    assert stale != fresh and generator.render(stale) == fresh


def test_every_documented_class_exists() -> None:
    pages = sorted((ROOT / "docs").rglob("*.md"))
    assert len(pages) > 20
    for page in [*pages, ROOT / "README.md"]:
        named = set(re.findall(r"`(\w+Error)`", page.read_text()))
        for name in named - {"RedisUnavailableError", "RedisStoreError"}:
            if hasattr(builtins, name):
                continue
            assert isinstance(getattr(bill_async, name, None), type), (page, name)


def test_the_errors_page_draws_the_tree_of_the_code() -> None:
    import bill_async._exceptions as exceptions

    assert exceptions.__doc__ is not None
    drawn = re.search(r"\n(    BillError\n.*?)\n\n", exceptions.__doc__, flags=re.S)
    assert drawn is not None
    tree = "\n".join(line[4:] for line in drawn[1].splitlines())
    assert f"```\n{tree}\n```" in (ROOT / "docs" / "errors.md").read_text()


def test_readme_has_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "bash .ci/run" in readme
    main_job = (
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[emulator]' && "
        ".venv/bin/bill-async sync --emulator --out bill.db"
    )
    assert main_job in readme
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


# BILL retired this v2 sandbox host on 2024-08-31 (docs/decisions.md). Spelt in two parts so
# that this file does not name it either.
RETIRED_HOST = "api-" + "sandbox.bill.com"
# Where the retired host may still appear: the decision that says why it is gone, and verbatim
# copies of BILL's pages.
MAY_NAME_THE_RETIRED_HOST = ("docs/decisions.md", "tests/reference/")


def _project_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return [name for name in listed.stdout.decode().split("\0") if name]


def test_no_file_names_the_retired_sandbox_host() -> None:
    naming = []
    for name in _project_files():
        if name.startswith(MAY_NAME_THE_RETIRED_HOST) or not (ROOT / name).is_file():
            continue
        if RETIRED_HOST.encode() in (ROOT / name).read_bytes():
            naming.append(name)
    assert naming == []
    assert bill_async.SANDBOX_URL == "https://api-stage.bill.com/api/v2"
