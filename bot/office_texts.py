"""How the office's own tools read: invitations, the roster's cards, announcements.

Marked with `N_` and translated where they are sent.
"""

from __future__ import annotations

from core.text import N_

# Invitations: the link to pass on, the open links.
DEPUTY_INVITE_LINK = N_("请把这个一次性链接发给{street}的代表，{days} 天内有效：\n{link}")
STAFF_INVITE_LINK = N_("请把这个一次性链接发给{department}的工作人员，{days} 天内有效：\n{link}")
OPEN_INVITES_HEAD = N_("<b>未使用的邀请链接</b>\n")

# A deputy's card in the roster.
DEPUTY_CARD = N_("<b>{name}</b>\n街道：{street}\n状态：{status}")

# An announcement as its readers see it: the office's heading over the text.
ANNOUNCEMENT_HEAD = N_("📢 <b>区人大常委会通知</b>")
