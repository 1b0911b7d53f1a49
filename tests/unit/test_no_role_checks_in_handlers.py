"""No handler checks a role by hand (issue 13): who may reach a handler is declared on its router
(RoleIs) or checked by a context loader (bot/permissions.py), never an `if role …` in a body."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.config import PROJECT_ROOT


def _mentions_role(node: ast.AST) -> bool:
    """`role`, `x.role`, `Role`, `Role.ADMIN`, `Role.ADMIN.value`, `(Role.STAFF, Role.ADMIN)`; a
    call's arguments are not looked into (`await access(role, …) is Access.FULL` asks the rule)."""
    if isinstance(node, ast.Name):
        return node.id in ("role", "Role")
    if isinstance(node, ast.Attribute):
        return node.attr == "role" or _mentions_role(node.value)
    if isinstance(node, ast.Call):
        return False
    return any(_mentions_role(child) for child in ast.iter_child_nodes(node))


def role_checks(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Compare)
            and any(_mentions_role(operand) for operand in [node.left, *node.comparators])
        ) or (isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("admins_only", "only_admins")):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_detector_sees_the_spellings_it_is_meant_to() -> None:
    spellings = [
        "role is Role.ADMIN",
        "role is not Role.DEPUTY",
        "role != Role.ADMIN",
        "role == Role.STAFF",
        "role in (Role.STAFF, Role.ADMIN)",
        "role not in (Role.DEPUTY, Role.ADMIN)",
        "user.role == 'admin'",
        "invite.role == Role.DEPUTY.value",
        "only_admins(role)",
    ]
    for spelling in spellings:
        assert role_checks(f"if {spelling}:\n    pass\n"), spelling
    assert (
        role_checks(
            "restrict(router, Role.ADMIN)\nsend(role)\nif await may(role) is Access.FULL:\n    pass\n"
        )
        == []
    )


def test_no_handler_compares_roles() -> None:
    offenders = []
    for path in sorted((PROJECT_ROOT / "handlers").glob("*.py")):
        for line, text in role_checks(path.read_text(encoding="utf-8")):
            offenders.append(f"{Path(path).name}:{line}: {text}")
    assert offenders == [], "role checks belong on routers (RoleIs) or in bot/permissions.py:\n" + "\n".join(
        offenders
    )
