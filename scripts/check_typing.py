"""Type-check what users write, with mypy --strict and pyright (strict), line by line.

    python scripts/check_typing.py

- ``tests/typing/pass_*.py``: public usage that must type-check cleanly in both checkers.
- ``tests/typing/fail_*.py``: usage that must be refused. Every line ending in
  ``# expect-error`` must be an error in both checkers, and no other line may be one.

Exit 1, naming each line that differs, when either checker disagrees.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"
MARK = "# expect-error"
_MYPY_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")


def expected(path: Path) -> set[int]:
    """The lines of ``path`` marked as errors."""
    lines = path.read_text().splitlines()
    return {number for number, text in enumerate(lines, 1) if text.rstrip().endswith(MARK)}


def mypy_errors(paths: Iterable[Path]) -> dict[Path, set[int]]:
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    found: dict[Path, set[int]] = {}
    for line in result.stdout.splitlines():
        match = _MYPY_LINE.match(line)
        if match:
            found.setdefault((ROOT / match["path"]).resolve(), set()).add(int(match["line"]))
    if result.returncode not in (0, 1) or (result.returncode == 1 and not found):
        raise SystemExit(f"mypy did not run: {result.stdout}{result.stderr}")
    return found


def pyright_errors(paths: Iterable[Path]) -> dict[Path, set[int]]:
    executable = Path(sys.executable).parent / "pyright"
    command = [str(executable), "--outputjson", *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        raise SystemExit(f"pyright did not run: {result.stdout}{result.stderr}") from None
    found: dict[Path, set[int]] = {}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            line = diagnostic["range"]["start"]["line"] + 1  # pyright counts from 0
            found.setdefault(Path(diagnostic["file"]).resolve(), set()).add(line)
    return found


def differences(checker: str, paths: Iterable[Path], found: dict[Path, set[int]]) -> list[str]:
    """What ``checker`` got wrong: a marked line it accepted, or an unmarked line it refused."""
    said = []
    for path in paths:
        want, got = expected(path), found.get(path.resolve(), set())
        name = path.relative_to(ROOT)
        said += [f"{name}:{line}: {checker} accepts what must be an error" for line in want - got]
        said += [f"{name}:{line}: {checker} reports an error here" for line in got - want]
    return said


def main() -> int:
    paths = sorted(TYPING.glob("pass_*.py")) + sorted(TYPING.glob("fail_*.py"))
    said = differences("mypy", paths, mypy_errors(paths))
    said += differences("pyright", paths, pyright_errors(paths))
    for line in said:
        print(line)
    checked = sum(len(expected(path)) for path in paths)
    print(f"user-side typing: {len(paths)} files, {checked} lines that must fail: ", end="")
    print("as expected" if not said else f"{len(said)} differences")
    return 1 if said else 0


if __name__ == "__main__":
    raise SystemExit(main())
