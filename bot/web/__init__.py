"""The bot's own HTTP side: the Telegram webhook, health and metrics."""
