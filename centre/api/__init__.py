"""HTTP API of the centre (FastAPI): ``create_app(centre)``."""
