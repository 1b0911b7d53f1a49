"""Use cases over the storage: handlers and the CLI call these, never SQL directly."""
