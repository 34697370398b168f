"""The emulator's v3 face (``/connect/v3/...``): BILL's v3 API on the v2 face's state."""

from __future__ import annotations

from ._face import V3_PREFIX as V3_PREFIX
from ._face import V3Face as V3Face
from ._face import is_v3 as is_v3

__all__ = ["V3Face", "V3_PREFIX", "is_v3"]
