"""Reading BILL's JSON: ``loads`` (``_wire.loads`` is this one), and the text BILL sent for each
record of a list answer, for the export.

Numbers with a fraction are read as ``Decimal``, so that amounts stay exact.

Two readers give the same values: the json module's, always there, and msgspec's when the
optional extra ``bill-async[fast]`` installs it (it reads a page of 999 bills in a third less
time, and shares the keys' strings between records). msgspec reads UTF-8 JSON and refuses
anything JSON does not allow; what it refuses (another encoding, a byte order mark, a lone
surrogate, NaN) goes to the json module, which reads it or raises as it always did.

While ``record_texts()`` is active in a task, ``loads`` reads an envelope's top level and the
objects of a ``response_data`` list one by one, and keeps the JSON text of each, as BILL sent
it: the export stores it in its ``wire`` column instead of encoding the record again (which
cost it as much as decoding it). Anything else it reads as usual. The texts hold the records
they belong to, so that ``id()`` of a record names it for as long as the texts are kept.

Asked for a summary (``record_texts(summary=keys)``), msgspec's reader gives each listed object
as only those of its members, and ``RecordTexts.whole`` reads the rest from its text later: a
page of 999 bills then holds 3 MB while it waits to be written rather than 10 MB, and the event
loop no longer reads what only the export's writer thread needs. (The json module's reader has
no cheap way to pass over a value, so it gives every object whole.)
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

try:
    import msgspec
except ImportError:  # the extra is not installed: the json module reads everything
    msgspec = None  # type: ignore[assignment]

__all__ = ["RecordTexts", "loads", "member_texts", "record_texts"]

# One decoder for every answer: ``json.loads(..., parse_float=...)`` would build a new decoder
# and scanner for each call.
_decoder = json.JSONDecoder(parse_float=Decimal)
# The decoder's own scanner, from a given index (what ``raw_decode`` calls), and its reader of
# strings; the typing stubs do not list them.
_scan: Callable[[str, int], tuple[Any, int]] = _decoder.scan_once  # type: ignore[attr-defined]
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's, as json.decoder skips it


class RecordTexts:
    """The text of each object of the last list answer decoded while active, by ``id()``;
    ``summary``: the keys of the objects' summaries, if the reader may give summaries."""

    def __init__(self, summary: tuple[str, ...] = ()) -> None:
        self.by_id: dict[int, str] = {}
        self.summary = summary
        self.summarized = False  # the objects kept are summaries
        self._records: list[Any] = []  # alive while kept: their ids stay theirs

    def _keep(self, records: list[Any], texts: dict[int, str], *, summarized: bool) -> None:
        self._records, self.by_id, self.summarized = records, texts, summarized

    def whole(self, record: Any) -> Any:
        """The object ``record`` (one of the list kept) stands for: itself, or, for a summary,
        the object read from its text, with the values ``loads`` gives. Raises ``ValueError``
        for a text neither reader reads (which the summary's reader passed over)."""
        text = self.by_id.get(id(record)) if self.summarized else None
        if text is None:
            return record
        try:
            return _read_object(text)
        except RecursionError:
            raise ValueError("JSON nested too deeply to read") from None


_capture: contextvars.ContextVar[RecordTexts | None] = contextvars.ContextVar(
    "bill_async_record_texts", default=None
)


@contextlib.contextmanager
def record_texts(*, summary: tuple[str, ...] = ()) -> Iterator[RecordTexts]:
    """Keep the text of each record of the list answers decoded in this task meanwhile; with
    ``summary``, the reader may give each record as only those keys (see the module's
    docstring)."""
    texts = RecordTexts(summary)
    token = _capture.set(texts)
    try:
        yield texts
    finally:
        _capture.reset(token)


def loads(content: bytes | str) -> Any:
    """Parse JSON, reading numbers with a fraction as ``Decimal`` (``json.loads``'s rules)."""
    texts = _capture.get()
    if _fast is not None and type(content) is bytes:
        try:
            return _fast.loads(content, texts)
        except _fast.refused:
            pass  # not UTF-8 JSON as msgspec reads it: the json module decides
    return _json_loads(content, texts)


def _json_loads(content: bytes | str, texts: RecordTexts | None) -> Any:
    if isinstance(content, bytes | bytearray):
        content = content.decode(json.detect_encoding(content), "surrogatepass")
    elif content.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", content, 0)
    if texts is not None:
        try:
            return _envelope(content, texts)
        except (ValueError, IndexError, StopIteration):
            pass  # not an object, or not JSON: the decoder says what is wrong
    return _decoder.decode(content)


def _skip(text: str, at: int) -> int:
    """The first index at or after ``at`` that is not whitespace."""
    return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]  # it always matches


def _envelope(text: str, texts: RecordTexts) -> dict[str, Any]:
    """A JSON object, read key by key: a ``response_data`` list object by object."""

    def read(key: str, at: int) -> tuple[Any, int]:
        if key == "response_data" and text[at] == "[":
            return _records(text, at, texts)
        return _scan(text, at)

    return dict(_object_members(text, read))


def _object_members(
    text: str, read: Callable[[str, int], tuple[Any, int]]
) -> list[tuple[str, Any]]:
    """The members of the JSON object ``text`` in order, each value as ``read(key, at)`` reads
    it from ``at`` (returning it and where it ends)."""
    at = _skip(text, 0)
    if text[at] != "{":
        raise ValueError("not an object")
    members: list[tuple[str, Any]] = []
    at = _skip(text, at + 1)
    closed = text[at] == "}"
    while not closed:
        if text[at] != '"':
            raise ValueError("a key was expected")
        key, at = _scanstring(text, at + 1)
        at = _skip(text, at)
        if text[at] != ":":
            raise ValueError("':' was expected")
        value, at = read(key, _skip(text, at + 1))
        members.append((key, value))
        at = _skip(text, at)
        closed = text[at] == "}"
        if not closed:
            if text[at] != ",":
                raise ValueError("',' or '}' was expected")
            at = _skip(text, at + 1)
    if _skip(text, at + 1) != len(text):
        raise ValueError("extra data")
    return members


def _records(text: str, at: int, texts: RecordTexts) -> tuple[list[Any], int]:
    """The list at ``text[at]``, keeping the text of each object in it."""
    records: list[Any] = []
    found: dict[int, str] = {}
    at = _skip(text, at + 1)
    if text[at] == "]":
        return records, at + 1
    while True:
        start = at
        record, at = _scan(text, at)
        records.append(record)
        if type(record) is dict:
            found[id(record)] = text[start:at]
        at = _skip(text, at)
        if text[at] == "]":
            texts._keep(records, found, summarized=False)
            return records, at + 1
        if text[at] != ",":
            raise ValueError("',' or ']' was expected")
        at = _skip(text, at + 1)


class _Msgspec:
    """msgspec's reader: the same values as the json module's, for what it takes."""

    def __init__(self) -> None:
        self.refused = msgspec.DecodeError  # a ValidationError is one too
        self._any = msgspec.json.Decoder(float_hook=Decimal)
        self._top = msgspec.json.Decoder(dict[str, msgspec.Raw])
        self._items = msgspec.json.Decoder(list[msgspec.Raw])
        self._summaries: dict[tuple[str, ...], msgspec.json.Decoder[Any]] = {}

    def loads(self, content: bytes, texts: RecordTexts | None) -> Any:
        if texts is None:
            return self._any.decode(content)
        envelope: dict[str, Any] = {}
        for key, raw in self._top.decode(content).items():
            if key == "response_data" and memoryview(raw)[0] == _OPEN_LIST:
                envelope[key] = self._records(raw, texts)
            else:
                envelope[key] = self._any.decode(raw)
        return envelope

    def _records(self, raw: msgspec.Raw, texts: RecordTexts) -> list[Any]:
        if texts.summary:
            return self._summaries_of(raw, texts)
        records: list[Any] = []
        found: dict[int, str] = {}
        for item in self._items.decode(raw):
            record = self._any.decode(item)
            records.append(record)
            if type(record) is dict:
                found[id(record)] = str(item, "utf-8")
        texts._keep(records, found, summarized=False)
        return records

    def _summaries_of(self, raw: msgspec.Raw, texts: RecordTexts) -> list[Any]:
        """The objects of the list as summaries (anything else whole), keeping their texts."""
        keys = texts.summary
        read = self._summary_reader(keys)
        unset = msgspec.UNSET
        records: list[Any] = []
        found: dict[int, str] = {}
        for item in self._items.decode(raw):
            if memoryview(item)[0] != _OPEN_OBJECT:
                records.append(self._any.decode(item))
                continue
            text = str(item, "utf-8")  # UTF-8 is checked here, as whole objects' reading does
            values = zip(keys, msgspec.structs.astuple(read(item)), strict=True)
            record = {key: value for key, value in values if value is not unset}
            records.append(record)
            found[id(record)] = text
        texts._keep(records, found, summarized=True)
        return records

    def _summary_reader(self, keys: tuple[str, ...]) -> Callable[[msgspec.Raw], Any]:
        decoder = self._summaries.get(keys)
        if decoder is None:
            fields = [(f"m{index}", Any, msgspec.UNSET) for index in range(len(keys))]
            renames = {f"m{index}": key for index, key in enumerate(keys)}
            summary = msgspec.defstruct("Summary", fields, rename=renames.__getitem__)
            decoder = msgspec.json.Decoder(summary, float_hook=Decimal)
            self._summaries[keys] = decoder
        return decoder.decode

    def read_object(self, text: str) -> Any:
        try:
            return self._any.decode(text)
        except msgspec.DecodeError:  # what msgspec refuses, the json module decides
            return _decoder.decode(text)


_OPEN_LIST = ord("[")
_OPEN_OBJECT = ord("{")
_fast: _Msgspec | None = None if msgspec is None else _Msgspec()


def _read_object(text: str) -> Any:
    """A summarized object's text, read whole: only msgspec's reader summarizes."""
    if _fast is None:
        return _decoder.decode(text)
    return _fast.read_object(text)


# -- members of a record's text -------------------------------------------------------------------

MemberTexts = Callable[[str], "tuple[str | None, ...]"]


def member_texts(keys: tuple[str, ...]) -> MemberTexts:
    """``read(text)``: the JSON text of each of ``keys`` in the JSON object ``text``, as written
    there (None for a key that is absent or null; the last one of a key written twice, as
    ``loads`` keeps). The export's columns of nested objects take them from the text BILL sent:
    encoding the decoded value again cost it as much as all its other columns.

    Raises ``ValueError`` when ``text`` is not a JSON object."""
    if _fast is None:
        return lambda text: _json_members(text, keys)
    fields = [(f"m{index}", msgspec.Raw, msgspec.Raw()) for index in range(len(keys))]
    renames = {f"m{index}": key for index, key in enumerate(keys)}
    members = msgspec.defstruct("Members", fields, rename=renames.__getitem__)
    decoder = msgspec.json.Decoder(members)

    def read(text: str) -> tuple[str | None, ...]:
        try:
            found = decoder.decode(text)
        except (msgspec.DecodeError, UnicodeEncodeError):  # a lone surrogate, say
            return _json_members(text, keys)  # what msgspec refuses, the json module decides
        return tuple(_member(bytes(raw).decode()) for raw in msgspec.structs.astuple(found))

    return read


def _member(written: str) -> str | None:
    return None if written in ("", "null") else written


def _json_members(text: str, keys: tuple[str, ...]) -> tuple[str | None, ...]:
    def written(key: str, at: int) -> tuple[str, int]:
        _, end = _scan(text, at)
        return text[at:end], end

    try:
        members = _object_members(text, written)
    except (IndexError, StopIteration) as error:
        raise ValueError(f"not a JSON object: {error!r}") from None
    found: dict[str, str | None] = dict.fromkeys(keys)
    for key, value in members:  # the last of a key written twice, as loads keeps
        if key in found:
            found[key] = _member(value)
    return tuple(found[key] for key in keys)
