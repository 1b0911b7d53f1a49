"""Storage: SQLModel tables, the async engine, migrations.

What may not: rules (core/) or use cases (services/); only the services and the outbox query it.
"""
