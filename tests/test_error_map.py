"""Every code of BILL's error table has the class a user can act on (``ERROR_CLASSES``)."""

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import pytest

import bill_async
from bill_async._exceptions import api_error_for

TABLE = Path(__file__).parent / "reference" / "v2-error-codes.tsv"


def bill_table() -> dict[str, str]:
    """BILL's error table: code -> message template."""
    with TABLE.open(newline="") as file:
        rows = list(csv.reader(file, delimiter="\t"))
    return {row[0]: row[1] for row in rows[1:]}


SIGN_IN = ("1101", "1102", "1103", "1104", "1106", "1107", "1110", "1111", "1113", "1123")
BAD_INPUT = (
    *("1108", "1114", "1115", "1116", "1117", "1118", "1119"),
    *("1122", "1124", "1126", "1128", "1129", "1130"),
)
EXPECTED: dict[str, type[bill_async.ApiError]] = {
    **{f"BDC_{n}": bill_async.AuthenticationError for n in SIGN_IN},
    "BDC_1103": bill_async.InactiveDevKeyError,
    "BDC_1107": bill_async.LockedOutError,
    "BDC_1110": bill_async.LockedOutError,
    **{f"BDC_{n}": bill_async.InvalidInputError for n in BAD_INPUT},
    **{f"BDC_{n}": bill_async.ServerError for n in ("1001", "1002", "1003", "1005", "1125")},
    "BDC_1109": bill_async.SessionExpiredError,
    "BDC_1120": bill_async.NotFoundError,
    "BDC_1121": bill_async.UnsupportedOperationError,
    "BDC_1127": bill_async.NotFoundError,
}


def test_every_code_of_bills_table_is_in_the_map_with_its_class() -> None:
    table = bill_table()
    assert len(table) == 32
    assert set(table) == set(EXPECTED)
    for code in table:
        assert bill_async.ERROR_CLASSES[code] is EXPECTED[code], code


@pytest.mark.parametrize("number", [*SIGN_IN, "1129"])
def test_each_sign_in_failure_on_login_is_an_authentication_error(number: str) -> None:
    code = f"BDC_{number}"
    error = api_error_for(code, bill_table()[code], "Login.json")
    assert isinstance(error, bill_async.AuthenticationError)
    assert error.code == code and error.operation == "Login.json"


def test_1129_is_bad_input_on_any_other_operation() -> None:
    message = "Invalid parameter value for parameter,value: max, 5000."
    error = api_error_for("BDC_1129", message, "List/Vendor.json")
    assert type(error) is bill_async.InvalidInputError
    assert (error.field, error.value) == ("max", "5000")


def test_only_lockouts_pass() -> None:
    passing = {
        cls
        for cls in bill_async.ERROR_CLASSES.values()
        if issubclass(cls, bill_async.AuthenticationError) and not cls.permanent
    }
    assert passing == {bill_async.LockedOutError}
    assert bill_async.InactiveDevKeyError.permanent and bill_async.AuthenticationError.permanent


def _filled(template: str, first: str, second: str) -> str:
    return template.replace("${paramName0}", first).replace("${paramName1}", second)


@pytest.mark.parametrize(
    ("code", "first", "second", "field", "value"),
    [
        ("BDC_1108", "orgId", "", "orgId", None),
        ("BDC_1114", "Vendr", "", None, "Vendr"),
        ("BDC_1115", "Fetch", "", None, "Fetch"),
        ("BDC_1116", "Vendr", "", None, "Vendr"),
        ("BDC_1117", "name", "", "name", None),
        ("BDC_1118", "Vendor", "Customer", None, "Customer"),
        ("BDC_1119", "isActive", "f", "isActive", "f"),
        ("BDC_1119", "name", "Smith, John", "name", "Smith, John"),
        ("BDC_1122", "", "", None, None),
        ("BDC_1124", "isToBeEmailed", "", "isToBeEmailed", None),
        ("BDC_1128", "Vendr", "", None, "Vendr"),
        ("BDC_1129", "nested", "13", "nested", "13"),
        ("BDC_1130", "nmae", "", "nmae", None),
    ],
)
def test_bad_input_carries_the_field_and_value_bill_named(
    code: str, first: str, second: str, field: str | None, value: str | None
) -> None:
    message = _filled(bill_table()[code], first, second)
    error = api_error_for(code, message, "Crud/Create/Vendor.json")
    assert type(error) is bill_async.InvalidInputError
    assert (error.field, error.value) == (field, value)
    assert error.message == message


@pytest.mark.parametrize(
    ("message", "field", "value"),
    [
        # BILL's Node client's tests against BILL's sandbox show these two forms.
        ("Invalid value for data key,value: nested, 13.", "nested", "13"),
        (
            "Invalid value for data key,value: nextDueDate, this is an invalid date.",
            "nextDueDate",
            "this is an invalid date",
        ),
        (
            "Invalid entity data. name: Maximum length cannot be greater than 100 characters.",
            "name",
            None,
        ),
        ("Invalid entity data. Invalid DB ID: customerId.", "customerId", None),
        ("Something BILL has not said before.", None, None),
    ],
)
def test_bills_other_input_messages_are_read_too(
    message: str, field: str | None, value: str | None
) -> None:
    error = api_error_for("BDC_1119", message, "Crud/Create/Customer.json")
    assert isinstance(error, bill_async.InvalidInputError)
    assert (error.field, error.value) == (field, value)


def test_new_classes_survive_pickling() -> None:
    error = api_error_for("BDC_1119", "Invalid field,value: isActive, f.", "X.json")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is bill_async.InvalidInputError
    assert (copy.field, copy.value, copy.code) == ("isActive", "f", "BDC_1119")
    locked = pickle.loads(pickle.dumps(api_error_for("BDC_1107", "m", "Login.json")))
    assert type(locked) is bill_async.LockedOutError and not locked.permanent


def test_the_module_docstring_tree_names_every_mapped_class() -> None:
    tree = bill_async._exceptions.__doc__ or ""
    for error_class in set(bill_async.ERROR_CLASSES.values()):
        assert f"── {error_class.__name__} " in tree, error_class.__name__
