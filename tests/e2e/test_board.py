"""The public board over HTTP: pages in both languages, the timeline with a report's photo fetched
through the Bot API, JSON and CSV, and no personal data anywhere."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer

from bot.db.models import User
from bot.sandbox.session import Sandbox
from bot.web.board import Board, build_board_app
from tests.conftest import shows_id
from tests.e2e.steps import LAMP_PHOTO as LAMP
from tests.e2e.steps import report_with_photo


async def client_for(sandbox: Sandbox) -> TestClient:
    runtime = sandbox.runtime
    board = Board(runtime.session_factory, runtime.i18n, runtime.settings, runtime.bot)
    client = TestClient(TestServer(build_board_app(board)))
    await client.start_server()
    return client


async def test_pages_photo_json_csv_and_no_personal_data(sandbox: Sandbox) -> None:
    await report_with_photo(sandbox)
    client = await client_for(sandbox)
    try:
        index = await (await client.get("/")).text()
        assert "新建社区长者饭堂" in index and 'style="width: 60%"' in index and "区民政局" in index
        english = await (await client.get("/en/")).text()
        assert "Livelihood Projects Board" in english and "Elderly care and relief" in english
        detail = await (await client.get("/projects/1")).text()
        assert "提交实施方案：3月开工，9月投入使用。" in detail and "进度 60%：内部装修进行中。" in detail
        assert "13800000000" not in detail and "希望早点完工" not in detail
        [photo_id] = [part.split('"')[0] for part in detail.split('src="/media/')[1:]]
        photo = await client.get(f"/media/{photo_id}")
        assert photo.status == 200 and await photo.read() == LAMP.read_bytes()
        assert (await client.get("/media/1")).status == 404  # the "created" event has no photo
        assert (await client.get("/projects/99")).status == 404
        data = await (await client.get("/api/projects")).json()
        assert [(p["name"], p["percent"], p["spent_wan"]) for p in data["projects"]] == [
            ("新建社区长者饭堂", 60, 150.0)
        ]
        timeline = (await (await client.get("/api/projects/1")).json())["timeline"]
        assert [event["kind"] for event in timeline] == ["created", "plan", "report"]
        csv_text = (await (await client.get("/csv/projects.csv")).read()).decode("utf-8-sig")
        assert csv_text.splitlines()[0].startswith("项目,年度,名称,类别,责任单位")
        assert csv_text.splitlines()[1].startswith("1,2027,新建社区长者饭堂,养老济困,区民政局")
        english_csv = (await (await client.get("/en/csv/projects.csv")).read()).decode("utf-8-sig")
        assert english_csv.splitlines()[0].startswith("Project,Year,Name,Category")
        assert "Elderly care and relief" in english_csv and "In progress" in english_csv
        assert "年民生实事项目" in await (await client.get("/?year=1999")).text()
        results = await (await client.get("/results")).text()
        assert "还没有公布的票决结果。" in results
        # Nobody's Telegram id appears in any page or file.
        async with sandbox.runtime.session_factory() as session:
            from sqlmodel import select

            ids = [str(user.telegram_id) for user in (await session.exec(select(User))).all()]
        everything = index + english + detail + results + json.dumps(data) + json.dumps(timeline) + csv_text
        assert not [telegram_id for telegram_id in ids if shows_id(everything, telegram_id)]
    finally:
        await client.close()
