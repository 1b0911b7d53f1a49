"""aiogram's inline keyboard builder, without its copying on every button."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton
from aiogram.utils import keyboard


class InlineKeyboardBuilder(keyboard.InlineKeyboardBuilder):
    """aiogram deep-copies the whole markup each time a button is added (to check the copy) and
    again on export: quadratic in the buttons, a third of rendering a ballot or a street choice
    (py-spy). Rows are copied here and buttons shared; nothing changes a button once added."""

    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]
