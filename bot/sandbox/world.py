"""The fake Telegram's state: people, chats, messages, files, pending updates.

People act through the methods at the bottom (`send_text`, `press`, …); the bot acts through
the Bot API methods in `bot/sandbox/methods.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BOT_ID = 7000000001
STATE_VERSION = 1  # of World.snapshot's layout


@dataclass
class Person:
    id: int
    first_name: str
    language_code: str | None = None
    blocked_bot: bool = False

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class Group:
    """A group chat the bot was added to (kept in `World.people` under its negative id, since
    sending to it works the same)."""

    id: int
    title: str
    blocked_bot: bool = False

    def as_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "supergroup", "title": self.title}


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    name: str
    content: bytes
    path: str


@dataclass
class Shown:
    """Something the bot showed a person: one transcript line."""

    to: int
    method: str
    text: str
    message_id: int | None = None
    buttons: list[list[str]] | None = None
    keyboard: list[list[str]] | None = None
    alert: bool = False
    file: str | None = None


@dataclass
class CallbackRecord:
    user_id: int
    answered: bool = False


@dataclass
class World:
    bot_username: str = "minsheng_sandbox_bot"
    bot_name: str = "民生实事票决助手"
    people: dict[int, Person] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    callbacks: dict[str, CallbackRecord] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_max_connections: int = 40
    webhook_secret: str | None = None

    def __post_init__(self) -> None:
        self.pending: list[dict[str, Any]] = []
        self.updates_created = 0
        # The last id given out of each kind (Telegram never gives one twice).
        self.last_update_id = 0
        self.last_message_ids: dict[int, int] = {}  # per chat
        self.last_callback_id = 0
        self.last_album_id = 1_000_000
        self.allowed_updates: list[str] = []  # getUpdates' last non-empty allowed_updates
        self._new_update = asyncio.Event()
        self.observers: list[Any] = []

    # -- bookkeeping ---------------------------------------------------------------------------
    def bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": self.bot_name, "username": self.bot_username}

    def next_message_id(self, chat_id: int) -> int:
        self.last_message_ids[chat_id] = self.last_message_ids.get(chat_id, 0) + 1
        return self.last_message_ids[chat_id]

    def store_file(self, name: str, content: bytes) -> StoredFile:
        token = secrets.token_hex(8)
        stored = StoredFile(f"F{token}", f"U{token[:8]}", name, content, f"files/{token}/{name}")
        self.files[stored.file_id] = stored
        return stored

    def show(self, shown: Shown) -> None:
        for observer in self.observers:
            observer(shown)

    def enqueue(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.last_update_id += 1
        update = {"update_id": self.last_update_id, **payload}
        self.pending.append(update)
        self.updates_created += 1
        self._new_update.set()
        return update

    async def wait_for_updates(self, timeout: float) -> None:
        if self.pending or timeout <= 0:
            return
        self._new_update.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._new_update.wait(), timeout)

    def wake(self) -> None:
        """Ends a waiting getUpdates at once (the bot is shutting down)."""
        self._new_update.set()

    def confirm(self, offset: int) -> None:
        self.pending = [update for update in self.pending if update["update_id"] >= offset]

    # -- what Telegram remembers across a restart (bot/sandbox/state.py keeps it in a file) -----
    def snapshot(self) -> dict[str, Any]:
        """Everything Telegram would still know after the bot and the sandbox stopped: the people
        and chats, every message (an old card's buttons still press, the bot still edits it), the
        files by id (their contents are kept apart), the ids given out and the updates not yet
        confirmed. Not the callback queries (long expired by then) nor a webhook."""
        chats: list[dict[str, Any]] = []
        for chat in self.people.values():
            if isinstance(chat, Group):
                chats.append({"id": chat.id, "title": chat.title, "blocked_bot": chat.blocked_bot})
            else:
                chats.append(
                    {
                        "id": chat.id,
                        "first_name": chat.first_name,
                        "language_code": chat.language_code,
                        "blocked_bot": chat.blocked_bot,
                    }
                )
        return {
            "version": STATE_VERSION,
            "chats": chats,
            "messages": [message for _key, message in sorted(self.messages.items())],
            "files": [
                {"file_id": f.file_id, "unique_id": f.unique_id, "name": f.name, "path": f.path}
                for f in self.files.values()
            ],
            "commands": [
                {"scope": scope, "language": language, "commands": commands}
                for (scope, language), commands in self.commands.items()
            ],
            "last_message_ids": {str(chat): last for chat, last in self.last_message_ids.items()},
            "last_update_id": self.last_update_id,
            "last_callback_id": self.last_callback_id,
            "last_album_id": self.last_album_id,
            "pending": self.pending,
            "allowed_updates": self.allowed_updates,
        }

    @classmethod
    def restore(cls, state: dict[str, Any], read_file: Callable[[str], bytes | None]) -> World:
        """The world a snapshot describes; `read_file` gives a file's bytes by file_id (None: they
        are gone, and the file is forgotten). Raises ValueError, KeyError or TypeError when the
        snapshot is not one `snapshot` wrote."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"state version {state.get('version')!r}, expected {STATE_VERSION}")
        world = cls()
        for chat in state["chats"]:
            chat_id = _whole(chat["id"])
            if chat_id < 0:
                world.people[chat_id] = Group(chat_id, str(chat["title"]), bool(chat["blocked_bot"]))  # type: ignore[assignment]
            else:
                world.people[chat_id] = Person(
                    chat_id, str(chat["first_name"]), chat["language_code"], bool(chat["blocked_bot"])
                )
        for message in state["messages"]:
            world.messages[(_whole(message["chat"]["id"]), _whole(message["message_id"]))] = message
        for file in state["files"]:
            content = read_file(file["file_id"])
            if content is not None:
                world.files[file["file_id"]] = StoredFile(
                    file["file_id"], file["unique_id"], file["name"], content, file["path"]
                )
        for entry in state["commands"]:
            world.commands[(str(entry["scope"]), str(entry["language"]))] = list(entry["commands"])
        world.last_message_ids = {int(chat): _whole(last) for chat, last in state["last_message_ids"].items()}
        for chat_id, message_id in world.messages:  # never an id twice, whatever the file said
            world.last_message_ids[chat_id] = max(world.last_message_ids.get(chat_id, 0), message_id)
        world.last_update_id = _whole(state["last_update_id"])
        world.last_callback_id = _whole(state["last_callback_id"])
        world.last_album_id = _whole(state["last_album_id"])
        world.pending = list(state["pending"])
        for update in world.pending:
            world.last_update_id = max(world.last_update_id, _whole(update["update_id"]))
        # Updates left unconfirmed are delivered again, to the next bot: they are its to handle.
        world.updates_created = len(world.pending)
        world.allowed_updates = [str(kind) for kind in state["allowed_updates"]]
        return world

    # -- people acting -----------------------------------------------------------------------
    def person(self, user_id: int, name: str | None = None, lang: str | None = None) -> Person:
        person = self.people.get(user_id)
        if person is None:
            person = self.people[user_id] = Person(user_id, name or f"用户{user_id}", lang)
        else:
            if name:
                person.first_name = name
            if lang:
                person.language_code = lang
        return person

    def _user_message(
        self, person: Person, chat: Person | Group | None = None, **content: Any
    ) -> dict[str, Any]:
        """A message `person` writes, in their private chat or in `chat` (a group), kept by the world."""
        chat = chat or person
        message_id = self.next_message_id(chat.id)
        message = {
            "message_id": message_id,
            "from": person.as_user(),
            "chat": chat.as_chat(),
            "date": int(time.time()),
            **content,
        }
        self.messages[(chat.id, message_id)] = message
        return message

    @staticmethod
    def _text(text: str) -> dict[str, Any]:
        """A text message's content, with the leading command marked as Telegram marks it."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return content

    def group(self, group_id: int, title: str = "小区业主群") -> Group:
        if group_id >= 0:
            raise ValueError("group chat ids are negative")
        group = self.people.get(group_id)
        if group is None:
            group = self.people[group_id] = Group(group_id, title)  # type: ignore[assignment]
        return group  # type: ignore[return-value]

    def send_group_text(self, person: Person, group: Group, text: str) -> dict[str, Any]:
        """`person` writes `text` in a group chat where the bot is a member."""
        return self.enqueue({"message": self._user_message(person, group, **self._text(text))})

    def send_text(self, person: Person, text: str) -> dict[str, Any]:
        return self.enqueue({"message": self._user_message(person, **self._text(text))})

    def send_photo(self, person: Person, name: str, content: bytes, caption: str | None) -> dict[str, Any]:
        stored = self.store_file(name, content)
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "width": 800,
                "height": 600,
                "file_size": len(content),
            }
        ]
        extra = {"caption": caption} if caption else {}
        return self.enqueue({"message": self._user_message(person, photo=photo, **extra)})

    def send_album(
        self, person: Person, files: list[tuple[str, bytes]], caption: str | None
    ) -> list[dict[str, Any]]:
        """Photos sent together: one update per photo sharing a media_group_id, the caption on
        the first, as Telegram delivers an album."""
        self.last_album_id += 1
        group = str(self.last_album_id)
        updates = []
        for number, (name, content) in enumerate(files):
            stored = self.store_file(name, content)
            photo = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "width": 800,
                    "height": 600,
                    "file_size": len(content),
                }
            ]
            extra = {"caption": caption} if caption and number == 0 else {}
            message = self._user_message(person, photo=photo, media_group_id=group, **extra)
            updates.append(self.enqueue({"message": message}))
        return updates

    def edit_text(self, person: Person, text: str) -> dict[str, Any]:
        """The person corrects the text (or caption) of their newest message that has one."""
        for (chat, _id), message in sorted(self.messages.items(), reverse=True):
            if (
                chat == person.id
                and message["from"]["id"] == person.id
                and ("text" in message or "caption" in message)
            ):
                message["text" if "text" in message else "caption"] = text
                message["edit_date"] = int(time.time())
                return self.enqueue({"edited_message": dict(message)})
        raise LookupError(f"no message of {person.id} to edit")

    def send_document(self, person: Person, name: str, content: bytes) -> dict[str, Any]:
        stored = self.store_file(name, content)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": name,
            "file_size": len(content),
        }
        return self.enqueue({"message": self._user_message(person, document=document)})

    def send_sticker(self, person: Person) -> dict[str, Any]:
        stored = self.store_file("sticker.webp", b"RIFF")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self.enqueue({"message": self._user_message(person, sticker=sticker)})

    def send_voice(self, person: Person) -> dict[str, Any]:
        stored = self.store_file("voice.ogg", b"OggS")
        voice = {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "duration": 3}
        return self.enqueue({"message": self._user_message(person, voice=voice)})

    def press(self, person: Person, label: str | None = None, data: str | None = None) -> dict[str, Any]:
        """Press a button on the newest bot message to this person that has it.

        With `data` and no such button, the data is sent anyway: a forged press.
        """
        message = self._find_button(person.id, label, data)
        if message is None and data is None:
            raise LookupError(f"no button {label!r} in the messages to {person.id}")
        if data is None:
            data = next(
                button["callback_data"]
                for row in message["reply_markup"]["inline_keyboard"]  # type: ignore[index]
                for button in row
                if button.get("text") == label and "callback_data" in button
            )
        self.last_callback_id += 1
        query_id = str(self.last_callback_id)
        self.callbacks[query_id] = CallbackRecord(person.id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": person.as_user(),
            "chat_instance": str(person.id),
            "data": data,
        }
        if message is not None:
            query["message"] = message
        else:
            # A forged press names no real message; Telegram would still show one, the newest.
            newest = self._newest_bot_message(person.id)
            if newest is not None:
                query["message"] = newest
        return self.enqueue({"callback_query": query})

    def _newest_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        for (chat, _id), message in sorted(self.messages.items(), reverse=True):
            if chat == chat_id and message["from"]["id"] == BOT_ID:
                return message
        return None

    def newest_card(self, chat_id: int) -> dict[str, Any] | None:
        """The newest bot message in this chat that has inline buttons."""
        for (chat, _id), message in sorted(self.messages.items(), reverse=True):
            if chat == chat_id and message["from"]["id"] == BOT_ID and self.buttons_of(message):
                return message
        return None

    def _find_button(self, chat_id: int, label: str | None, data: str | None) -> dict[str, Any] | None:
        for (chat, _id), message in sorted(self.messages.items(), reverse=True):
            if chat != chat_id or message["from"]["id"] != BOT_ID:
                continue
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for row in rows:
                for button in row:
                    if label is not None and button.get("text") == label and "callback_data" in button:
                        return message
                    if label is None and data is not None and button.get("callback_data") == data:
                        return message
        return None

    def buttons_of(self, message: dict[str, Any]) -> list[list[str]] | None:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard")
        return [[button["text"] for button in row] for row in rows] if rows else None


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, not {value!r}")
    return value
