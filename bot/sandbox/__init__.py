"""The local Telegram: a Bot API server, the people in it, the script runner and the console."""
