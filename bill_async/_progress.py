"""Progress for ``bill-async sync``: a live display on a terminal that can take one, plain lines
everywhere else (a pipe, a log file, CI, ``TERM=dumb``), nothing but the summary when asked to
be quiet.

Which one is rich's call (``Console.is_interactive``): it reads the TTY, ``TERM`` (``dumb`` and
``unknown`` get no cursor movement), ``NO_COLOR`` (no colour, the display still moves),
``FORCE_COLOR`` and ``TTY_INTERACTIVE``. Without rich (``pip install 'bill-async[cli]'``) every
output gets the plain lines.

Totals are shown only where they are known: the (organization, entity) pairs of the run. v2's
List says nothing of how many records a query has, so records are counted as "n so far", never
against a total that grows as pages arrive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from ._sync import SyncTarget

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = ["Progress"]

REFRESH_EVERY = 0.1  # seconds between two redraws of the live display


class Progress:
    """Reports each (organization, entity) of a sync as it goes; use it as a context manager
    around ``sync(..., progress=...)`` so that the live display is closed."""

    def __init__(
        self,
        stream: TextIO,
        *,
        org_names: dict[str, str],
        pairs: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._names = org_names
        self._pairs = pairs
        self._clock = clock
        self._finished = 0
        self._last_draw = -REFRESH_EVERY
        self._live: _LiveDisplay | None = _LiveDisplay.for_stream(stream, pairs)

    @property
    def live(self) -> bool:
        """Whether a live display is drawn (else plain lines are written)."""
        return self._live is not None

    def __enter__(self) -> Progress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def _label(self, target: SyncTarget) -> str:
        name = self._names.get(target.org_id, target.org_id)
        return f"{name[:24]:<24} {target.entity:<22}"

    def finished_line(self, target: SyncTarget) -> str:
        """The line for a finished (organization, entity), the same on every output."""
        status = f"failed: {target.error}" if target.error else "done"
        return (
            f"{self._label(target)} {target.fetched:>7} fetched {target.written:>7} written"
            f" {target.calls:>4} calls  {status}  ({self._finished} of {self._pairs} pairs)"
        )

    def __call__(self, target: SyncTarget) -> None:
        if target.done:
            self._finished += 1
        if self._live is None:
            if target.done:
                self._stream.write(self.finished_line(target) + "\n")
                self._stream.flush()
            return
        if target.done:
            self._live.finish(target, self.finished_line(target))
        else:
            name = self._names.get(target.org_id, target.org_id)
            self._live.update(target, f"{name[:18]:<18} {target.entity}")
        now = self._clock()
        if target.done or now - self._last_draw >= REFRESH_EVERY:
            self._last_draw = now
            self._live.refresh()


class _LiveDisplay:
    """rich's progress display: one bar for the pairs (a known total), one row per
    (organization, entity) in progress with its records so far (no total: BILL gives none)."""

    def __init__(self, progress: RichProgress, pairs: int) -> None:
        self._progress = progress
        self._pairs = pairs
        self._finished = 0
        self._overall = progress.add_task(
            "(organization, entity) pairs", total=pairs, count=f"0 of {pairs}"
        )
        self._rows: dict[tuple[str, str], TaskID] = {}

    @classmethod
    def for_stream(cls, stream: TextIO, pairs: int) -> _LiveDisplay | None:
        """The display for ``stream``, or None where it cannot move the cursor (or rich is not
        installed)."""
        try:
            from rich.console import Console
            from rich.progress import BarColumn, SpinnerColumn, TextColumn
            from rich.progress import Progress as RichProgress
        except ImportError:
            return None
        console = Console(file=stream)
        if not console.is_interactive:
            return None
        progress = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description:<41}"),
            BarColumn(bar_width=10),
            TextColumn("{task.fields[count]}"),
            console=console,
            auto_refresh=False,  # redrawn as pages arrive (``refresh``): no thread of its own
            transient=False,
        )
        return cls(progress, pairs)

    def start(self) -> None:
        self._progress.start()

    def stop(self) -> None:
        self._progress.stop()

    def update(self, target: SyncTarget, label: str) -> None:
        key = (target.org_id, target.entity)
        count = f"{target.fetched:,} record{'' if target.fetched == 1 else 's'} so far"
        row = self._rows.get(key)
        if row is None:
            # total=None: rich draws a bar that pulses rather than fills.
            self._rows[key] = self._progress.add_task(label, total=None, count=count)
        else:
            self._progress.update(row, count=count)

    def finish(self, target: SyncTarget, line: str) -> None:
        row = self._rows.pop((target.org_id, target.entity), None)
        if row is not None:
            self._progress.remove_task(row)
        self._finished += 1
        count = f"{self._finished} of {self._pairs}"
        self._progress.update(self._overall, completed=self._finished, count=count)
        # Printed above the live rows, where it stays once they are gone.
        self._progress.console.print(line, markup=False, highlight=False)

    def refresh(self) -> None:
        self._progress.refresh()
