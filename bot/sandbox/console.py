"""The terminal as a Telegram chat with the bot, as any person."""

from __future__ import annotations

import asyncio
import shlex
import sys
from datetime import datetime
from pathlib import Path

from bot.sandbox.markup import plain_from_html
from bot.sandbox.methods import shown_of
from bot.sandbox.session import Sandbox
from bot.sandbox.world import Shown

BANNER = """民生实事票决助手 · sandbox (a local Telegram; nothing leaves this machine)
Type to chat. Sandbox commands:
  /as ID [NAME] [LANG]   speak as another person (e.g. /as 1001 王阿姨 zh-hans)
  #N or /press N         press button N on the newest message with buttons (a bare 7 is text)
  /press LABEL           press the button with that label
  /photo PATH [CAPTION]  /doc PATH  /sticker  /voice     send media
  /block                 this person blocks the bot
  /clock 2027-01-04T09:00:00+08:00   move the bot's clock forward
  /quit
"""


class Console:
    def __init__(self, sandbox: Sandbox, persona: int = 1001) -> None:
        self.sandbox = sandbox
        self.persona = persona
        self.buttons: dict[int, list[str]] = {}

    def render(self, shown: Shown) -> None:
        who = "" if shown.to == self.persona else f"[→ {shown.to}] "
        if shown.method == "answerCallbackQuery":
            print(f"  {who}({'alert' if shown.alert else 'toast'}) {shown.text}")
            return
        edited = " (edited)" if shown.method.startswith("edit") else ""
        print(f"\n{who}🤖{edited} {plain_from_html(shown.text)}")
        if shown.file:
            print(f"  📎 {shown.file}")
        if shown.buttons:
            labels = [label for row in shown.buttons for label in row]
            self.buttons[shown.to] = labels
            print("  " + "  ".join(f"[#{i}] {label}" for i, label in enumerate(labels, start=1)))
        if shown.keyboard:
            print("  keyboard: " + " | ".join(label for row in shown.keyboard for label in row))

    async def handle(self, line: str) -> bool:
        """One line typed; False when the person wants to leave."""
        sandbox, me = self.sandbox, self.persona
        words = shlex.split(line) if line.startswith("/") else []
        command = words[0] if words else ""
        number = _button_number(line, words)
        if number is not None:
            labels = self.buttons.get(me, [])
            if 1 <= number <= len(labels):
                await sandbox.press(me, labels[number - 1])
            else:
                print(f"  no button {number}")
        elif command == "/quit":
            return False
        elif command == "/as" and len(words) >= 2 and words[1].isdigit():
            self.persona = int(words[1])
            sandbox.person(
                self.persona, words[2] if len(words) > 2 else None, words[3] if len(words) > 3 else None
            )
            print(f"  now speaking as {self.persona}")
            self.recall()
        elif command == "/press" and len(words) >= 2:
            await sandbox.press(me, " ".join(words[1:]))
        elif command == "/block":
            await sandbox.block(me)
            print(f"  {me} blocked the bot")
        elif command == "/clock" and len(words) == 2:
            await sandbox.advance_clock(datetime.fromisoformat(words[1]))
            print(f"  the bot's clock now reads {sandbox.clock.now().isoformat()}")
        elif command == "/photo" and len(words) >= 2:
            await sandbox.photo(me, Path(words[1]), " ".join(words[2:]) or None)
        elif command == "/doc" and len(words) == 2:
            await sandbox.document(me, Path(words[1]))
        elif command == "/sticker":
            await sandbox.sticker(me)
        elif command == "/voice":
            await sandbox.voice(me)
        else:
            await sandbox.say(me, line)
        return True

    def recall(self) -> None:
        """Shows this person's newest card with buttons from before the console started (a
        restarted sandbox remembers it), so that #N presses its buttons as Telegram would."""
        if self.persona in self.buttons:
            return
        card = self.sandbox.server.world.newest_card(self.persona)
        if card is not None:
            print("  (from before:)", end="")
            self.render(shown_of(card, "sendMessage"))

    async def run(self) -> None:
        print(BANNER)
        self.sandbox.server.world.observers.append(self.render)
        self.recall()
        loop = asyncio.get_running_loop()
        while True:
            prompt = f"\n[{self.persona}] > "
            line = await loop.run_in_executor(None, _read_line, prompt)
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            try:
                if not await self.handle(line):
                    break
            except (LookupError, ValueError, OSError) as error:
                print(f"  {error}")


def _button_number(line: str, words: list[str]) -> int | None:
    """`#3` or `/press 3`: the button to press; anything else (a bare 7: the seats, an amount)
    is text for the bot."""
    if line.startswith("#") and line[1:].isdigit():
        return int(line[1:])
    if len(words) == 2 and words[0] == "/press" and words[1].isdigit():
        return int(words[1])
    return None


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def interactive() -> bool:
    return sys.stdin.isatty()
