"""Storage: SQLModel tables, the async engine, migrations."""
