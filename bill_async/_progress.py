"""Progress for ``bill-async sync``: bars per organization and entity on a terminal, plain lines
elsewhere (a log file, CI), and nothing but the summary when asked to be quiet."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from ._sync import SyncTarget

__all__ = ["Progress"]

BAR_WIDTH = 20


class Progress:
    """Reports each (organization, entity) as it goes."""

    def __init__(
        self,
        stream: TextIO,
        *,
        terminal: bool,
        org_names: dict[str, str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._terminal = terminal
        self._names = org_names
        self._clock = clock
        self._targets: dict[tuple[str, str], SyncTarget] = {}
        self._drawn = 0
        self._last_draw = 0.0

    def _label(self, target: SyncTarget) -> str:
        name = self._names.get(target.org_id, target.org_id)
        return f"{name[:24]:<24} {target.entity:<22}"

    def __call__(self, target: SyncTarget) -> None:
        self._targets[(target.org_id, target.entity)] = target
        if self._terminal:
            now = self._clock()
            if target.done or now - self._last_draw >= 0.1:
                self._last_draw = now
                self._draw()
        elif target.done:
            status = f"failed: {target.error}" if target.error else "done"
            self._stream.write(
                f"{self._label(target)} {target.fetched:>7} fetched {target.written:>7} written"
                f" {target.calls:>4} calls  {status}\n"
            )
            self._stream.flush()

    def _draw(self) -> None:
        # Only the targets in progress and the latest finished ones fit on a screen.
        active = [t for t in self._targets.values() if not t.done]
        finished = sum(1 for t in self._targets.values() if t.done)
        lines = [f"synced {finished} of {len(self._targets)} (organization, entity) pairs"]
        for target in active[:12]:
            filled = min(BAR_WIDTH, target.calls)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            lines.append(f"{self._label(target)} [{bar}] {target.fetched:>7} records")
        out = []
        if self._drawn:
            out.append(f"\x1b[{self._drawn}F")  # back to the first line drawn last time
        out.extend(f"\x1b[2K{line}\n" for line in lines)
        out.extend("\x1b[2K\n" for _ in range(self._drawn - len(lines)))
        self._stream.write("".join(out))
        self._stream.flush()
        self._drawn = max(len(lines), self._drawn)
