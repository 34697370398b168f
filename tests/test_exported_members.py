"""The public API: everything is re-exported from bill_async, and ``__all__`` is sorted."""

from __future__ import annotations

import pytest

import bill_async
import bill_async.abc
from tests.fakebill import FakeBill, client, ok


def test_all_is_sorted_and_unique() -> None:
    assert bill_async.__all__ == sorted(set(bill_async.__all__))


def test_all_names_exist_and_public_names_are_listed() -> None:
    for name in bill_async.__all__:
        assert hasattr(bill_async, name), name
    public = {
        name
        for name, value in vars(bill_async).items()
        if not name.startswith("_") and not isinstance(value, type(bill_async))
    }
    public.discard("annotations")  # from __future__
    assert public <= set(bill_async.__all__), public - set(bill_async.__all__)


def test_public_classes_live_in_private_modules() -> None:
    for name in bill_async.__all__:
        value = getattr(bill_async, name)
        module = getattr(value, "__module__", None)
        if isinstance(value, type) and module and module.startswith("bill_async."):
            assert module.split(".")[1].startswith("_"), (name, module)


def test_the_abc_and_redis_modules_export_sorted_public_names() -> None:
    import bill_async.redis
    import bill_async.v3

    for module in (bill_async.abc, bill_async.redis, bill_async.v3):
        assert module.__all__ == sorted(set(module.__all__)), module.__name__
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


class _CountingLimits(bill_async.abc.LimitStore):
    """A third-party limit store built from the public interfaces alone."""

    def __init__(self) -> None:
        self.inner = bill_async.InProcessLimits()
        self.asked: list[str] = []

    def governor(self, key: str, max_in_flight: int) -> bill_async.abc.Governor:
        self.asked.append("governor")
        return self.inner.governor(key, max_in_flight)

    def budget(self, key: str, limit: int) -> bill_async.abc.Budget:
        self.asked.append("budget")
        return self.inner.budget(key, limit)


@pytest.mark.anyio
async def test_a_third_party_limit_store_needs_no_private_import() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", ok({"entity": "Vendor", "id": "009x"}))
    limits = _CountingLimits()
    async with client(fake, limits=limits) as bill:
        vendor = await bill.vendors.read("009x")
    assert vendor.id == "009x"
    assert "governor" in limits.asked and "budget" in limits.asked
