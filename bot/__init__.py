"""Runtime of the Minsheng bot: configuration, storage, dispatcher, sandbox."""
