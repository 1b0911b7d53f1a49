"""The layers stay apart (issue 17): an `ast` walk over every module's imports and calls.

- core/ is the rules, pure Python: no aiogram, no database library, nothing of bot/ or handlers/.
- bot/services/ are the use cases' storage steps: no aiogram (they run outside any update too) and
  no handlers.
- Only the runtime's app wires the handlers in: no other module of bot/ imports handlers/, and the
  scheduler reaches use cases through bot/notices/, never through a handler.
- bot/notices/ (the use cases that tell people) run no query themselves and know no handler.
- No handler module imports another (shared pieces live outside handlers/; handlers/__init__.py
  only collects the routers), no handler runs a query or changes a row itself, and no handler
  function reaches 40 lines.
- No test module imports another (issue 18): shared fixtures live in a conftest.py, shared steps in
  tests/e2e/steps.py.
- Round and evaluation results are typed (core/results.py): nothing in handlers/ or bot/ looks a
  key up in a variable called `result` (`result["tied"]`, `result.get("counts")`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.runtime.app
from bot.config import PROJECT_ROOT

HANDLERS = PROJECT_ROOT / "handlers"
APP = Path(bot.runtime.app.__file__)


def modules(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py") if "migrations" not in path.parts)


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import in the module, relative ones made absolute."""
    package = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base]) if base else ".".join(parent)
            yield node.lineno, base
            for alias in node.names:  # `from handlers import deputy` imports handlers.deputy
                yield node.lineno, f"{base}.{alias.name}"


def offending(folder: Path, forbidden: tuple[str, ...], skip: tuple[Path, ...] = ()) -> list[str]:
    found = []
    for path in modules(folder):
        if path in skip:
            continue
        for line, name in imported(path):
            if any(name == root or name.startswith(root + ".") for root in forbidden):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}")
    return sorted(set(found))


def test_the_walk_sees_imports() -> None:
    """The checks below would pass on a walk that finds nothing: make sure it finds the known ones."""
    assert any(name == "handlers.setup_routers" for _line, name in imported(APP))
    assert any(name.startswith("aiogram") for path in modules(HANDLERS) for _line, name in imported(path))


def test_core_is_pure() -> None:
    assert offending(PROJECT_ROOT / "core", ("aiogram", "sqlalchemy", "sqlmodel", "bot", "handlers")) == []


def test_services_know_no_telegram_and_no_handlers() -> None:
    assert offending(PROJECT_ROOT / "bot" / "services", ("aiogram", "handlers")) == []


def test_only_the_app_imports_handlers() -> None:
    found = offending(PROJECT_ROOT / "bot", ("handlers",), skip=(APP,))
    assert found == []


def test_no_handler_imports_another() -> None:
    assert offending(HANDLERS, ("handlers",), skip=(HANDLERS / "__init__.py",)) == []


MAX_LINES = 40
ROW_CALLS = {"exec", "execute", "get", "add", "add_all", "delete", "merge", "refresh", "flush"}


def queries(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "select":
            found.append(f"line {node.lineno}: select(")
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "session"
            and node.attr in ROW_CALLS
        ):
            found.append(f"line {node.lineno}: session.{node.attr}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {
            "sqlmodel",
            "sqlalchemy",
        }:
            found.append(f"line {node.lineno}: from {node.module} import")
    return found


def test_the_query_check_sees_queries() -> None:
    assert queries(PROJECT_ROOT / "bot" / "services" / "users.py")


@pytest.mark.parametrize("path", modules(HANDLERS), ids=lambda path: path.name)
def test_handlers_run_no_queries(path: Path) -> None:
    """Queries and row changes go through the services; a handler commits through services.commit()."""
    assert queries(path) == []


@pytest.mark.parametrize("path", modules(HANDLERS), ids=lambda path: path.name)
def test_handler_functions_are_short(path: Path) -> None:
    """A handler reads like one step of the conversation: under 40 lines, or it is split by step."""
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"  # type: ignore[operator]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 >= MAX_LINES  # type: ignore[operator]
    ]
    assert long == []


@pytest.mark.parametrize("path", modules(PROJECT_ROOT / "bot" / "notices"), ids=lambda path: path.name)
def test_notices_go_through_the_services(path: Path) -> None:
    """The use cases decide who is told what; they read and change rows through the services and
    know no handler."""
    assert queries(path) == []
    assert offending(path.parent, ("handlers",)) == []


# -- the test suite: no test module imports another (issue 18, shared steps) ----------------------
# What tests share lives in a conftest.py (fixtures) or tests/e2e/steps.py (what people do in
# chat): a test module is only collected, never imported, so editing one cannot change another.
def is_test_module(name: str) -> bool:
    return name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")


def test_the_walk_sees_the_tests_imports() -> None:
    names = [name for _line, name in imported(PROJECT_ROOT / "tests" / "e2e" / "test_triage.py")]
    assert "tests.e2e.steps" in names and "tests.conftest.seed_areas_and_roster" in names
    assert is_test_module("tests.e2e.test_triage") and is_test_module("tests.test_layering")
    assert not is_test_module("tests.e2e.steps") and not is_test_module("tests.unit.test_tally.X")


def test_no_test_module_imports_another() -> None:
    tests = PROJECT_ROOT / "tests"
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
        for path in modules(tests)
        for line, name in imported(path)
        if is_test_module(name)
    ]
    assert sorted(set(found)) == [], "move what is shared to a conftest.py or tests/e2e/steps.py"


def dict_lookups(source: str, name: str = "result") -> list[str]:
    """`name["key"]` and `name.get("key", ...)` with a string constant key: a result read as a dict."""
    found = []
    for node in ast.walk(ast.parse(source)):
        target = key = None
        if isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
        ):
            target, key = node.func.value, node.args[0]
        if (
            isinstance(target, ast.Name)
            and target.id == name
            and isinstance(key, ast.Constant)
            and isinstance(key.value, str)
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_lookup_check_sees_lookups() -> None:
    source = (
        'a = result["tied"]\nb = result.get("counts", {})\nc = result.tied\nd = other["tied"]\ne = result[0]'
    )
    assert dict_lookups(source) == ["line 1: result['tied']", "line 2: result.get('counts', {})"]


def test_results_are_read_by_attribute() -> None:
    """Results travel as core/results.py's dataclasses: `result.tied`, never `result["tied"]`."""
    found = [
        f"{path.relative_to(PROJECT_ROOT)} {lookup}"
        for path in modules(HANDLERS) + modules(PROJECT_ROOT / "bot")
        for lookup in dict_lookups(path.read_text(encoding="utf-8"))
    ]
    assert found == []
