"""The benchmarks keep working: ``python -m benchmarks --quick`` runs every scenario and prints
the markdown tables with every contender. Nothing here asserts a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import batch, overhead, throughput

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_run_prints_every_contender_in_markdown_tables(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp")
    pytest.importorskip("uvicorn")
    markdown = tmp_path / "bench.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--markdown", str(markdown)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    rows = {line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| ")}
    for name in (*overhead.CONTENDERS, *throughput.CONTENDERS):
        assert name in rows, name
    for transport in batch.TRANSPORTS:
        assert f"single ({transport})" in rows
        assert f"bulk ({transport})" in rows
    for header in ("| contender | µs per call |", "| contender | req/s at 1 |", "| job | wall s |"):
        assert header in out
    assert f"bulk ({batch.REFERENCE})" in rows
    assert "The hand-written client's bulk answers: " in out  # and its json.loads time
    assert "|---|" in out
    assert "ratio  2: AiohttpTransport / raw aiohttp at 64" in out
    assert markdown.read_text(encoding="utf-8") in out
