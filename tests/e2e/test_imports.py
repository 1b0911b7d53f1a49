"""The office's files in, through the command line, as Excel on Chinese Windows writes them
(issue 15 faults 2, 3, 5 and 6): GBK with CRLF, headers with spaces, streets and categories as
people write them, Chinese dates and amounts; bad rows reported with their true line and
skipped on SQLite and PostgreSQL alike; a re-run updates and never duplicates."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select

from bot.config import PROJECT_ROOT
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import CandidateItem, Deputy, Notification, Project, StaffMember
from tests.e2e.steps import run_cli


async def count(database_url: str, query):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            return list((await session.exec(query)).all())
    finally:
        await engine.dispose()


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


async def test_roster_and_staff_as_excel_saves_them(tmp_path: Path, database_url: str) -> None:
    env = {"DATABASE_URL": database_url}
    assert (
        run_cli(
            "areas", "import", str(PROJECT_ROOT / "bot/data/areas_futian.toml"), cwd=tmp_path, env=env
        ).returncode
        == 0
    )
    huge = "站" * (128 * 1024 + 1)
    roster = write(
        tmp_path / "roster.csv",
        "name, telegram_id, street, liaison_station\n"
        "张伟,2001,香蜜湖街道办事处,香蜜湖街道人大代表联络站\n"
        "\n"
        "李娜,2002,Lianhua,\n"
        "王芳,2003,莲花,\n"
        "赵\x00六,2004,莲花,\n"  # a NUL: PostgreSQL refuses it, so both refuse the row
        f"{'长' * 65},2005,莲花,\n"  # deputies.name is VARCHAR(64)
        "钱七,99999999999999999999,莲花,\n"  # beyond BIGINT
        f"孙八,2008,莲花,{huge}\n"  # a value over 128 KiB
        "周九,2009,火星,\n",
        "gb18030",
    )
    result = run_cli("roster", "import", str(roster), cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stderr
    errors = result.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in errors] == [f"{roster}:{n}" for n in (6, 7, 8, 9, 10)]
    assert "control character U+0000" in errors[0] and "longer than 64 characters" in errors[1]
    assert "larger than any Telegram id" in errors[2] and "longer than 128 KiB" in errors[3]
    assert "unknown street '火星'" in errors[4] and "香蜜湖街道" in errors[4]  # the valid ones are listed
    assert "deputies: 3 added, 0 updated, 0 unchanged, 5 rows with errors (read as GB18030)" in result.stdout
    deputies = await count(database_url, select(Deputy).order_by(col(Deputy.telegram_id)))
    assert [(d.name, d.telegram_id) for d in deputies] == [("张伟", 2001), ("李娜", 2002), ("王芳", 2003)]
    assert deputies[0].liaison_station == "香蜜湖街道人大代表联络站"
    assert deputies[1].street_id == deputies[2].street_id  # Lianhua is 莲花街道

    staff = tmp_path / "staff.csv"
    staff.write_bytes(f"\ufeffname,telegram_id,department\n甲,3001,区民政局\n乙,3002,{'局' * 65}\n".encode())
    result = run_cli("staff", "import", str(staff), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == f"{staff}:3: department is longer than 64 characters (65)"
    assert (
        "staff: 1 added, 0 updated, 0 unchanged, 1 rows with errors (read as UTF-8 with BOM)" in result.stdout
    )
    assert [s.telegram_id for s in await count(database_url, select(StaffMember))] == [3001]

    unreadable = tmp_path / "latin.csv"
    unreadable.write_bytes(b"name,telegram_id,street\n\xe9t\xe9,1,\xff\xfe\xfa\n")
    result = run_cli("roster", "import", str(unreadable), cwd=tmp_path, env=env)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert run_cli("roster", "import", str(tmp_path / "none.csv"), cwd=tmp_path, env=env).returncode == 2


async def test_projects_and_candidates_reimport_without_duplicates(tmp_path: Path, database_url: str) -> None:
    env = {"DATABASE_URL": database_url}
    assert (
        run_cli(
            "areas", "import", str(PROJECT_ROOT / "bot/data/areas_futian.toml"), cwd=tmp_path, env=env
        ).returncode
        == 0
    )
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "name,telegram_id,department\n甲,3001,区民政局\n乙,3002,区交通运输局\n", encoding="utf-8"
    )
    assert run_cli("staff", "import", str(staff), cwd=tmp_path, env=env).returncode == 0
    header = "name, category, department, budget, year, street, elected_at\n"
    good = (
        "新建社区长者饭堂,养老济困,区民政局,1.5亿元,2027,莲花,2027/01/11\n"
        "\n"
        "背街小巷路灯改造,Transport,区交通运输局,300万元,2027,香蜜湖街道办事处,2027年1月11日\n"
    )
    bad_row = "社区公园,环境,区城管局,三百万,2027,福保,2027-01-11\n"
    first = write(tmp_path / "projects.csv", header + good + bad_row, "gbk")
    result = run_cli("projects", "import", str(first), cwd=tmp_path, env=env)
    assert result.returncode == 1
    [error] = result.stderr.splitlines()
    assert error.startswith(f"{first}:5: category unknown category '环境'; valid: education 教育事业")
    assert "budget '三百万' is not an amount" in error
    assert "projects: 2 added, 0 updated, 0 unchanged, 1 rows with errors (read as GB18030)" in result.stdout

    fixed = write(
        tmp_path / "fixed.csv",
        header + good + bad_row.replace("环境", "环境提升").replace("三百万", "300"),
        "gbk",
    )
    result = run_cli("projects", "import", str(fixed), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "projects: 1 added, 0 updated, 2 unchanged, 0 rows with errors" in result.stdout
    changed = write(tmp_path / "changed.csv", header + good.replace("300万元", "320万元"), "utf-8")
    result = run_cli("projects", "import", str(changed), cwd=tmp_path, env=env)
    assert "projects: 0 added, 1 updated, 1 unchanged, 0 rows with errors (read as UTF-8)" in result.stdout

    projects = await count(database_url, select(Project).order_by(col(Project.id)))
    assert [(p.name, p.category, p.budget) for p in projects] == [
        ("新建社区长者饭堂", "eldercare", 150_000_000),
        ("背街小巷路灯改造", "transport", 3_200_000),
        ("社区公园", "environment", 3_000_000),
    ]
    assert projects[0].elected_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat() == "2027-01-11"
    asked = await count(
        database_url,
        select(func.count()).select_from(Notification).where(col(Notification.key).like("%plan-requested")),
    )
    assert asked == [3]  # each department asked once, however often the file is imported

    candidates = write(
        tmp_path / "candidates.csv",
        "title,category,department,estimated_cost\n"
        "社区食堂,养老济困,区民政局,300万\n"
        "停车场,Transport,区交通运输局,1.2亿元\n"
        "学校,education,,\n"
        "图书馆,文体,区文体局,300\n"
        "游泳池,文体惠民,区文体局,三百万\n"
        "球场,文体惠民,区文体局,-5\n"
        "社区食堂,养老济困,区民政局,300万\n",
        "gbk",
    )
    result = run_cli("candidates", "import", str(candidates), "--year", "2028", cwd=tmp_path, env=env)
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in errors] == [f"{candidates}:{n}" for n in (5, 6, 7, 8)]
    assert "valid: education 教育事业 (Education)" in errors[0]
    assert "'三百万' is not an amount" in errors[1] and "'-5' is not an amount" in errors[2]
    assert "title repeats line 2" in errors[3]
    assert "3 added, 0 updated, 0 unchanged, 4 rows with errors (read as GB18030)" in result.stdout
    again = run_cli("candidates", "import", str(candidates), "--year", "2028", cwd=tmp_path, env=env)
    assert "0 added, 0 updated, 3 unchanged, 4 rows with errors" in again.stdout
    items = await count(database_url, select(CandidateItem).order_by(col(CandidateItem.id)))
    assert [(i.title, i.category, i.estimated_cost) for i in items] == [
        ("社区食堂", "eldercare", "300万元"),
        ("停车场", "transport", "12000万元"),
        ("学校", "education", None),
    ]


def test_an_area_file_in_gbk_and_one_with_an_overlong_name(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    source = (PROJECT_ROOT / "bot/data/areas_futian.toml").read_text(encoding="utf-8")
    gbk = write(tmp_path / "areas.toml", source, "gbk")
    result = run_cli("areas", "import", str(gbk), cwd=tmp_path, env=env)
    assert result.returncode == 0 and "福田区: 10 streets" in result.stdout, result.stderr
    long = tmp_path / "long.toml"
    long.write_text(f'[district]\nname = "区"\n[[streets]]\nname = "{"街" * 65}"\n', encoding="utf-8")
    result = run_cli("areas", "import", str(long), cwd=tmp_path, env=env)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "longer than 64" in result.stderr
