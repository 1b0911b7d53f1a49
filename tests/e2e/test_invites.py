"""Invitations in the office's hands: listed and revoked in chat; reactivation is the admin's act
(issue 13, fault 11)."""

from __future__ import annotations

from bot.db.models import Deputy, DeputyEvent, Invite, User
from bot.sandbox.session import Sandbox
from tests.conftest import ADMIN_ID
from tests.e2e.steps import DEPUTY, rows


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
