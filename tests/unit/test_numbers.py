"""Numbers from outside are bounded where they enter (core.numbers): every integer field of every
callback data factory, the board's paths, typed arguments."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from aiogram.filters.callback_data import CallbackData
from annotated_types import Ge, Le
from hypothesis import given
from hypothesis import strategies as st

import handlers
from core.numbers import INT_MAX, INT_MIN, in_range, parse_int


def factories() -> list[type[CallbackData]]:
    for package in ("bot.keyboards", "handlers"):
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
            importlib.import_module(f"{package}.{module.name}")
    found, stack = [], list(CallbackData.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__prefix__)  # type: ignore[attr-defined]


def int_fields(cls: type[CallbackData]) -> list[str]:
    return [
        name
        for name, field in cls.model_fields.items()
        if int in (field.annotation, *getattr(field.annotation, "__args__", ()))
    ]


def test_the_walk_finds_the_factories() -> None:
    prefixes = {cls.__prefix__ for cls in factories()}  # type: ignore[attr-defined]
    assert {"pa", "bt", "er", "ec", "oc", "ra"} <= prefixes and handlers


@pytest.mark.parametrize("cls", factories(), ids=lambda cls: cls.__prefix__)
def test_every_integer_field_is_bounded(cls: type[CallbackData]) -> None:
    """bot.keyboards.Int on every integer field: a new factory written with a bare `int` fails here."""
    for name in int_fields(cls):
        metadata = cls.model_fields[name].metadata
        assert Ge(INT_MIN) in metadata and Le(INT_MAX) in metadata, (
            f"{cls.__name__}.{name}: use bot.keyboards.Int"
        )


@pytest.mark.parametrize(
    "cls", [cls for cls in factories() if int_fields(cls)], ids=lambda cls: cls.__prefix__
)
def test_a_number_past_the_columns_does_not_unpack(cls: type[CallbackData]) -> None:
    """Each integer field in turn set one past the range: the data no longer unpacks, so no filter
    matches the forged press (the fallback answers it)."""
    names = list(cls.model_fields)
    # Every other field a valid value: "1" fits integers and booleans, "x" a string.
    filler = {n: "x" if cls.model_fields[n].annotation is str else "1" for n in names}
    for name in int_fields(cls):
        for bad in (INT_MAX + 1, INT_MIN - 1, 10**20):
            parts = [cls.__prefix__] + [str(bad) if n == name else filler[n] for n in names]  # type: ignore[attr-defined]
            with pytest.raises(ValueError):
                cls.unpack(":".join(parts))
        good = [cls.__prefix__] + [str(INT_MAX) if n == name else filler[n] for n in names]  # type: ignore[attr-defined]
        assert getattr(cls.unpack(":".join(good)), name) == INT_MAX


@pytest.mark.parametrize(
    ("text", "minimum", "expected"),
    [
        ("0", 0, 0),
        ("2147483647", 0, INT_MAX),
        ("2147483648", 0, None),
        ("99999999999999999999", 0, None),
        ("-1", 0, None),
        ("-1", -5, -1),
        ("-2147483648", INT_MIN, INT_MIN),
        ("-2147483649", INT_MIN, None),
        ("", 0, None),
        ("-", -1, None),
        ("١٢", 0, None),  # Arabic-Indic digits: isdigit() but not ASCII
        ("１２", 0, None),  # full-width digits
        (" 12", 0, None),
        ("+12", 0, None),
        ("12a", 0, None),
        ("5", 6, None),
        ("6", 6, 6),
    ],
)
def test_parse_int(text: str, minimum: int, expected: int | None) -> None:
    assert parse_int(text, minimum) == expected


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_parse_int_accepts_exactly_the_columns_range(value: int) -> None:
    assert parse_int(str(value), INT_MIN) == (value if in_range(value) else None)
    assert in_range(value) == (INT_MIN <= value <= INT_MAX)


def test_in_range_includes_both_ends_of_int32() -> None:
    assert in_range(-2147483648) and in_range(2147483647)
    assert not in_range(-2147483649) and not in_range(2147483648)


def test_a_minus_sign_is_refused_where_no_negative_is_allowed() -> None:
    assert parse_int("-0", 0) is None
    assert parse_int("-0", -1) == 0


def test_thousands_of_digits_are_refused_not_raised() -> None:
    """Python's int() raises past 4300 digits: the length is refused before it is read."""
    assert parse_int("9" * 5000) is None
