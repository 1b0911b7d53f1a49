"""Middlewares: activity tracking, DB session and services, user and role, i18n, throttling."""
