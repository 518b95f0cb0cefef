"""Storage of the centre: SQLAlchemy Core tables, Alembic migrations, transactions."""
