"""The command line: `python -m bot [run|sandbox|db|areas|roster] …` (also installed as `minsheng`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings


def _moment(text: str) -> datetime:
    """An ISO time with its UTC offset, for argparse."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the time with its UTC offset, e.g. +08:00")
    return moment


def _parser() -> argparse.ArgumentParser:
    # Every command takes --db: the CLI and the sandbox share one database unless told otherwise.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,  # so that a sub-command's absent --db keeps the one given before it
        help="database URL (default: DATABASE_URL, else sqlite:///data/minsheng.db)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="民生实事票决助手 (Minsheng bot)", parents=[common]
    )
    subparsers = parser.add_subparsers(dest="command")

    class _Commands:
        """add_parser with the common options on every command and sub-command."""

        def __init__(self, group) -> None:  # type: ignore[no-untyped-def]
            self.group = group

        def add_parser(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return self.group.add_parser(*args, parents=[common], **kwargs)

    commands = _Commands(subparsers)
    commands.add_parser("run", help="run the bot (long polling; the sandbox when BOT_TOKEN is unset)")
    commands.add_parser("webhook", help="run the bot in webhook mode (WEBHOOK_URL, WEBHOOK_SECRET)")

    sandbox = commands.add_parser("sandbox", help="the bot against a local Telegram, in this terminal")
    sandbox.add_argument("--script", type=Path, help="a conversation to replay (JSON lines)")
    sandbox.add_argument("--transcript", type=Path, help="where to write what the bot showed")
    sandbox.add_argument("--admin", type=int, action="append", default=[], help="an admin id for this run")
    sandbox.add_argument("--as", dest="persona", type=int, default=1001, help="first person to speak as")
    sandbox.add_argument(
        "--start",
        type=_moment,
        metavar="ISO",
        help="the bot's clock starts at this moment (with its UTC offset) instead of now",
    )
    sandbox.add_argument(
        "--fresh",
        action="store_true",
        help="forget the chats and messages the local Telegram remembers for this database",
    )

    db = commands.add_parser("db", help="database schema")
    db_commands = _Commands(db.add_subparsers(dest="db_command", required=True))
    db_commands.add_parser("upgrade", help="apply all migrations")
    db_commands.add_parser("current", help="print the schema revision")
    revision = db_commands.add_parser("revision", help="autogenerate a migration from the models")
    revision.add_argument("-m", "--message", required=True)

    areas = commands.add_parser("areas", help="districts, streets, communities")
    areas_commands = _Commands(areas.add_subparsers(dest="areas_command", required=True))
    areas_import = areas_commands.add_parser("import", help="import an area file (TOML)")
    areas_import.add_argument("file", type=Path)

    classify = commands.add_parser("classify", help="classify texts (one a line on stdin) into categories")
    classify.add_argument("--eval", type=Path, metavar="FILE.tsv", help="accuracy on a labelled TSV")
    classify.add_argument(
        "--by-source",
        action="store_true",
        help="with --eval: figures by held-out source (thresholds learned on the other sources)",
    )
    classify.add_argument("--learn", action="store_true", help="propose keyword changes from corrections")

    candidates = commands.add_parser("candidates", help="candidate items of a selection round")
    candidates_commands = _Commands(candidates.add_subparsers(dest="candidates_command", required=True))
    candidates_import = candidates_commands.add_parser(
        "import", help="import 特定征集 items: title,category,…"
    )
    candidates_import.add_argument("file", type=Path)
    candidates_import.add_argument("--year", type=int, help="the year they are for (default: next year)")

    projects = commands.add_parser("projects", help="elected projects under implementation")
    projects_commands = _Commands(projects.add_subparsers(dest="projects_command", required=True))
    projects_import = projects_commands.add_parser(
        "import",
        help="import projects: name,category,department,budget[,year,street,place,scope,elected_at,supervisors]",
    )
    projects_import.add_argument("file", type=Path)

    commands.add_parser("board", help="serve the public progress board alone (BOARD_HOST:BOARD_PORT)")

    export = commands.add_parser("export", help="a year's tables as XLSX and CSV")
    export.add_argument("--year", type=int, required=True)
    export.add_argument("--out", type=Path, required=True, metavar="DIR")
    export.add_argument(
        "--lang", choices=("zh_CN", "en"), help="language of headers and values (default: DEFAULT_LOCALE)"
    )

    outbox = commands.add_parser("outbox", help="the delivery queue")
    outbox.add_argument(
        "action",
        choices=("stats", "requeue-unknown", "send"),
        help="counts by status; send the 'unknown' rows again; or run a sender process",
    )

    score = commands.add_parser("score", help="score an evaluation round from a JSON file")
    score.add_argument("file", type=Path)

    tally = commands.add_parser("tally", help="count a selection round from a JSON file")
    tally.add_argument("file", type=Path)

    staff = commands.add_parser("staff", help="staff of implementing departments")
    staff_commands = _Commands(staff.add_subparsers(dest="staff_command", required=True))
    staff_import = staff_commands.add_parser("import", help="import name,telegram_id,department")
    staff_import.add_argument("file", type=Path)

    roster = commands.add_parser("roster", help="the deputies' roster")
    roster_commands = _Commands(roster.add_subparsers(dest="roster_command", required=True))
    roster_import = roster_commands.add_parser(
        "import", help="import name,telegram_id,street,liaison_station"
    )
    roster_import.add_argument("file", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.db = getattr(args, "db", None)
    try:
        settings = load_settings(**({"database_url": args.db} if args.db else {}))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from bot.db.engine import quiet_drivers

    quiet_drivers()
    command = args.command or "run"
    if command == "run" and settings.bot_mode == "webhook":
        command = "webhook"
    if command == "run" and settings.bot_token is None:
        command = "sandbox"
        args = _parser().parse_args(["sandbox"])
        args.db = None  # settings already carry it
    handlers: dict[str, Callable[[argparse.Namespace, Settings], Awaitable[int]]] = {
        "run": _run,
        "webhook": _webhook,
        "sandbox": _sandbox,
        "db": _db,
        "areas": _areas,
        "classify": _classify,
        "roster": _roster,
        "staff": _staff,
        "tally": _tally,
        "score": _score,
        "candidates": _candidates,
        "projects": _projects,
        "outbox": _outbox,
        "export": _export,
        "board": _board,
    }
    try:
        return asyncio.run(handlers[command](args, settings))
    except KeyboardInterrupt:
        return 130


async def _projects(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.projects import import_projects

    return await import_projects(settings, args.file)


async def _board(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web.board import run_board

    await run_board(settings)
    return 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.export import export_year

    return await export_year(settings, args.year, args.out, args.lang)


async def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.projects import outbox_command

    return await outbox_command(settings, args.action)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.app import run_polling

    try:
        await run_polling(settings)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


async def _webhook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.app import run_webhook

    try:
        await run_webhook(settings)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


async def _sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.cli import run_sandbox

    overrides: dict[str, object] = {
        "database_url": args.db or settings.database_url,
        "admin_ids": settings.admin_ids | set(args.admin),
    }
    if not {"quiet_start", "quiet_end"} & settings.model_fields_set:
        # The sandbox's clock is the wall clock: without this a script would run differently at
        # night. Set QUIET_START/QUIET_END to try quiet hours (samples/projects.jsonl does).
        overrides |= {"quiet_start": "00:00", "quiet_end": "00:00"}
    try:
        settings = load_settings(**overrides)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return await run_sandbox(
        settings, args.script, args.transcript, args.persona, args.start, fresh=args.fresh
    )


async def _db(args: argparse.Namespace, settings: Settings) -> int:
    from alembic import command

    from bot.db.engine import create_engine
    from bot.db.migrate import alembic_config, current_revision, upgrade

    if args.db_command == "revision":
        # Alembic's env.py runs its own event loop for autogenerate: give it a thread of its own.
        config = alembic_config(settings.database_url)
        await asyncio.to_thread(command.revision, config, message=args.message, autogenerate=True)
        return 0
    engine = create_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await upgrade(engine)
        print(await current_revision(engine) or "empty")
    finally:
        await engine.dispose()
    return 0


async def _areas(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.imports import import_areas

    return await import_areas(settings, args.file)


async def _classify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.classify import classify_lines, evaluate, learn
    from bot.runtime.app import build_classifier

    classifier = build_classifier(settings)
    if args.eval:
        return evaluate(classifier, args.eval, sys.stdout, by_source=args.by_source)
    if args.learn:
        return await learn(classifier, settings, sys.stdout)
    return classify_lines(classifier, sys.stdin, sys.stdout)


async def _candidates(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.imports import import_candidates

    return await import_candidates(settings, args.file, args.year or datetime.now(settings.tz).year + 1)


async def _score(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.score import run

    return run(args.file)


async def _tally(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.tally import run

    return run(args.file)


async def _staff(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.imports import import_staff

    return await import_staff(settings, args.file)


async def _roster(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.imports import import_roster

    return await import_roster(settings, args.file)


if __name__ == "__main__":
    sys.exit(main())
