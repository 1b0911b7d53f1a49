"""Use cases over the storage: every query and row change of handlers, notices, the scheduler and the
CLI goes through these, never SQL directly. `container.Services` gathers those of one update.

What may not: imports of aiogram or handlers/ (they run outside any update too; checked by
tests/test_layering.py), telling people (that is bot/notices/), answering a Telegram update.
"""
