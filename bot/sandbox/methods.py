"""The Bot API methods the fake Telegram carries out, with Telegram's checks and errors."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.markup import EntityParseError, utf16_length, visible_text
from bot.sandbox.spec import BadRequest, UploadedFile
from bot.sandbox.world import Shown, World
from core.limits import MAX_ALERT, MAX_BUTTONS, MAX_CALLBACK_DATA, MAX_CAPTION, MAX_TEXT

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)

Handler = Callable[[World, dict[str, Any]], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = handler
        return handler

    return register


# -- checks shared by the sending methods -----------------------------------------------------
def chat_of(world: World, params: dict[str, Any], key: str = "chat_id") -> int:
    chat_id = params[key]
    if isinstance(chat_id, str):
        if not chat_id.lstrip("-").isdigit():
            raise BadRequest("Bad Request: chat not found")
        chat_id = int(chat_id)
    person = world.people.get(chat_id)
    if person is None:
        raise BadRequest("Bad Request: chat not found")
    if person.blocked_bot:
        raise BadRequest("Forbidden: bot was blocked by the user", code=403)
    return chat_id


def checked_text(params: dict[str, Any], key: str, limit: int, too_long: str) -> str:
    raw = params.get(key) or ""
    try:
        shown = visible_text(raw, params.get("parse_mode"))
    except EntityParseError as error:
        raise BadRequest(f"Bad Request: can't parse entities: {error}") from None
    if key == "text" and not shown.strip():
        raise BadRequest("Bad Request: message text is empty")
    if utf16_length(shown) > limit:
        raise BadRequest(f"Bad Request: {too_long}")
    return shown


def checked_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    markup = params.get("reply_markup")
    if markup is None:
        return None
    rows = markup.get("inline_keyboard")
    if rows is not None:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise BadRequest('Bad Request: field "inline_keyboard" must be an Array of Array')
        if sum(len(row) for row in rows) > MAX_BUTTONS:
            raise BadRequest("Bad Request: reply markup is too long")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise BadRequest("Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA:
                    raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
                actions = {
                    "callback_data",
                    "url",
                    "switch_inline_query",
                    "web_app",
                    "login_url",
                    "switch_inline_query_current_chat",
                    "callback_game",
                    "pay",
                    "copy_text",
                    "switch_inline_query_chosen_chat",
                }
                if not actions & set(button):
                    raise BadRequest('Bad Request: can\'t find field "callback_data"')
    return markup


def keyboard_rows(markup: dict[str, Any] | None, kind: str) -> list[list[str]] | None:
    rows = (markup or {}).get(kind)
    if not rows:
        return None
    return [[b["text"] if isinstance(b, dict) else str(b) for b in row] for row in rows]


def new_message(world: World, chat_id: int, **content: Any) -> dict[str, Any]:
    message = {
        "message_id": world.next_message_id(chat_id),
        "from": world.bot_user(),
        "chat": world.people[chat_id].as_chat(),
        "date": int(time.time()),
        **{key: value for key, value in content.items() if value is not None},
    }
    world.messages[(chat_id, message["message_id"])] = message
    return message


def shown_of(message: dict[str, Any], method_name: str, file: str | None = None) -> Shown:
    markup = message.get("reply_markup")
    return Shown(
        to=message["chat"]["id"],
        method=method_name,
        text=message.get("text") or message.get("caption") or "",
        message_id=message["message_id"],
        buttons=keyboard_rows(markup, "inline_keyboard"),
        keyboard=keyboard_rows(markup, "keyboard"),
        file=file,
    )


def show_message(world: World, method_name: str, message: dict[str, Any], file: str | None = None) -> None:
    world.show(shown_of(message, method_name, file))


def stored_message(world: World, params: dict[str, Any], missing: str) -> dict[str, Any]:
    if "inline_message_id" in params:
        raise BadRequest("Bad Request: inline messages are not used by this bot")
    chat_id = chat_of(world, params)
    message = world.messages.get((chat_id, params.get("message_id", -1)))
    if message is None:
        raise BadRequest(f"Bad Request: {missing}")
    return message


def file_param(world: World, value: Any) -> tuple[str, bytes]:
    """An upload, or the file_id of a file Telegram already has."""
    if isinstance(value, UploadedFile):
        return value.filename, value.content
    stored = world.files.get(value)
    if stored is None:
        raise BadRequest("Bad Request: wrong file identifier/HTTP URL specified")
    return stored.name, stored.content


# -- the methods ------------------------------------------------------------------------------
@method("getMe")
async def get_me(world: World, params: dict[str, Any]) -> Any:
    return {
        **world.bot_user(),
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


@method("sendMessage")
async def send_message(world: World, params: dict[str, Any]) -> Any:
    chat_id = chat_of(world, params)
    checked_text(params, "text", MAX_TEXT, "message is too long")
    markup = checked_markup(params)
    message = new_message(world, chat_id, text=params["text"], reply_markup=markup)
    show_message(world, "sendMessage", message)
    return message


@method("editMessageText")
async def edit_message_text(world: World, params: dict[str, Any]) -> Any:
    message = stored_message(world, params, "message to edit not found")
    checked_text(params, "text", MAX_TEXT, "message is too long")
    markup = checked_markup(params)
    if "text" not in message:
        raise BadRequest("Bad Request: there is no text in the message to edit")
    if message["text"] == params["text"] and message.get("reply_markup") == markup:
        raise BadRequest(NOT_MODIFIED)
    message["text"] = params["text"]
    message.pop("reply_markup", None)
    if markup:
        message["reply_markup"] = markup
    message["edit_date"] = int(time.time())
    show_message(world, "editMessageText", message)
    return message


@method("editMessageCaption")
async def edit_message_caption(world: World, params: dict[str, Any]) -> Any:
    message = stored_message(world, params, "message to edit not found")
    checked_text(params, "caption", MAX_CAPTION, "message caption is too long")
    markup = checked_markup(params)
    if not any(kind in message for kind in ("photo", "document", "video", "audio", "animation")):
        raise BadRequest("Bad Request: there is no caption in the message to edit")
    caption = params.get("caption") or None
    if message.get("caption") == caption and message.get("reply_markup") == markup:
        raise BadRequest(NOT_MODIFIED)
    message.pop("caption", None)
    if caption:
        message["caption"] = caption
    message.pop("reply_markup", None)
    if markup:
        message["reply_markup"] = markup
    message["edit_date"] = int(time.time())
    show_message(world, "editMessageCaption", message)
    return message


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, params: dict[str, Any]) -> Any:
    message = stored_message(world, params, "message to edit not found")
    markup = checked_markup(params)
    if message.get("reply_markup") == markup:
        raise BadRequest(NOT_MODIFIED)
    message.pop("reply_markup", None)
    if markup:
        message["reply_markup"] = markup
    show_message(world, "editMessageReplyMarkup", message)
    return message


@method("answerCallbackQuery")
async def answer_callback_query(world: World, params: dict[str, Any]) -> Any:
    record = world.callbacks.get(params["callback_query_id"])
    if record is None or record.answered:
        raise BadRequest("Bad Request: query is too old and response timeout expired or query ID is invalid")
    text = params.get("text") or ""
    if utf16_length(text) > MAX_ALERT:
        raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
    record.answered = True
    if text:
        world.show(
            Shown(
                to=record.user_id,
                method="answerCallbackQuery",
                text=text,
                alert=bool(params.get("show_alert")),
            )
        )
    return True


async def _send_media(world: World, params: dict[str, Any], kind: str, method_name: str) -> Any:
    chat_id = chat_of(world, params)
    caption = params.get("caption")
    if caption is not None:
        checked_text(params, "caption", MAX_CAPTION, "message caption is too long")
    markup = checked_markup(params)
    name, content = file_param(world, params[kind])
    stored = world.store_file(name, content)
    if kind == "photo":
        media: Any = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "width": 800,
                "height": 600,
                "file_size": len(content),
            }
        ]
    else:
        media = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": name,
            "file_size": len(content),
        }
    message = new_message(world, chat_id, caption=caption, reply_markup=markup, **{kind: media})
    show_message(world, method_name, message, file=name)
    return message


@method("sendPhoto")
async def send_photo(world: World, params: dict[str, Any]) -> Any:
    return await _send_media(world, params, "photo", "sendPhoto")


@method("sendDocument")
async def send_document(world: World, params: dict[str, Any]) -> Any:
    return await _send_media(world, params, "document", "sendDocument")


@method("sendChatAction")
async def send_chat_action(world: World, params: dict[str, Any]) -> Any:
    chat_of(world, params)
    return True


@method("deleteMessage")
async def delete_message(world: World, params: dict[str, Any]) -> Any:
    message = stored_message(world, params, "message to delete not found")
    del world.messages[(message["chat"]["id"], message["message_id"])]
    return True


def _copy_source(world: World, params: dict[str, Any]) -> dict[str, Any]:
    source = world.messages.get((int(params["from_chat_id"]), params["message_id"]))
    if source is None:
        raise BadRequest("Bad Request: message to copy not found")
    return source


@method("copyMessage")
async def copy_message(world: World, params: dict[str, Any]) -> Any:
    chat_id = chat_of(world, params)
    source = _copy_source(world, params)
    content = {
        key: source[key] for key in ("text", "photo", "document", "caption", "sticker") if key in source
    }
    if "caption" in params:
        checked_text(params, "caption", MAX_CAPTION, "message caption is too long")
        content["caption"] = params["caption"]
    message = new_message(world, chat_id, reply_markup=checked_markup(params), **content)
    show_message(world, "copyMessage", message)
    return {"message_id": message["message_id"]}


@method("forwardMessage")
async def forward_message(world: World, params: dict[str, Any]) -> Any:
    chat_id = chat_of(world, params)
    source = _copy_source(world, params)
    content = {
        key: source[key] for key in ("text", "photo", "document", "caption", "sticker") if key in source
    }
    origin = {"type": "user", "sender_user": source["from"], "date": source["date"]}
    message = new_message(world, chat_id, forward_origin=origin, **content)
    show_message(world, "forwardMessage", message)
    return message


@method("getFile")
async def get_file(world: World, params: dict[str, Any]) -> Any:
    stored = world.files.get(params["file_id"])
    if stored is None:
        raise BadRequest("Bad Request: invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "file_size": len(stored.content),
        "file_path": stored.path,
    }


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    scope_key = scope.get("type", "default") + ":" + str(scope.get("chat_id", ""))
    return scope_key, params.get("language_code") or ""


@method("setMyCommands")
async def set_my_commands(world: World, params: dict[str, Any]) -> Any:
    commands = params["commands"]
    if len(commands) > 100:
        raise BadRequest("Bad Request: too many commands")
    for command in commands:
        name = str(command.get("command", ""))
        if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
            raise BadRequest("Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise BadRequest("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    scope = params.get("scope") or {}
    if scope.get("type") == "chat":
        chat_of(world, {"chat_id": scope.get("chat_id")})
    world.commands[_commands_key(params)] = commands
    return True


@method("getMyCommands")
async def get_my_commands(world: World, params: dict[str, Any]) -> Any:
    return world.commands.get(_commands_key(params), [])


@method("deleteMyCommands")
async def delete_my_commands(world: World, params: dict[str, Any]) -> Any:
    world.commands.pop(_commands_key(params), None)
    return True


@method("setWebhook")
async def set_webhook(world: World, params: dict[str, Any]) -> Any:
    world.webhook_url = params["url"]
    world.webhook_secret = params.get("secret_token")
    world.webhook_max_connections = int(params.get("max_connections") or 40)
    if params.get("drop_pending_updates"):
        world.pending.clear()
    return True


@method("deleteWebhook")
async def delete_webhook(world: World, params: dict[str, Any]) -> Any:
    world.webhook_url = ""
    world.webhook_secret = None
    if params.get("drop_pending_updates"):
        world.pending.clear()
    return True


@method("getWebhookInfo")
async def get_webhook_info(world: World, params: dict[str, Any]) -> Any:
    return {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.pending),
    }


@method("getUpdates")
async def get_updates(world: World, params: dict[str, Any]) -> Any:
    if world.webhook_url:
        raise BadRequest(
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
            code=409,
        )
    offset = params.get("offset")
    if offset:
        world.confirm(offset)
    # As Telegram: the types asked for are remembered until asked again; others are not sent.
    if params.get("allowed_updates"):
        world.allowed_updates = list(params["allowed_updates"])
    if world.allowed_updates:
        wanted = set(world.allowed_updates)
        kept = [update for update in world.pending if wanted & set(update)]
        world.updates_created -= len(world.pending) - len(kept)  # never delivered: nothing to wait for
        world.pending = kept
    await world.wait_for_updates(float(params.get("timeout") or 0))
    limit = max(1, min(100, params.get("limit") or 100))
    return world.pending[:limit]


@method("close")
async def close(world: World, params: dict[str, Any]) -> Any:
    return True


@method("logOut")
async def log_out(world: World, params: dict[str, Any]) -> Any:
    return True
