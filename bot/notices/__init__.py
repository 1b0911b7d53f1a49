"""The use cases that tell people: who is told what, and when.

Each function runs one use case through the services (`bot.services.container.Services`, whose
`outbox` is the notifier) and queues what people must hear in the same transaction, so the change
and its notices are stored together or not at all. Handlers and the scheduler both call these; a
job calls a use case here, never a handler.

- `recipients`: who hears of what (admins, a street's deputies, a project's followers by event).
- `suggestions`: a suggestion's card to its street's deputies; a change to its author and followers.
- `projects`: a project's events, plan requests, deadline reminders and the weekly digest.
- `announcements`: the office's announcements and their delivery statistics.

May import: bot.services, bot.notify, bot.keyboards, the texts modules, core/. May not import
handlers/ or read a Telegram update: nothing here knows who pressed what, only what happened.
"""
