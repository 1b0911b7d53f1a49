"""constraints.txt: every package the README's install and test commands install, pinned.

The pins are the versions installed in the current environment, for the project's dependencies
with the `dev` extra and everything they pull in (on this platform). The README's commands install
with `pip install -c constraints.txt ...`, so a new release of ruff, SQLAlchemy or anything else
cannot turn CI red with no change of ours. Update the pins on purpose, in a commit of their own:

    .venv/bin/pip install -U <package>          # or change pyproject.toml and reinstall
    .venv/bin/python tools/constraints.py       # rewrites constraints.txt
    .venv/bin/python tools/constraints.py --check   # exit 1 if constraints.txt misses or differs
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
HEADER = (
    '# Every package `pip install -e ".[dev]"` installs, pinned (tools/constraints.py writes this file;\n'
    "# update it on purpose, in a commit of its own).\n"
)


def _wanted(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras or {""})


def closure() -> dict[str, str]:
    """Canonical name -> installed version, for the project's requirements (with `dev`) and theirs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [
        (Requirement(line), set())
        for line in project["dependencies"] + project["optional-dependencies"]["dev"]
    ]
    pinned: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement, parent_extras = todo.pop()
        if not _wanted(requirement, parent_extras):
            continue
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError as error:
            raise SystemExit(f"{requirement.name} is required but not installed; install it first") from error
        pinned[name] = distribution.version
        extras = set(requirement.extras)
        for line in distribution.requires or []:
            todo.append((Requirement(line), extras))
    return pinned


def render(pinned: dict[str, str]) -> str:
    return HEADER + "".join(f"{name}=={version}\n" for name, version in sorted(pinned.items()))


def read(path: Path = CONSTRAINTS) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    pinned = closure()
    if args.check:
        written = read()
        missing = sorted(set(pinned) - set(written))
        differ = sorted(n for n in pinned if n in written and written[n] != pinned[n])
        for name in missing:
            print(f"not pinned: {name} (installed {pinned[name]})")
        for name in differ:
            print(f"pinned {name}=={written[name]}, installed {pinned[name]}")
        return 1 if missing or differ else 0
    CONSTRAINTS.write_text(render(pinned), encoding="utf-8")
    print(f"{len(pinned)} packages pinned in {CONSTRAINTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
