"""Runtime wiring: the app (Bot, Dispatcher, middlewares, routers), the Bot API client and its
retries, routing, the scheduler and its leader lock, the clock, i18n and command menus.
app.py is the one module of bot/ that imports handlers/."""
