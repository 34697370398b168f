"""The ``bill-async`` command's surface: ``--version``, the help's sign-in variables, and the
progress display on a pseudo-terminal (``TERM=dumb``, ``NO_COLOR``), on a pipe, and quiet."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

import bill_async
from bill_async import _cli as cli
from bill_async._core._auth import ENV_NAMES
from bill_async._progress import Progress
from bill_async._sync import SyncTarget
from bill_async.emulator import (
    EmulatorConfig,
    RunningEmulator,
)
from tests.demo_env import demo_env

COMMAND = [sys.executable, "-c", "import sys; from bill_async._cli import main; sys.exit(main())"]
ESCAPE = re.compile(rb"\x1b")
# SGR sequences that set a colour: ESC [ ... m with 30-38, 40-48, 90-97 or 100-107 in them.
COLOUR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
CURSOR_UP = re.compile(rb"\x1b\[\d*A")


def test_version_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"], env={})
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"bill-async {bill_async.__version__}\n"


def test_the_installed_command_prints_the_version() -> None:
    done = subprocess.run([*COMMAND, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"bill-async {bill_async.__version__}"


@pytest.mark.parametrize("command", ["sync", "whoami", "list"])
def test_each_commands_help_names_the_sign_in_variables_and_emulator(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"], env={})
    shown = capsys.readouterr().out
    assert ENV_NAMES == (
        "BILL_DEV_KEY",
        "BILL_ORG_ID",
        "BILL_USER_NAME",
        "BILL_PASSWORD",
        "BILL_TOKEN_NAME",
        "BILL_TOKEN_VALUE",
        "BILL_BASE_URL",
    )
    for name in [*ENV_NAMES, "--emulator"]:
        assert name in shown, (command, name)


def test_the_emulators_help_says_how_to_reach_it_with_the_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["emulator", "--help"], env={})
    shown = capsys.readouterr().out
    for name in ("BILL_BASE_URL", "BILL_DEV_KEY", "BILL_ORG_ID", "BILL_USER_NAME", "--emulator"):
        assert name in shown


# -- the progress display ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> Iterator[RunningEmulator]:
    """This module's own emulator: more demo data than the shared ``served``."""
    with serve_emulator(EmulatorConfig(scale=0.05)) as running:
        yield running


def sync_env(served: RunningEmulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update(demo_env(served, COLUMNS="100", **extra))
    return env


def sync_args(out: Path) -> list[str]:
    return [*COMMAND, "sync", "--out", str(out), "--entity", "Vendor", "--entity", "Bill"]


def on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run ``args`` with stdin, stdout and stderr on a pseudo-terminal; what it wrote there."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        args, stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True
    )
    os.close(terminal)
    written = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: every writer is gone
            break
        if not chunk:
            break
        written += chunk
    os.close(controller)
    return process.wait(timeout=60), written


def finished_lines(written: bytes) -> list[str]:
    return [line for line in written.decode().splitlines() if " pairs)" in line]


def test_a_capable_terminal_gets_the_live_display(served: RunningEmulator, tmp_path: Path) -> None:
    # The control: the same run, on a terminal that can move the cursor, does.
    code, written = on_a_terminal(sync_args(tmp_path / "x.db"), sync_env(served, TERM="xterm"))
    assert code == 0, written.decode()
    assert CURSOR_UP.search(written)
    assert COLOUR.search(written)
    assert b"records so far" in written or b"record so far" in written
    assert b" of 8" in written  # the pairs: 4 organizations x 2 entities, known from the start
    # Records have no total (v2's List gives none): no "n of m" or "n/m" for them.
    assert not re.search(rb"records? so far\S* of|\d+/\d+", written)


def test_term_dumb_gets_no_escape_codes(served: RunningEmulator, tmp_path: Path) -> None:
    code, written = on_a_terminal(sync_args(tmp_path / "x.db"), sync_env(served, TERM="dumb"))
    assert code == 0, written.decode()
    assert not ESCAPE.search(written), written
    lines = finished_lines(written)
    assert len(lines) == 8
    assert lines[-1].endswith("done  (8 of 8 pairs)")
    assert b"Synced 4 organization(s), 2 entities" in written


def test_no_color_moves_the_cursor_without_colour(served: RunningEmulator, tmp_path: Path) -> None:
    env = sync_env(served, TERM="xterm", NO_COLOR="1")
    code, written = on_a_terminal(sync_args(tmp_path / "x.db"), env)
    assert code == 0, written.decode()
    assert CURSOR_UP.search(written)
    assert not COLOUR.search(written), written


def test_a_pipe_gets_plain_lines(served: RunningEmulator, tmp_path: Path) -> None:
    done = subprocess.run(
        sync_args(tmp_path / "x.db"),
        env=sync_env(served, TERM="xterm"),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not ESCAPE.search(done.stdout + done.stderr)
    assert len(finished_lines(done.stderr)) == 8


def test_quiet_prints_only_the_summary_even_on_a_terminal(
    served: RunningEmulator, tmp_path: Path
) -> None:
    args = [*sync_args(tmp_path / "x.db"), "--quiet"]
    code, written = on_a_terminal(args, sync_env(served, TERM="xterm"))
    assert code == 0, written.decode()
    assert not ESCAPE.search(written)
    assert [line for line in written.decode().splitlines() if line.strip()] == [
        line
        for line in written.decode().splitlines()
        if line.startswith(("Synced", "Most", "Logins"))
    ]


def test_off_a_terminal_each_finished_pair_is_one_plain_line() -> None:
    stream = io.StringIO()
    progress = Progress(stream, org_names={"org1": "First"}, pairs=2)
    assert not progress.live  # a StringIO is no terminal
    vendors = SyncTarget("org1", "Vendor")
    with progress:
        for _ in range(3):
            vendors.fetched += 999
            progress(vendors)
        vendors.done = True
        progress(vendors)
    assert stream.getvalue().splitlines() == [
        "First                    Vendor                    2997 fetched       0 written"
        "    0 calls  done  (1 of 2 pairs)"
    ]


def test_without_rich_a_terminal_gets_plain_lines(served: RunningEmulator, tmp_path: Path) -> None:
    # rich is the `cli` extra: an install without it still runs, with the plain lines.
    without_rich = "import sys; sys.modules['rich'] = None; from bill_async._cli import main; "
    args = [
        sys.executable,
        "-c",
        without_rich + "sys.exit(main())",
        *sync_args(tmp_path / "x.db")[3:],
    ]
    code, written = on_a_terminal(args, sync_env(served, TERM="xterm"))
    assert code == 0, written.decode()
    assert not ESCAPE.search(written)
    assert len(finished_lines(written)) == 8
