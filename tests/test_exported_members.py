"""The public API: everything is re-exported from bill_async, and ``__all__`` is sorted."""

from __future__ import annotations

import bill_async


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
