"""Runtime of the Minsheng bot: configuration, storage, services, use cases, dispatcher, sandbox.

What lives here: everything between Telegram and the rules of core/ — storage (db/), the services
over it (services/), the use cases that tell people (notices/), the outbox, keyboards, texts,
middlewares, the scheduler, the web side and the sandbox. Only app.py imports handlers/; nothing
else here may (tests/test_layering.py).
"""
