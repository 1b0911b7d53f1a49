"""The Bot API reference (methods and parameters) and the decoding of request parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPEC_FILE = Path(__file__).resolve().parent / "botapi.json"


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str | None = None


class BadRequest(Exception):
    """A 4xx answer with Telegram's description."""

    def __init__(self, description: str, code: int = 400, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class Method:
    name: str
    fields: dict[str, Field]


class BotApiSpec:
    def __init__(self, methods: dict[str, Method], version: str) -> None:
        self.methods = methods
        self.version = version
        self._by_lower = {name.lower(): method for name, method in methods.items()}

    @classmethod
    def load(cls, path: Path = SPEC_FILE) -> BotApiSpec:
        raw = json.loads(path.read_text(encoding="utf-8"))
        methods = {
            name: Method(
                name, {f["name"]: Field(f["name"], tuple(f["types"]), f["required"]) for f in body["fields"]}
            )
            for name, body in raw["methods"].items()
        }
        return cls(methods, raw["version"])

    def method(self, name: str) -> Method:
        """Telegram matches method names case-insensitively."""
        method = self._by_lower.get(name.lower())
        if method is None:
            raise BadRequest("Not Found: method not found", code=404)
        return method

    def decode(self, method: Method, raw: dict[str, Any]) -> dict[str, Any]:
        """Checks names, presence and types; returns values as Python objects."""
        params: dict[str, Any] = {}
        for name, value in raw.items():
            field = method.fields.get(name)
            if field is None:
                raise BadRequest(f"Bad Request: unknown parameter {name!r} for method {method.name}")
            params[name] = _decode_value(field, value)
        for field in method.fields.values():
            if field.required and field.name not in params:
                # Clients drop empty values, so an empty text arrives as a missing one.
                raise BadRequest(
                    _MISSING.get(field.name, f"Bad Request: parameter {field.name!r} is required")
                )
        return params


_MISSING = {"text": "Bad Request: message text is empty"}


@cache
def default_spec() -> BotApiSpec:
    return BotApiSpec.load()


_SCALARS = {"Integer", "Float", "Boolean", "String"}


def _decode_value(field: Field, value: Any) -> Any:
    if isinstance(value, UploadedFile):
        if "InputFile" in field.types:
            return value
        raise BadRequest(f"Bad Request: parameter {field.name!r} can't be a file")
    errors = []
    for kind in field.types:
        try:
            return _as(kind, value)
        except (ValueError, TypeError) as error:
            errors.append(str(error))
    raise BadRequest(f"Bad Request: parameter {field.name!r} must be {' or '.join(field.types)}")


def _as(kind: str, value: Any) -> Any:
    """One Bot API type; form fields arrive as strings, JSON bodies as native values."""
    if kind == "Integer":
        if isinstance(value, bool):
            raise TypeError("bool is not an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ValueError("not an integer")
    if kind == "Float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return float(value)
    if kind == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise ValueError("not a boolean")
    if kind == "String":
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise TypeError("not a string")
    if kind == "InputFile":
        if isinstance(value, str) and value:
            return value  # a file_id or URL
        raise TypeError("not a file")
    # Objects and arrays: JSON-serialised in form bodies.
    decoded = json.loads(value) if isinstance(value, str) else value
    if kind.startswith("Array of "):
        if not isinstance(decoded, list):
            raise TypeError("not an array")
        return decoded
    if not isinstance(decoded, dict):
        raise TypeError("not an object")
    return decoded
