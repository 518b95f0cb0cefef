"""The centre service: one queue shared by every kiosk, counter console and hall display.

``domain/`` is pure Python (no framework imports); ``store/`` keeps it in SQLite or
PostgreSQL through SQLAlchemy Core with Alembic migrations; ``api/`` serves it over HTTP
(FastAPI). ``python -m kiosk centre serve`` starts it.
"""
