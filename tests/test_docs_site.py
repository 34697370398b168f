"""The documentation site: it builds with ``mkdocs build --strict``, its API reference documents
every public name, every page is in its navigation, and the README's links lead somewhere."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
PUBLIC_MODULES = (
    "bill_async",
    "bill_async.abc",
    "bill_async.redis",
    "bill_async.fastapi",
    "bill_async.emulator",
    "bill_async.v3",
    "bill_async.webhooks",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs", reason="the docs extra: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # quiet Material's notice
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return out


def inventory(site: Path) -> set[str]:
    """The names of every object the reference documents (mkdocstrings' objects.inv: four lines
    of header, then zlib-compressed lines of 'name domain:role priority uri dispname')."""
    raw = (site / "objects.inv").read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = raw.index(b"\n", header_end) + 1
    lines = zlib.decompress(raw[header_end:]).decode().splitlines()
    return {line.split(" ", 1)[0] for line in lines}


def test_the_reference_documents_every_public_name(site: Path) -> None:
    documented = inventory(site)
    missing = [
        f"{module}.{name}"
        for module in PUBLIC_MODULES
        for name in importlib.import_module(module).__all__
        if f"{module}.{name}" not in documented
    ]
    assert missing == []
    # The endpoint groups' methods too: what users call most.
    assert "bill_async._v2._groups.BillsGroup.create" in documented


def test_the_reference_shows_the_generated_docstrings(site: Path) -> None:
    groups = (site / "reference" / "groups" / "index.html").read_text()
    assert "Crud/Create/Bill.json" in groups
    assert "TokenPermissionError" in groups


def nav_pages(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from nav_pages(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from nav_pages(value)


def test_every_page_is_in_the_navigation() -> None:
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    in_nav = set(nav_pages(config["nav"]))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages == in_nav


def test_the_readmes_links_lead_to_files_that_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    local = [link for link in links if not re.match(r"\w+://", link)]
    assert len(local) >= 10
    assert [link for link in local if not (ROOT / link).exists()] == []
    for kept in ("docs/errors.md", "docs/architecture.md", "docs/multi-process.md"):
        assert kept in local  # links older READMEs gave, which others may have copied
