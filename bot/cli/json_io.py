"""The shape of the JSON-in, JSON-out commands (tally, score): one clear error line and exit 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def run_json_command(path: Path, compute: Callable[[Any], dict[str, Any]]) -> int:
    """`compute` turns the parsed file into the result, raising ValueError for a bad file."""
    try:
        result = compute(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read {path}: {error}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as error:
        print(f"error: {path} is not JSON: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0
