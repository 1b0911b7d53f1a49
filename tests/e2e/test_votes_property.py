"""Issue 12, the property: for any interleaving of casts, roster changes, clock moves and closing,
counted ballots == receipts found counted == has-voted marks of the frozen electorate, and nothing
written at or after closes_at counts. Runs the real RoundService on a fresh SQLite database per
example (the real concurrency is tests/e2e/test_votes_hold_up.py's fault 3, on PostgreSQL)."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, select

import bot.db.models  # noqa: F401
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import CastBallot, Deputy, District, RoundElector, RoundVoter, Street, User
from bot.runtime.clock import ManualClock
from bot.services.rounds import BallotRefused, RoundService, digest_of
from bot.services.suggestions import SuggestionService
from core.tally import Mode

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LENGTH = timedelta(hours=8)
DEPUTIES = 6
CATEGORIES = ["eldercare", "environment", "transport"]

operation = st.one_of(
    st.tuples(st.just("cast"), st.integers(0, DEPUTIES - 1)),
    st.tuples(st.just("wait"), st.integers(1, 300)),  # minutes
    st.tuples(st.just("toggle"), st.integers(0, DEPUTIES - 1)),  # deactivate / re-activate
    st.tuples(st.just("close"), st.just(0)),
)


async def scenario(
    before_opening: list[tuple[str, int]], operations: list[tuple[str, int]], folder: Path
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'property.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    factory = create_session_factory(engine)
    clock = ManualClock(START - timedelta(days=1))
    try:
        async with factory() as session:
            district = District(name="福田区")
            session.add(district)
            await session.flush()
            street = Street(district_id=district.id, name="莲花街道", key="lianhua")  # type: ignore[arg-type]
            session.add(street)
            await session.flush()
            admin = User(
                telegram_id=9001, pseudonym="admin", created_at=clock.now(), last_seen_at=clock.now()
            )
            session.add(admin)
            deputies = [
                Deputy(name=f"代表{n}", telegram_id=2001 + n, street_id=street.id, created_at=clock.now())  # type: ignore[arg-type]
                for n in range(DEPUTIES)
            ]
            session.add_all(deputies)
            await session.flush()
            service = RoundService(session, clock, SuggestionService(session, clock))
            items = [await service.add_item(2027, f"项目{n}", CATEGORIES[n % 3], "special") for n in range(6)]
            round_ = await service.create(admin, 2027, "性质", Mode.APPROVAL, 4, items)
            # Roster changes before the opening shape the electorate; afterwards they must not.
            for kind, index in before_opening:
                if kind == "toggle":
                    deputies[index].is_active = not deputies[index].is_active
            await session.flush()
            await service.schedule(round_, START, START + LENGTH)
            await clock.advance_to(START)
            assert await service.open(round_)
            await session.commit()
            electorate = {d.id for d in deputies if d.is_active}
            rid = round_.id
        choices = {"c1": True, "c3": True, "c5": True}  # one of each category
        receipts: dict[int, str] = {}
        closed_at: datetime | None = None
        for kind, value in operations:
            async with factory() as session:
                service = RoundService(session, clock, SuggestionService(session, clock))
                round_ = await service.get(rid)
                if kind == "wait":
                    await clock.advance_to(clock.now() + timedelta(minutes=value))
                elif kind == "toggle":
                    deputy = await session.get(Deputy, deputies[value].id)
                    deputy.is_active = not deputy.is_active  # type: ignore[union-attr]
                    await session.commit()
                elif kind == "close":
                    # The scheduler's closing: only once the clock has passed closes_at.
                    if await service.close(round_, by_clock=True) is not None:  # type: ignore[arg-type]
                        closed_at = clock.now()
                    await session.commit()
                else:
                    deputy_id = deputies[value].id
                    deputy = await session.get(Deputy, deputy_id)
                    try:
                        receipt = await service.cast(round_, deputy, dict(choices))  # type: ignore[arg-type]
                    except BallotRefused as refused:
                        await session.rollback()
                        now = clock.now()
                        if now >= START + LENGTH or closed_at is not None:
                            assert refused.code in ("late", "closed")
                        elif deputy_id not in electorate:
                            assert refused.code == "not_elector"
                        else:
                            assert refused.code == "voted" and deputy_id in receipts
                        continue
                    await session.commit()
                    assert clock.now() < START + LENGTH and closed_at is None
                    assert deputy_id in electorate and deputy_id not in receipts
                    receipts[deputy_id] = receipt  # type: ignore[index]
        # Whatever happened, the clock finally passes the closing and the scheduler closes.
        await clock.advance_to(max(clock.now(), START + LENGTH))
        async with factory() as session:
            service = RoundService(session, clock, SuggestionService(session, clock))
            round_ = await service.get(rid)
            if round_.status == "open":  # type: ignore[union-attr]
                assert await service.close(round_, by_clock=True) is not None  # type: ignore[arg-type]
                await session.commit()
            round_ = await service.get(rid)
            result = service.result_of(round_)  # type: ignore[arg-type]
            stored = set((await session.exec(select(CastBallot.receipt_hash))).all())
            voters = set((await session.exec(select(RoundVoter.deputy_id))).all())
            electors = set((await session.exec(select(RoundElector.deputy_id))).all())
            counted = {digest_of(rid, round_.receipt_key, r) for r in receipts.values()}  # type: ignore[union-attr, arg-type]
        assert electors == electorate and round_.electorate == len(electorate)  # type: ignore[union-attr]
        assert result is not None and result.turnout == len(stored) == len(voters) == len(receipts)
        assert stored == counted
        assert voters == set(receipts) <= electors
    finally:
        await engine.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(st.tuples(st.just("toggle"), st.integers(0, DEPUTIES - 1)), max_size=3),
    operations=st.lists(operation, min_size=1, max_size=25),
)
def test_counted_ballots_receipts_and_marks_agree(before: list, operations: list) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(scenario(before, operations, Path(folder)))
