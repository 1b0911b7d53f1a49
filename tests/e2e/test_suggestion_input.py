"""Bad input to the suggestion flow: every message answered, nothing half-saved, text escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.db.models import Attachment, Suggestion
from bot.sandbox.session import Sandbox
from tests.conftest import make_settings, seed_areas_and_roster
from tests.e2e.steps import rows, submit_suggestion

DATA = Path(__file__).resolve().parent.parent / "data"


async def test_no_words_too_short_and_too_long(sandbox: Sandbox) -> None:
    [emoji] = await sandbox.say(1001, "😀😀😀！！")
    assert emoji.text.startswith("请用文字写下您的建议")
    [short] = await sandbox.say(1001, "路灯")
    assert short.text.startswith("能再多写几句吗")
    [long] = await sandbox.say(1001, "路灯坏了" * 2500)
    assert long.text == "这条建议有 10000 字，超过了 2000 字的上限，没有保存。请精简后再发送。"
    assert await rows(sandbox, Suggestion) == []


async def test_the_same_answers_in_english(sandbox: Sandbox) -> None:
    [emoji] = await sandbox.say(1002, "🙂", lang="en")
    assert emoji.text.startswith("Please write your suggestion in words")
    [long] = await sandbox.say(1002, "x" * 3000, lang="en")
    assert long.text.startswith("This suggestion has 3000 characters, more than the limit of 2000")


async def test_markup_characters_are_shown_back_escaped(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    text = "<b>路灯</b> & *_坏了_* 很久 <script>alert(1)</script>"
    await submit_suggestion(sandbox, 1001, text)
    [listing] = await sandbox.say(1001, "/my")
    assert "&lt;b&gt;路灯&lt;/b&gt; &amp; *_坏了_* 很久 &lt;script&gt;" in listing.text
    [detail] = await sandbox.press(1001, listing.buttons[0][0])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text
    assert (await rows(sandbox, Suggestion))[0].text == text  # stored as written


async def test_media_during_and_outside_the_flow(sandbox: Sandbox, tmp_path: Path) -> None:
    await seed_areas_and_roster(sandbox)
    picture = tmp_path / "hole.jpg"
    picture.write_bytes(b"\xff\xd8\xff pothole")
    # A photo with a caption is a suggestion with its photo.
    [card] = await sandbox.photo(1001, picture, caption="小区门口的路灯坏了，晚上很黑，希望尽快修好")
    assert card.text.startswith("收到！")
    # Mid-flow, a sticker or a voice note gets a pointer back to the buttons.
    [busy] = await sandbox.sticker(1001)
    assert busy.text.startswith("您正在提交一条建议")
    [busy] = await sandbox.voice(1001)
    assert busy.text.startswith("您正在提交一条建议")
    await sandbox.press(1001, "✅ 对，就是这类")
    await sandbox.press(1001, "莲花街道")
    # The photo came with the text: it is not asked for again.
    shown = await sandbox.press(1001, "彩田社区")
    assert "已收到 1 张照片。" in [s.text for s in shown]
    await sandbox.press(1001, sandbox.shown[-1].buttons[0][0])
    [suggestion] = await rows(sandbox, Suggestion)
    assert suggestion.state == "submitted"
    async with sandbox.runtime.session_factory() as session:
        assert len((await session.exec(select(Attachment))).all()) == 1


async def test_double_clicks_forged_and_foreign_buttons(sandbox: Sandbox) -> None:
    await seed_areas_and_roster(sandbox)
    await sandbox.say(1001, "公园里的健身器材坏了，希望更换")
    draft = (await rows(sandbox, Suggestion))[0]
    await sandbox.press(1001, "✅ 对，就是这类")
    [again] = await sandbox.press(1001, data=f"dc:{draft.id}:culture")  # the same button, pressed twice
    assert again.method == "answerCallbackQuery" and again.alert
    assert again.text == "这个按钮已失效，请发送 /start 重新开始。"
    [forged] = await sandbox.press(1001, data="ds:999999:1")
    assert forged.alert
    [foreign] = await sandbox.press(1003, data=f"ds:{draft.id}:1")  # someone else's draft
    assert foreign.alert
    [bad_code] = await sandbox.press(1001, data=f"dm:{draft.id}:999999")
    assert bad_code.alert
    assert (await rows(sandbox, Suggestion))[0].street_id is None  # nothing changed


async def test_cancel_mid_flow_keeps_the_text_as_not_submitted(sandbox: Sandbox) -> None:
    await sandbox.say(1001, "希望社区开设老年食堂，方便独居老人吃饭")
    [done] = await sandbox.say(1001, "/cancel")
    assert done.text.startswith("好的，这条建议没有提交。")
    [nothing] = await sandbox.say(1001, "/cancel")
    assert nothing.text == "现在没有进行中的操作。"
    assert [s.state for s in await rows(sandbox, Suggestion)] == ["abandoned"]


async def test_the_daily_limit(database_url: str, data_dir: Path) -> None:
    async with Sandbox(make_settings(database_url, data_dir, suggestions_per_day=1)) as sandbox:
        await seed_areas_and_roster(sandbox)
        await submit_suggestion(sandbox, 1001, "希望社区开设老年食堂，方便独居老人吃饭")
        [limit] = await sandbox.say(1001, "另一条建议：公园需要更多长椅")
        assert limit.text == "您今天已经提交了 1 条建议，每天最多 1 条。请明天再来，谢谢！"
        assert len(await rows(sandbox, Suggestion)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_big_list_of_naughty_strings(sandbox: Sandbox) -> None:
    """Every string answered, every request one Telegram would accept, nothing raised."""
    strings = [s for s in json.loads((DATA / "blns.json").read_text(encoding="utf-8")) if s.strip()]
    for index, text in enumerate(strings):
        shown = await sandbox.say(100_000 + index, text)
        assert shown, f"no answer to {text!r}"
    assert sandbox.server.stats["400"] == 0
    assert not sandbox.failures


def _random_texts() -> list[str]:
    texts: list[str] = []

    @given(st.text(min_size=1, max_size=300).filter(lambda t: t.strip()))
    @settings(max_examples=60, database=None, suppress_health_check=list(HealthCheck))
    def collect(text: str) -> None:
        texts.append(text)

    collect()
    return texts


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_random_unicode_through_the_intake(sandbox: Sandbox) -> None:
    """Hypothesis' text strategy (surrogates, controls, RTL, combining marks) into the real flow."""
    for index, text in enumerate(_random_texts()):
        shown = await sandbox.say(200_000 + index, text)
        assert len(shown) == 1, (text, shown)
    assert sandbox.server.stats["400"] == 0
