"""Fixtures the end-to-end tests share (the steps people take are in tests/e2e/steps.py)."""

from __future__ import annotations

import pytest

from bot.sandbox.session import Sandbox
from tests.conftest import seed_areas_and_roster
from tests.e2e.steps import DEPUTY, FAR_DEPUTY, OTHER_DEPUTY, RESIDENT, STREET_ROSTER


@pytest.fixture
async def street(sandbox: Sandbox) -> Sandbox:
    """Areas and STREET_ROSTER; the three deputies and the resident 王阿姨 have said /start."""
    await seed_areas_and_roster(sandbox, STREET_ROSTER)
    for user, name in ((DEPUTY, "张伟"), (OTHER_DEPUTY, "李娜"), (FAR_DEPUTY, "王芳"), (RESIDENT, "王阿姨")):
        await sandbox.say(user, "/start", name=name)
    return sandbox
