"""Where the tests run: one answer to "are we in CI", and this run's own names in shared services."""

from __future__ import annotations

import os
import uuid

TRUE = ("1", "true", "yes", "on")


def in_ci() -> bool:
    """CI=true (or 1, yes, on; any case) means CI; unset, empty, CI=false or CI=0 do not."""
    return os.environ.get("CI", "").strip().lower() in TRUE


# One id per test run (per pytest process): every Redis key and PostgreSQL database a run makes
# carries it, so two runs on one host never wipe or drop each other's.
RUN_ID = uuid.uuid4().hex[:8]
REDIS_PREFIX = f"test-{RUN_ID}"
POSTGRES_PREFIX = f"minsheng_test_{RUN_ID}_"
