"""Timing helpers, the machine's description, and markdown tables."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata

__all__ = ["Target", "machine", "markdown_table", "peak_rss_mb", "ready_process", "versions"]


@contextmanager
def ready_process(module: str, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run ``python -m module args`` and wait for its ``READY ...`` line; yields the process
    and the rest of that line. Closing its standard input tells it to exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"{module} did not start")
        yield process, line[len("READY ") :].strip()
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB: Linux's high-water mark of its
    memory (``VmHWM``), where there is one. Not ``getrusage``'s ``ru_maxrss``: Linux keeps that
    across ``execve``, so a child started by ``subprocess`` (vfork, then exec) reports at least
    the peak of the process that started it, and the benchmark's children read the runner's
    own peak (104 MB, whatever they used) after the scenarios before them."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # in kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"CPython {platform.python_version()}"
    )


def versions() -> str:
    names = ("bill-async", "httpx", "httpcore", "aiohttp", "anyio")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


class Target:
    """One performance target: a measured value, its bound, and whether it was met."""

    def __init__(self, name: str, value: float, bound: float, *, at_most: bool) -> None:
        self.name = name
        self.value = value
        self.bound = bound
        self.at_most = at_most

    @property
    def met(self) -> bool:
        return self.value <= self.bound if self.at_most else self.value >= self.bound

    def row(self) -> tuple[str, str, str, str]:
        sign = "<=" if self.at_most else ">="
        return (
            self.name,
            f"{self.value:.2f}",
            f"{sign} {self.bound:g}",
            "met" if self.met else "NOT met",
        )
