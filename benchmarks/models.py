"""Scenario 5, building models: ``Model.from_wire`` of a record and reading every field of the
model (nested ones included), against ``json.loads`` of the record's text.

The records are the emulator's demo data for one organization (Bills, Vendors, Invoices), each
as the JSON text the emulator sends, and as ``bill_async``'s own decoder reads that text (what
``from_wire`` gets from a call: amounts as ``Decimal``), decoded just before it is built, as
from a call's answer (that decoding is not timed). ``json.loads`` is the standard library's, as
a hand-written client would call it. Reading a model: every attribute attrs declares on it but
the private ones (so ``entity`` and ``extra`` too), and the same on every nested model. Each
record is timed on its own; rounds alternate the jobs over every record, and each job keeps
its best round (the least disturbed), per record. The garbage collector stays on, as in a
program, but the records held for the jobs are frozen out of its walks (``gc.freeze``): they
are not the jobs' garbage.
"""

from __future__ import annotations

import gc
import json
import time
import typing
from collections.abc import Callable
from typing import Any

__all__ = ["ENTITIES", "ModelResult", "measure"]

ENTITIES = ("Bill", "Vendor", "Invoice")


class ModelResult:
    """One model: µs per record for each job, and the ratio the target bounds."""

    def __init__(
        self, entity: str, records: int, loads_us: float, build_us: float, read_us: float
    ) -> None:
        self.entity = entity
        self.records = records
        self.loads_us = loads_us
        self.build_us = build_us  # from_wire alone
        self.build_and_read_us = read_us  # from_wire, then every field read

    @property
    def ratio(self) -> float:
        return self.build_and_read_us / self.loads_us


def _nested_model(annotation: Any) -> type[Any] | None:
    """The model in ``X | None`` or ``list[X] | None``, if X is one."""
    from bill_async import Model

    if isinstance(annotation, type) and issubclass(annotation, Model):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _reader(cls: type[Any]) -> Callable[[Any], None]:
    """Reads every public attribute of a model of ``cls``, and of each nested model in it, as
    code reading them one by one does (``bill.amount``; generated, so no loop of ours counts)."""
    import attrs

    fields = [f for f in attrs.fields(attrs.resolve_types(cls)) if not f.name.startswith("_")]
    names: dict[str, Any] = {}
    lines = ["def read(model):"]
    for field in fields:
        lines.append(f"    value = model.{field.name}")
        nested = _nested_model(field.type)
        if nested is not None:
            names[f"read_{field.name}"] = _reader(nested)
            lines += [
                "    if value is not None:",
                "        for item in value if type(value) is list else [value]:",
                f"            read_{field.name}(item)",
            ]
    exec("\n".join(lines), names)
    read: Callable[[Any], None] = names["read"]
    return read


def _records(entity: str, scale: float) -> list[str]:
    """The demo records of ``entity`` of the first organization, as the emulator sends them."""
    from bill_async.emulator import Emulator, EmulatorConfig

    emulator = Emulator(EmulatorConfig(scale=scale))
    objects = emulator.objects(emulator.org_ids[0], entity)
    return [json.dumps(o, separators=(",", ":"), ensure_ascii=False) for o in objects]


def _measure_one(entity: str, scale: float, rounds: int) -> ModelResult:
    from bill_async._v2._models import MODELS_BY_ENTITY
    from bill_async._v2._wire import loads

    cls = MODELS_BY_ENTITY[entity]
    texts = _records(entity, scale)
    from_wire, read, clock = cls.from_wire, _reader(cls), time.perf_counter
    for text in texts:  # nothing lost: the models hold exactly what came
        assert from_wire(loads(text)).to_wire() == loads(text)

    # Each record is timed on its own. A model is built from a record just decoded (not timed),
    # as from every call's answer: its dicts are where a program's would be, not cold in memory.
    def parse() -> float:
        spent = 0.0
        for text in texts:
            started = clock()
            json.loads(text)
            spent += clock() - started
        return spent

    def build() -> float:
        spent = 0.0
        for text in texts:
            wire = loads(text)
            started = clock()
            from_wire(wire)
            spent += clock() - started
        return spent

    def build_and_read() -> float:
        spent = 0.0
        for text in texts:
            wire = loads(text)
            started = clock()
            read(from_wire(wire))
            spent += clock() - started
        return spent

    best = {job: float("inf") for job in (parse, build, build_and_read)}
    gc.collect()
    gc.freeze()  # the records held here are not the jobs' garbage: no collection walks them
    try:
        for _ in range(rounds):  # alternating: a slower stretch of the machine hits all three
            for job in best:
                _forget_values_read()
                best[job] = min(best[job], job())
    finally:
        gc.unfreeze()
    per_record = {job: seconds / len(texts) * 1e6 for job, seconds in best.items()}
    return ModelResult(
        entity, len(texts), per_record[parse], per_record[build], per_record[build_and_read]
    )


def _forget_values_read() -> None:
    """Empty the converter's caches of dates, times and amounts read: every round reads the
    records as if for the first time, as a program reading new records would."""
    from bill_async._v2 import _convert

    for cache in (_convert._DATES, _convert._TIMESTAMPS, _convert._DECIMAL_INTS):
        cache.clear()


def measure(*, scale: float, rounds: int) -> list[ModelResult]:
    """Each model of ``ENTITIES``, over the demo data of one organization at ``scale``."""
    return [_measure_one(entity, scale, rounds) for entity in ENTITIES]
