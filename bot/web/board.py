"""The public progress board (公示): projects, their timelines, selection and evaluation results.

Server-rendered pages (jinja2), readable on a phone and without JavaScript, in Chinese (`/`) and
English (`/en/`), and the same data as JSON (`/api/…`) and CSV (`/csv/…`). Nothing personal is
shown: no Telegram ids, no residents at all (their feedback stays with the supervision group);
deputies appear by name only where they act in office (inspections).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from aiogram import Bot
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiohttp import web
from markupsafe import Markup
from sqlmodel import col, select

from bot.config import Settings
from bot.db.engine import SessionFactory
from bot.db.models import EvaluationRound, Project, ProjectEvent, SelectionRound, Street
from bot.evaluation_texts import project_outcome
from bot.evaluation_texts import title as evaluation_title
from bot.exports.tables import to_csv
from bot.exports.texts import BOARD_EVALUATION_COLUMNS, BOARD_PROJECT_COLUMNS, headers, yes_no
from bot.presenters import area_name, category_name
from bot.project_texts import STATUS_LABELS, budget_line, day, event_line
from bot.runtime.clock import SystemClock
from bot.services.container import Services
from bot.services.evaluations import EvaluationService
from core.categories import default_categories
from core.money import wan
from core.numbers import parse_int
from core.results import EvaluationResult
from core.scoring import percent

TEMPLATES = Path(__file__).resolve().parent / "templates"
PUBLIC_EVENTS = ("created", "plan", "report", "change", "inspection", "done")
LOCALES = {"": "zh_CN", "en": "en"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def row_id(text: str) -> int:
    """A row id from a path: ASCII digits within the databases' integer columns (core.numbers),
    else 404 (never a 500)."""
    found = parse_int(text)
    if found is None:
        raise web.HTTPNotFound(text="no such page")
    return found


def parse_year(text: str) -> int | None:
    """A year of four ASCII digits from 1900 to 2999; None otherwise."""
    if len(text) != 4 or not (text.isascii() and text.isdigit()):
        return None
    year = int(text)
    return year if 1900 <= year <= 2999 else None


class Board:
    def __init__(
        self, session_factory: SessionFactory, i18n: I18n, settings: Settings, bot: Bot | None
    ) -> None:
        self.session_factory = session_factory
        self.i18n = i18n
        self.settings = settings
        self.bot = bot
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
        )
        self._photos: OrderedDict[int, bytes] = OrderedDict()

    def routes(self, app: web.Application) -> None:
        """Every route renders inside the board's own i18n context and an explicit locale (the
        bot's middleware does not run here): /en/… pages and `?lang=en` are English, the rest
        Chinese. Anything translated — a page, a round's title in the JSON or CSV — can be read."""

        def add(path: str, handler: Handler) -> None:
            app.router.add_get(path, self._localised(handler))

        for prefix in ("", "/en"):
            add(f"{prefix}/", self._page(self.index))
            add(f"{prefix}/projects/{{pid:\\d+}}", self._page(self.project))
            add(f"{prefix}/results", self._page(self.results))
        add("/api/projects", self.api_projects)
        add("/api/projects/{pid:\\d+}", self.api_project)
        add("/api/rounds", self.api_rounds)
        add("/api/evaluations", self.api_evaluations)
        for prefix in ("", "/en"):
            add(f"{prefix}/csv/projects.csv", self.csv_projects)
            add(f"{prefix}/csv/evaluations.csv", self.csv_evaluations)
        add("/media/{eid:\\d+}", self.media)

    @staticmethod
    def locale_of(request: web.Request) -> str:
        english = request.path.startswith("/en/") or request.query.get("lang") == "en"
        return "en" if english else "zh_CN"

    def _localised(self, handler: Handler) -> Handler:
        async def localised(request: web.Request) -> web.StreamResponse:
            with self.i18n.context(), self.i18n.use_locale(self.locale_of(request)):
                return await handler(request)

        return localised

    # -- pages ---------------------------------------------------------------------------------
    def _page(self, build: Callable[[web.Request], Awaitable[tuple[str, dict[str, Any]]]]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            locale = self.locale_of(request)
            template, context = await build(request)
            base = "/en" if locale == "en" else ""
            other = request.path[3:] if locale == "en" else "/en" + request.path
            html = self.templates.get_template(template).render(
                _=lambda text: Markup(_(text)),
                locale=locale,
                base=base,
                other_language=other or "/",
                **context,
            )
            return web.Response(text=html, content_type="text/html", charset="utf-8")

        return handler

    async def _year(self, request: web.Request) -> int:
        """`?year=2027`; absent, the latest year with projects. Anything but four ASCII digits
        (`²`, `٢٠٢٧`, a 5,000-digit number) is a 400, not a traceback (issue 13, fault 10)."""
        if "year" in request.query:
            year = parse_year(request.query["year"])
            if year is None:
                raise web.HTTPBadRequest(text="year: four digits, e.g. 2027")
            return year
        async with self.session_factory() as session:
            latest = (
                await session.exec(select(Project.year).order_by(col(Project.year).desc()).limit(1))
            ).first()
        return latest or datetime.now(self.settings.tz).year

    async def index(self, request: web.Request) -> tuple[str, dict[str, Any]]:
        year = await self._year(request)
        async with self.session_factory() as session:
            projects = await self._services(session).projects.of_year(year)
            years = sorted(set((await session.exec(select(Project.year))).all()), reverse=True)
            last_reports = {
                project_id: at
                for project_id, at in (
                    await session.exec(
                        select(ProjectEvent.project_id, ProjectEvent.at)
                        .where(col(ProjectEvent.kind).in_(("plan", "report")))
                        .order_by(col(ProjectEvent.id))
                    )
                ).all()
            }
        groups = []
        for category in default_categories():
            mine = [p for p in projects if p.category == category.code]
            if mine:
                groups.append(
                    {
                        "name": category_name(category.code),
                        "projects": [self._summary(p, last_reports.get(p.id)) for p in mine],
                    }
                )
        return "index.html", {"year": year, "years": years, "groups": groups, "count": len(projects)}

    def _summary(self, project: Project, last_report: Any) -> dict[str, Any]:
        return {
            "id": project.id,
            "name": project.name,
            "department": project.department,
            "percent": project.percent,
            "status": _(STATUS_LABELS[project.status]),
            "budget": budget_line(project),
            "last_report": day(last_report, self.settings.tz) if last_report else "—",
        }

    async def project(self, request: web.Request) -> tuple[str, dict[str, Any]]:
        async with self.session_factory() as session:
            project = await session.get(Project, row_id(request.match_info["pid"]))
            if project is None:
                raise web.HTTPNotFound(text="no such project")
            street = await session.get(Street, project.street_id) if project.street_id else None
            events = await _public_events(session, project)
        timeline = [
            {
                "line": Markup(event_line(event, self.settings.tz)),
                "photo": event.id if event.media_kind == "photo" else None,
            }
            for event in events
        ]
        summary = self._summary(project, None)
        summary.update(
            category=category_name(project.category),
            place=" ".join(filter(None, (area_name(street) if street else None, project.place))) or "—",
            scope=project.scope,
            year=project.year,
        )
        return "project.html", {"project": summary, "timeline": timeline}

    async def results(self, request: web.Request) -> tuple[str, dict[str, Any]]:
        rounds = await self._rounds()
        evaluations = [
            {
                "title": evaluation_title(round_),
                "projects": [
                    {"name": item.name, "department": item.department, "outcome": project_outcome(item)}
                    for item in result.projects
                ],
            }
            for round_, result in await self._evaluations()
        ]
        return "results.html", {"rounds": rounds, "evaluations": evaluations}

    # -- data ----------------------------------------------------------------------------------
    async def _rounds(self) -> list[dict[str, Any]]:
        async with self.session_factory() as session:
            published = (
                await session.exec(
                    select(SelectionRound)
                    .where(SelectionRound.status == "published")
                    .order_by(col(SelectionRound.id))
                )
            ).all()
            rounds = self._services(session).rounds
            found = []
            for round_ in published:
                result = rounds.result_of(round_)
                counts = result.counts if result else {}
                elected = set(result.elected) if result else set()
                candidates = await rounds.candidates(round_)
                found.append(
                    {
                        "id": round_.id,
                        "title": round_.title,
                        "year": round_.year,
                        "electorate": round_.electorate,
                        "voters": result.turnout if result else None,  # ballots cast
                        "candidates": [
                            {
                                "code": c.code,
                                "title": c.title,
                                "category": c.category,
                                "yes": counts[c.code].yes if c.code in counts else 0,
                                "elected": c.code in elected,
                            }
                            for c in candidates
                        ],
                        "receipt_hashes": await rounds.receipts(round_),
                    }
                )
        return found

    async def _evaluations(self) -> list[tuple[EvaluationRound, EvaluationResult]]:
        """The published evaluation rounds with their results, oldest first."""
        async with self.session_factory() as session:
            published = (
                await session.exec(
                    select(EvaluationRound)
                    .where(EvaluationRound.status == "published")
                    .order_by(col(EvaluationRound.id))
                )
            ).all()
        return [(round_, result) for round_ in published if (result := EvaluationService.result_of(round_))]

    def _project_json(self, project: Project) -> dict[str, Any]:
        return {
            "id": project.id,
            "year": project.year,
            "name": project.name,
            "category": project.category,
            "department": project.department,
            "place": project.place,
            "budget_wan": float(wan(project.budget)),
            "spent_wan": float(wan(project.spent)),
            "percent": project.percent,
            "status": project.status,
            "plan_filed": project.plan_filed_at is not None,
            "done": project.done_at is not None,
        }

    async def api_projects(self, request: web.Request) -> web.Response:
        year = await self._year(request)
        return web.json_response({"year": year, "projects": await self._projects_json(year)}, dumps=_dumps)

    async def _projects_json(self, year: int) -> list[dict[str, Any]]:
        async with self.session_factory() as session:
            return [self._project_json(p) for p in await self._services(session).projects.of_year(year)]

    def _services(self, session: Any) -> Services:
        return Services(session, SystemClock(self.settings.tz), self.settings)

    async def api_project(self, request: web.Request) -> web.Response:
        async with self.session_factory() as session:
            project = await session.get(Project, row_id(request.match_info["pid"]))
            if project is None:
                raise web.HTTPNotFound(text="no such project")
            events = await _public_events(session, project)
        timeline = [
            {
                "kind": e.kind,
                "at": e.at.astimezone(self.settings.tz).isoformat(timespec="seconds"),
                "percent": e.percent,
                "milestone": e.milestone,
                "text": e.text,
                "field": e.field,
                "old": e.old_value,
                "new": e.new_value,
                "photo": f"/media/{e.id}" if e.media_kind == "photo" else None,
            }
            for e in events
        ]
        return web.json_response({**self._project_json(project), "timeline": timeline}, dumps=_dumps)

    async def api_rounds(self, request: web.Request) -> web.Response:
        return web.json_response({"rounds": await self._rounds()}, dumps=_dumps)

    async def api_evaluations(self, request: web.Request) -> web.Response:
        """The published results in their stored form (core/results.py), after id, year and title."""
        evaluations = [
            {"id": round_.id, "year": round_.year, "title": evaluation_title(round_), **result.as_dict()}
            for round_, result in await self._evaluations()
        ]
        return web.json_response({"evaluations": evaluations}, dumps=_dumps)

    async def csv_projects(self, request: web.Request) -> web.Response:
        """The year's projects for a spreadsheet, labelled in the page's language (the JSON API
        keeps the codes); through the one export layer, so no cell opens as a formula."""
        projects = await self._projects_json(await self._year(request))
        header = headers(BOARD_PROJECT_COLUMNS)
        rows = [
            [
                p["id"],
                p["year"],
                p["name"],
                category_name(p["category"]),
                p["department"],
                p["place"],
                p["budget_wan"],
                p["spent_wan"],
                p["percent"],
                _(STATUS_LABELS[p["status"]]) if p["status"] in STATUS_LABELS else p["status"],
            ]
            for p in projects
        ]
        return _csv(to_csv(header, rows), "projects.csv")

    async def csv_evaluations(self, request: web.Request) -> web.Response:
        header = headers(BOARD_EVALUATION_COLUMNS)
        rows = []
        for round_, result in await self._evaluations():
            for item in result.projects:
                rows.append(
                    [
                        round_.id,
                        round_.year,
                        item.id,
                        item.name,
                        item.department,
                        item.ratings,
                        percent(item.satisfaction) if item.satisfaction is not None else "",
                        percent(item.tier) if item.tier is not None else "",
                        yes_no(item.penalty),
                    ]
                )
        return _csv(to_csv(header, rows), "evaluations.csv")

    async def media(self, request: web.Request) -> web.Response:
        """A report's photo, fetched once from Telegram and kept in memory (the last 200)."""
        event_id = row_id(request.match_info["eid"])
        if event_id not in self._photos:
            async with self.session_factory() as session:
                event = await session.get(ProjectEvent, event_id)
            if (
                event is None
                or event.media_kind != "photo"
                or not event.media
                or event.kind not in PUBLIC_EVENTS
                or self.bot is None
            ):
                raise web.HTTPNotFound(text="no such photo")
            buffer = await self.bot.download(event.media)
            if buffer is None:
                raise web.HTTPNotFound(text="no such photo")
            self._photos[event_id] = buffer.read()
            while len(self._photos) > 200:
                self._photos.popitem(last=False)
        return web.Response(body=self._photos[event_id], content_type="image/jpeg")


async def _public_events(session: Any, project: Project) -> list[ProjectEvent]:
    """A project's timeline as the public sees it: no residents' feedback."""
    rows = await session.exec(
        select(ProjectEvent)
        .where(ProjectEvent.project_id == project.id, col(ProjectEvent.kind).in_(PUBLIC_EVENTS))
        .order_by(col(ProjectEvent.id))
    )
    return list(rows.all())


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _csv(content: bytes, name: str) -> web.Response:
    return web.Response(
        body=content,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def build_board_app(board: Board) -> web.Application:
    app = web.Application()
    board.routes(app)
    return app


async def run_board(settings: Settings) -> None:
    """`python -m bot board`: the board alone (e.g. in its own container), until a signal."""
    import asyncio
    import signal

    from bot.db.engine import create_engine, create_session_factory
    from bot.db.migrate import upgrade
    from bot.runtime.i18n import build_i18n
    from bot.runtime.telegram import create_bot

    engine = create_engine(settings.database_url)
    await upgrade(engine)
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    bot = create_bot(token, settings.telegram_api_base, settings.api_max_retries) if token else None
    board = Board(
        create_session_factory(engine),
        build_i18n(settings.locales_dir, settings.data_dir, settings.default_locale),
        settings,
        bot,
    )
    runner = web.AppRunner(build_board_app(board), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.board_host, settings.board_port or 8090).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        if bot is not None:
            await bot.session.close()
        await engine.dispose()
