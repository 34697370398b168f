"""Every Python block of the documentation (the site's pages and the README) runs against the
emulator, on asyncio and trio, and type-checks with mypy --strict.

A page's blocks run in order in one namespace, as a reader would paste them into one file, with
the ``BILL_*`` variables naming the emulator (served by uvicorn on loopback) and its demo
sign-in; ``anyio.run`` in a block runs on the backend under test. A block that must not run is
preceded by ``<!-- not run: REASON -->``; it is still type-checked.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import anyio
import attrs
import pytest

from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    RunningEmulator,
)
from tests.emulator.rawhttp import SMALL

ROOT = Path(__file__).parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md"))
PAGES.append("README.md")

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<code>.*?)^(?P=indent)```[ \t]*$",
    re.M | re.S,
)
NOT_RUN = re.compile(r"<!-- not run: (?P<why>[^>]*\w[^>]*) -->\s*$")


@attrs.frozen
class Block:
    page: str
    line: int
    code: str
    not_run: str | None  # why it must not run, or None


def blocks(page: str) -> list[Block]:
    """The Python blocks of ``page``, in order."""
    text = (ROOT / page).read_text()
    found = []
    for match in FENCE.finditer(text):
        if match["lang"] != "python":
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        why = NOT_RUN.search(before)
        line = text.count("\n", 0, match.start("code")) + 1
        code = textwrap.dedent(match["code"])
        found.append(Block(page, line, code, why["why"].strip() if why else None))
    return found


def as_module(page: str, only_runnable: bool) -> str:
    """The page's blocks as one module, each starting on its own line of the page (so that
    errors point at the page's lines)."""
    lines: list[str] = []
    for block in blocks(page):
        if only_runnable and block.not_run is not None:
            continue
        lines.extend([""] * (block.line - 1 - len(lines)))
        lines.extend(block.code.splitlines())
    return "\n".join(lines) + "\n"


PAGES_WITH_CODE = [page for page in PAGES if blocks(page)]
RUNNABLE_PAGES = [page for page in PAGES if any(b.not_run is None for b in blocks(page))]


def test_the_pages_have_code_and_few_blocks_are_not_run() -> None:
    every = [block for page in PAGES for block in blocks(page)]
    assert len(PAGES_WITH_CODE) >= 8
    assert len(every) >= 20
    not_run = [block for block in every if block.not_run is not None]
    assert len(not_run) <= 3, [(b.page, b.line, b.not_run) for b in not_run]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    url = os.environ.get("BILL_ASYNC_REDIS_URL")
    if url:
        yield url
        return
    from tests.redis.conftest import own_redis_server

    with own_redis_server() as (own, _):
        yield own


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_every_block_runs_against_the_emulator(
    page: str,
    anyio_backend: str,
    served: RunningEmulator,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served.emulator.reset(SMALL)
    monkeypatch.setenv("BILL_BASE_URL", served.base_url)
    monkeypatch.setenv("BILL_V3_BASE_URL", served.v3_base_url)
    monkeypatch.setenv("BILL_DEV_KEY", DEMO_DEV_KEY)
    monkeypatch.setenv("BILL_ORG_ID", served.emulator.org_ids[0])
    monkeypatch.setenv("BILL_USER_NAME", DEMO_USER_NAME)
    monkeypatch.setenv("BILL_PASSWORD", DEMO_PASSWORD)
    for name in ("BILL_TOKEN_NAME", "BILL_TOKEN_VALUE"):
        monkeypatch.delenv(name, raising=False)
    source = as_module(page, only_runnable=True)
    if "REDIS_URL" in source:
        monkeypatch.setenv("REDIS_URL", request.getfixturevalue("redis_url"))
    monkeypatch.setattr(anyio, "run", functools.partial(anyio.run, backend=anyio_backend))
    module = types.ModuleType("docs_" + re.sub(r"\W", "_", page))
    monkeypatch.setitem(sys.modules, module.__name__, module)  # pydantic resolves names there
    exec(compile(source, str(ROOT / page), "exec"), module.__dict__)
    # The code talked to the emulator: the served one, or one it started itself.
    sent = served.emulator.counters.total_requests
    assert sent > 0 or "running_emulator(" in source, "the page's code sent nothing to BILL"


def test_every_block_type_checks(tmp_path: Path) -> None:
    files = []
    for page in PAGES_WITH_CODE:
        path = tmp_path / ("docs_" + re.sub(r"\W", "_", page) + ".py")
        path.write_text(as_module(page, only_runnable=False))
        files.append(str(path))
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
