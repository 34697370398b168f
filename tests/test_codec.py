"""Reading BILL's JSON: the json module's reader and msgspec's (the ``fast`` extra) give the same
values, and the export gets the text BILL sent for each listed record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bill_async._v2 import _codec

FIXTURES = Path(__file__).parent / "fixtures"

ODD = [
    b'{"a":1,"a":2}',  # the last of a repeated key, where the first one was
    b"[1E+2, -0, 0.0, 1.50, 15e-1, 123456789012345678901234567890, 1e999999]",
    b' { "response_data" : [ {"x": 1.50} , 7 , {"y": [ ]} ] , "response_status" : 0 } \n',
    b'{"response_data":{"error_code":"BDC_1109","error_message":"Session"}}',
    b'{"response_data":[]}',
    '{"k":"\u00e9\u2028"}'.encode(),
    b'{"a":"\\ud800"}',  # a lone surrogate: the json module reads it, msgspec does not
    b"[NaN, Infinity]",
    b'\xef\xbb\xbf{"a":1}',  # a byte order mark
    '{"a":1}'.encode("utf-16"),
    b'{"a":"\x01"}',
    b'{"a":1} x',
    b'{"a":1,}',
    b"",
    b"   ",
    b'"text"',
]


def _bodies() -> list[bytes]:
    return [path.read_bytes() for path in sorted(FIXTURES.glob("*.json"))] + ODD


@pytest.fixture(params=["json module", "msgspec"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "msgspec":
        pytest.importorskip("msgspec")
        assert _codec._fast is not None
    else:
        monkeypatch.setattr(_codec, "_fast", None)
    yield request.param


def _read(body: bytes, *, texts: bool) -> tuple[Any, dict[int, str]]:
    try:
        if not texts:
            return ("value", _codec.loads(body)), {}
        with _codec.record_texts() as kept:
            return ("value", _codec.loads(body)), kept.by_id
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
        return ("error", type(error).__name__), {}


@pytest.mark.parametrize("texts", [False, True], ids=["plain", "keeping texts"])
def test_both_readers_give_the_json_modules_values_and_errors(reader: str, texts: bool) -> None:
    for body in _bodies():
        expected: Any
        try:
            text = body.decode(json.detect_encoding(body), "surrogatepass")
            expected = ("value", _codec._decoder.decode(text))
        except ValueError as error:
            expected = ("error", type(error).__name__)
        got, _ = _read(body, texts=texts)
        assert repr(got) == repr(expected), body[:60]


def test_the_text_of_each_listed_record_is_kept_as_sent(reader: str) -> None:
    body = b' {"response_status":0 , "response_data" : [ {"x": 1.50 } , 7 , {"y":"\\u00e9"} ] } '
    (kind, envelope), texts = _read(body, texts=True)
    assert kind == "value"
    first, number, last = envelope["response_data"]
    assert number == 7 and len(texts) == 2
    assert texts[id(first)] == '{"x": 1.50 }' and texts[id(last)] == '{"y":"\\u00e9"}'
    assert str(first["x"]) == "1.50"


def test_texts_are_kept_only_while_asked_and_only_for_list_answers(reader: str) -> None:
    listed = b'{"response_status":0,"response_data":[{"a":1}]}'
    assert _read(listed, texts=False)[1] == {}
    assert _read(b'{"response_status":0,"response_data":{"a":1}}', texts=True)[1] == {}
    with _codec.record_texts() as kept:
        _codec.loads(listed)
        with _codec.record_texts() as inner:
            _codec.loads(b'{"response_data":[{"b":2},{"c":3}]}')
    assert list(kept.by_id.values()) == ['{"a":1}'] and len(inner.by_id) == 2


def test_both_readers_give_each_members_text_as_written(reader: str) -> None:
    read = _codec.member_texts(("billLineItems", "payments", "absent"))
    text = (
        ' { "billLineItems" : [ {"amount": 100.00, "d": "caf\\u00e9"} ] , "payments":null,'
        ' "x": {"billLineItems": 1}, "billLineItems": [{"amount": 1E+2}] } '
    )
    # The last of a repeated key, as loads keeps it; null and absent are None.
    assert read(text) == ('[{"amount": 1E+2}]', None, None)
    escaped = '{"billLineItems":[ ],"payments":{"a":"\\ud800"}}'  # a lone surrogate, escaped
    assert read(escaped) == ("[ ]", '{"a":"\\ud800"}', None)
    lone = '{"payments":"\ud800"}'  # a lone surrogate itself, as surrogatepass decodes it
    assert read(lone) == (None, '"\ud800"', None)
    for not_an_object in ("[1]", '"text"', '{"a":', ""):
        with pytest.raises(ValueError):
            read(not_an_object)


SUMMARY = ("id", "updatedTime")


def test_summaries_stand_for_the_whole_records_each_reader_gives(reader: str) -> None:
    listed = [
        b'{"response_status":0,"response_data":['
        b'{"id":"00n1","updatedTime":"2024-01-02T03:04:05.000+0000","amount":1.50,"x":[{"a":1E+2}]},'
        b' 7 , {"updatedTime":null,"id":"a","id":"b","y":"caf\\u00e9"}, {} ]}',
    ]
    refused = b'{"response_data":[{"id":"1"},{"z":"\\ud800"}]}'  # msgspec's reader refuses it
    bodies = [body for body in _bodies() if b"response_data" in body] + listed + [refused]
    for body in bodies:
        try:
            expected = _codec.loads(body)
        except ValueError:
            continue  # what neither reader reads, summarized or not: the test above
        with _codec.record_texts(summary=SUMMARY) as kept:
            envelope = _codec.loads(body)
        records = envelope["response_data"]
        whole = expected["response_data"]
        if not isinstance(whole, list):
            assert repr(envelope) == repr(expected) and kept.by_id == {}
            continue
        assert repr([kept.whole(record) for record in records]) == repr(whole), body[:60]
        # msgspec's reader gives the objects as their summaries; the json module's, whole.
        assert kept.summarized == (reader == "msgspec" and body != refused)
        for record, full in zip(records, whole, strict=True):
            if kept.summarized and type(full) is dict:
                assert record == {key: full[key] for key in SUMMARY if key in full}
            else:
                assert record is kept.whole(record)


def test_a_summary_keeps_the_text_sent_and_checks_it_is_utf8(reader: str) -> None:
    body = b'{"response_data":[ {"id":"1", "n": 1.50 } ],"response_status":0}'
    with _codec.record_texts(summary=SUMMARY) as kept:
        (record,) = _codec.loads(body)["response_data"]
    assert kept.by_id[id(record)] == '{"id":"1", "n": 1.50 }'
    assert str(kept.whole(record)["n"]) == "1.50"
    with pytest.raises(UnicodeDecodeError), _codec.record_texts(summary=SUMMARY):
        _codec.loads(b'{"response_data":[{"id":"1","n":"\xff"}],"response_status":0}')
