"""Roles, locale negotiation, pseudonyms, areas and roster rows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.roster import read_roster
from core.areas import (
    AreaFileError,
    RosterEntry,
    RosterRowError,
    parse_area_file,
    street_key,
)
from core.locale import negotiate_locale
from core.pseudonym import pseudonym_code
from core.roles import LinkFit, Role, invitation_fit, resolve_role

LOCALES = ("zh_CN", "en")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", "zh_CN"),
        ("zh-hant", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh_CN", "zh_CN"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN-gb", "en"),
        ("fr", "zh_CN"),
        (None, "zh_CN"),
        ("", "zh_CN"),
    ],
)
def test_negotiate_locale(code: str | None, expected: str) -> None:
    assert negotiate_locale(code, LOCALES, "zh_CN") == expected


@given(st.text(max_size=20))
def test_negotiate_locale_always_answers_a_catalogue(code: str) -> None:
    assert negotiate_locale(code, LOCALES, "en") in LOCALES


def test_roles() -> None:
    admins = frozenset({9})
    assert resolve_role(9, admin_ids=admins, is_active_deputy=True, is_active_staff=False) is Role.ADMIN
    assert resolve_role(5, admin_ids=admins, is_active_deputy=True, is_active_staff=True) is Role.DEPUTY
    assert resolve_role(5, admin_ids=admins, is_active_deputy=False, is_active_staff=True) is Role.STAFF
    # A deputy who left the roster, or staff who left, is a resident again.
    assert resolve_role(5, admin_ids=admins, is_active_deputy=False, is_active_staff=False) is Role.RESIDENT


# (the opener's resolved role, the link's kind) -> what the link does for them, written by hand.
# Only a resident becomes someone by a link; anyone else leaves it open for its intended person.
INVITATION_FIT = {
    (Role.RESIDENT, Role.DEPUTY): LinkFit.REDEEM,
    (Role.RESIDENT, Role.STAFF): LinkFit.REDEEM,
    (Role.ADMIN, Role.DEPUTY): LinkFit.OFFICE,
    (Role.ADMIN, Role.STAFF): LinkFit.OFFICE,
    (Role.DEPUTY, Role.DEPUTY): LinkFit.SAME_ROLE,  # a street is changed on the roster, not by a link
    (Role.DEPUTY, Role.STAFF): LinkFit.OTHER_ROLE,  # would stay a deputy (deputy outranks staff)
    (Role.STAFF, Role.DEPUTY): LinkFit.OTHER_ROLE,  # would stop being staff without a word
    (Role.STAFF, Role.STAFF): LinkFit.SAME_ROLE,  # a department is changed by the office
}


@pytest.mark.parametrize(("current", "link"), list(INVITATION_FIT))
def test_who_an_invitation_link_applies_to(current: Role, link: Role) -> None:
    assert invitation_fit(current, link) is INVITATION_FIT[(current, link)]


@pytest.mark.parametrize("link", [Role.RESIDENT, Role.ADMIN])
def test_no_link_makes_a_resident_or_an_admin(link: Role) -> None:
    with pytest.raises(ValueError):
        invitation_fit(Role.RESIDENT, link)


@given(st.integers(min_value=1, max_value=2**53), st.integers(min_value=0, max_value=7))
def test_pseudonyms_are_stable_and_do_not_show_the_id(telegram_id: int, attempt: int) -> None:
    code = pseudonym_code(b"secret", telegram_id, attempt)
    assert code == pseudonym_code(b"secret", telegram_id, attempt)
    assert code.isdigit() and len(code) >= 4
    assert code != str(telegram_id)
    assert len(pseudonym_code(b"secret", telegram_id, attempt + 1)) >= len(code)


def test_pseudonyms_depend_on_the_secret() -> None:
    codes = {pseudonym_code(secret, 1001) for secret in (b"a", b"b", b"c", b"d")}
    assert len(codes) > 1


@pytest.mark.parametrize("name", ["莲花街道", "莲花", " 莲花 街道 ", "莲花街道"])
def test_street_key_ignores_the_suffix_and_spacing(name: str) -> None:
    assert street_key(name) == "莲花"


def test_a_street_called_just_jiedao_keeps_its_name() -> None:
    assert street_key("街道") == "街道"


def test_parse_area_file() -> None:
    spec = parse_area_file(
        {
            "district": {"name": "福田区"},
            "streets": [{"name": "莲花街道", "communities": ["彩田社区", "彩田社区", " "]}, {"name": "福保"}],
        }
    )
    assert spec.name == "福田区"
    assert [s.name for s in spec.streets] == ["莲花街道", "福保"]
    assert spec.streets[0].communities == ("彩田社区",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "[district]"),
        ({"district": {"name": "区"}}, "[[streets]]"),
        ({"district": {"name": "区"}, "streets": [{"name": "莲花街道"}, {"name": "莲花"}]}, "listed twice"),
        ({"district": {"name": "区"}, "streets": [{"communities": []}]}, "street 1: a name"),
        ({"district": {"name": "区"}, "streets": [{"name": "A", "communities": "x"}]}, "list of names"),
    ],
)
def test_bad_area_files(data: dict, message: str) -> None:
    with pytest.raises(AreaFileError, match=message.replace("[", r"\[")):
        parse_area_file(data)


def test_roster_rows() -> None:
    [good] = read_roster("name,telegram_id,street,liaison_station\n张伟,2001,莲花街道,\n")
    assert good == RosterEntry(2, "张伟", 2001, "莲花", None)
    for row, message in [
        (",1,莲花", "name is empty"),
        ("a,abc,莲花", "not a positive whole number"),
        ("a,-5,莲花", "not a positive whole number"),
        ("a,5,", "street is empty"),
        ("a,5,香蜜湖街道办事处", None),
    ]:
        [error] = read_roster(f"name,telegram_id,street\n\n\n\n\n{row}\n")
        if message is None:
            assert isinstance(error, RosterEntry) and error.street_key == "香蜜湖"
        else:
            assert isinstance(error, RosterRowError) and error.line == 6 and message in error.message
