"""Invitations in the office's hands: listed and revoked in chat; reactivation is the admin's act
(issue 13, fault 11); a link opened by someone who already holds a role stays open for its person."""

from __future__ import annotations

import pytest

from bot.db.models import Deputy, DeputyEvent, Invite, StaffMember, User
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID
from tests.e2e.steps import DEPUTY, STAFF, SUPERVISOR, rows, seed_project


async def deputy_link(sandbox: Sandbox, street_label: str) -> str:
    await sandbox.say(ADMIN_ID, "/invite", name="Admin")
    await sandbox.press(ADMIN_ID, "邀请人大代表")
    [link] = await sandbox.press(ADMIN_ID, street_label)
    return link.text.split("?start=")[1].strip()


async def test_admin_lists_and_revokes_invitations(street: Sandbox) -> None:
    first = await deputy_link(street, "华强北街道")
    second = await deputy_link(street, "福保街道")
    [listing] = await street.say(ADMIN_ID, "/invites")
    [one, two] = await rows(street, Invite)
    assert listing.text.startswith("<b>未使用的邀请链接</b>")
    assert f"#{one.id} 华强北街道的代表" in listing.text and f"#{two.id} 福保街道的代表" in listing.text
    assert first not in listing.text and second not in listing.text  # the tokens stay secret
    assert listing.buttons == [[f"撤销 #{one.id}", f"撤销 #{two.id}"]]
    shown = await street.press(ADMIN_ID, f"撤销 #{one.id}")
    assert any(s.text == f"已撤销邀请 #{one.id}。" for s in shown)
    edited = next(s for s in shown if s.text.startswith("<b>未使用的邀请链接</b>"))
    assert f"#{one.id} " not in edited.text and edited.buttons == [[f"撤销 #{two.id}"]]
    # The revoked link refuses politely and makes nobody a deputy; the other still works.
    [refused] = await street.say(2009, f"/start {first}", name="孙代表")
    assert refused.text == "这个邀请链接已被撤销，请向人大常委会工作人员要一个新的。"
    assert await rows(street, Deputy, Deputy.telegram_id == 2009) == []
    [welcome] = await street.say(2010, f"/start {second}", name="周代表")
    assert welcome.text.startswith("欢迎！您已登记为福保街道的人大代表。")
    # Revoking a used one is refused, and the list is then empty.
    again = await street.press(ADMIN_ID, data=f"ir:{two.id}")
    assert any(s.alert and s.text == "这个邀请已用过、已过期或已撤销。" for s in again)
    [empty] = await street.say(ADMIN_ID, "/invites")
    assert empty.text == "没有未使用的邀请链接。"
    # Only admins see or revoke them.
    [resident] = await street.say(1001, "/invites")
    assert "未使用的邀请链接" not in resident.text


async def test_a_deactivated_deputy_cannot_reactivate_himself_with_a_spare_link(street: Sandbox) -> None:
    spare = await deputy_link(street, "莲花街道")
    [listing] = await street.say(ADMIN_ID, "/deputies")
    label = next(label for row in listing.buttons for label in row if label.startswith("张伟"))
    await street.press(ADMIN_ID, label)
    await street.press(ADMIN_ID, "停用")
    [refused] = await street.say(DEPUTY, f"/start {spare}")
    assert refused.text == "您的身份已被停用，邀请链接不能重新启用；请联系人大常委会工作人员。"
    [zhang] = await rows(street, Deputy, Deputy.telegram_id == DEPUTY)
    [user] = await rows(street, User, User.telegram_id == DEPUTY)
    [invite] = await rows(street, Invite)
    assert not zhang.is_active and user.role == "resident" and invite.used_by is None
    # The admin reactivates him, on the record.
    [back] = await street.press(ADMIN_ID, "重新启用")
    assert "状态：在任" in back.text
    events = await rows(street, DeputyEvent, DeputyEvent.deputy_id == zhang.id)
    assert [e.kind for e in events] == ["deactivate", "activate"]


# The second security review (finding 5): an admin checking his own link, or a deputy forwarded
# the wrong one, used it up and read a welcome to a role he did not get; the person it was meant
# for was told it was used.
@pytest.mark.parametrize(
    ("opener", "kind", "told"),
    [
        (ADMIN_ID, "staff", "您是人大常委会工作人员，邀请链接不会改变您的身份"),
        (SUPERVISOR, "staff", "您已登记为人大代表，不能再通过邀请链接登记为承办部门工作人员"),
        (ADMIN_ID, "deputy", "您是人大常委会工作人员，邀请链接不会改变您的身份"),
        (STAFF, "deputy", "您已登记为承办部门工作人员，不能再通过邀请链接登记为人大代表"),
        (SUPERVISOR, "deputy", "您已经是人大代表，这个邀请链接不适用于您"),
        (STAFF, "staff", "您已经是承办部门工作人员，这个邀请链接不适用于您"),
    ],
    ids=["admin-staff", "deputy-staff", "admin-deputy", "staff-deputy", "deputy-deputy", "staff-staff"],
)
async def test_a_link_opened_by_someone_with_a_role_stays_open(
    sandbox: Sandbox, opener: int, kind: str, told: str
) -> None:
    await seed_project(sandbox)
    await sandbox.say(ADMIN_ID, "/invite")
    if kind == "staff":
        await sandbox.press(ADMIN_ID, "邀请承办部门工作人员")
        await sandbox.say(ADMIN_ID, "区教育局")
    else:
        await sandbox.press(ADMIN_ID, "邀请人大代表")
        await sandbox.press(ADMIN_ID, "福保街道")
    [invite] = await rows(sandbox, Invite)
    [refused] = await sandbox.say(opener, f"/start inv_{invite.token}")
    assert told in refused.text and "仍" in refused.text, refused.text
    [still_open] = await rows(sandbox, Invite)
    assert still_open.used_by is None
    staff = {member.telegram_id: member.department for member in await rows(sandbox, StaffMember)}
    deputies = {deputy.telegram_id: deputy for deputy in await rows(sandbox, Deputy)}
    assert staff.get(opener) in (None, "区民政局")  # not registered, not moved to 区教育局
    assert opener not in deputies or (
        deputies[opener].is_active and deputies[opener].street_id != invite.street_id
    )
    # The person the link was meant for still gets it.
    [meant] = await sandbox.say(4242, f"/start inv_{invite.token}", name="钱科员")
    assert meant.text.startswith("欢迎！"), meant.text
    assert ("区教育局" if kind == "staff" else "福保街道") in meant.text


async def test_a_long_department_name_of_an_invitation_is_not_cut_silently(sandbox: Sandbox) -> None:
    """A department longer than its column (64) is refused with the limit said, not cut; a
    shorter name then gets its link (second security review)."""
    await sandbox.say(ADMIN_ID, "/invite")
    await sandbox.press(ADMIN_ID, "邀请承办部门工作人员")
    typed = "区" + "长" * 100 + "局"
    [refused] = await sandbox.say(ADMIN_ID, typed)
    assert "102 字" in refused.text and "64 字" in refused.text, refused.text
    assert await rows(sandbox, Invite) == []
    await sandbox.say(ADMIN_ID, "区教育局")
    assert [invite.department for invite in await rows(sandbox, Invite)] == ["区教育局"]
