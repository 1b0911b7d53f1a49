"""Areas: importing the district's streets and communities, and looking them up."""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Community, Deputy, District, Street, column_limit
from core.areas import AreaFileError, DistrictSpec, StreetIndex, parse_area_file, street_key

SAMPLE_AREAS = Path(__file__).resolve().parent.parent / "data" / "areas_futian.toml"


@dataclass(frozen=True)
class AreaImportReport:
    district: str
    streets_added: int
    communities_added: int


def read_area_file(path: Path) -> DistrictSpec:
    """An area file (TOML) read by the import layer (UTF-8, GB18030/GBK or UTF-16), its names
    checked against the database columns they fill; AreaFileError says what is wrong."""
    from bot.imports import FileUnreadable, read_file

    try:
        text, _encoding = read_file(path)
        spec = parse_area_file(tomllib.loads(text))
    except (FileUnreadable, tomllib.TOMLDecodeError) as error:
        raise AreaFileError(f"{path}: {error}") from None
    names = [("district", spec.name, column_limit(District, "name"))]
    for street in spec.streets:
        names.append(("street", street.name, column_limit(Street, "name")))
        names += [("community", name, column_limit(Community, "name")) for name in street.communities]
    for kind, name, size in names:
        if len(name) > size or any(unicodedata.category(char) == "Cc" for char in name):
            raise AreaFileError(
                f"{path}: the {kind} name {name[:40]!r} is longer than {size} characters or holds a control character"
            )
    return spec


class AreaService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def import_district(self, spec: DistrictSpec) -> AreaImportReport:
        """Adds what is missing and renames nothing away: running it twice changes nothing."""
        district = (await self.session.exec(select(District).where(District.name == spec.name))).first()
        if district is None:
            district = District(name=spec.name, name_en=spec.name_en)
            self.session.add(district)
            await self.session.flush()
        elif spec.name_en:
            district.name_en = spec.name_en
        streets_added = communities_added = 0
        for street_spec in spec.streets:
            key = street_key(street_spec.name)
            street = (
                await self.session.exec(
                    select(Street).where(Street.district_id == district.id, Street.key == key)
                )
            ).first()
            if street is None:
                street = Street(
                    district_id=district.id, name=street_spec.name, key=key, name_en=street_spec.name_en
                )
                self.session.add(street)
                await self.session.flush()
                streets_added += 1
            elif street_spec.name_en:
                street.name_en = street_spec.name_en
            known = set(
                (
                    await self.session.exec(select(Community.name).where(Community.street_id == street.id))
                ).all()
            )
            for name in street_spec.communities:
                if name not in known:
                    self.session.add(Community(street_id=street.id, name=name))
                    communities_added += 1
        await self.session.flush()
        return AreaImportReport(spec.name, streets_added, communities_added)

    async def district(self) -> District | None:
        """The district this office serves (the first imported)."""
        return (await self.session.exec(select(District).order_by(District.id))).first()  # type: ignore[arg-type]

    async def street_index(self) -> StreetIndex[Street]:
        """Streets found as people write them (莲花, 莲花街道办事处, Lianhua)."""
        return StreetIndex((street.name, street.name_en, street) for street in await self.streets())

    async def streets_by_key(self) -> dict[str, Street]:
        streets = (await self.session.exec(select(Street))).all()
        return {street.key: street for street in streets}

    async def street(self, street_id: int) -> Street | None:
        return await self.session.get(Street, street_id)

    async def streets(self) -> list[Street]:
        return list((await self.session.exec(select(Street).order_by(Street.id))).all())

    async def communities(self, street_id: int) -> list[Community]:
        rows = await self.session.exec(
            select(Community).where(Community.street_id == street_id).order_by(Community.id)
        )
        return list(rows.all())

    async def community(self, community_id: int) -> Community | None:
        return await self.session.get(Community, community_id)

    async def deputies_per_street(self) -> list[tuple[Street, int]]:
        """Every street with its number of active deputies, in the order of the area file."""
        active = func.count(Deputy.id).filter(Deputy.is_active)
        rows = await self.session.exec(
            select(Street, active)
            .outerjoin(Deputy, Deputy.street_id == Street.id)
            .group_by(Street.id)
            .order_by(Street.id)
        )
        return list(rows.all())
