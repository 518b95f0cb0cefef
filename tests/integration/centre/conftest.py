"""Fixtures for the centre's integration tests: a private PostgreSQL server for the
session, and the real centre process on loopback over SQLite or PostgreSQL."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.fixtures.centre_server import Api, CentreProcess
from tests.fixtures.postgres import PostgresServer


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Empty for SQLite (a file in the data folder), else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("pg_server").new_database()


@pytest.fixture
def centre_proc(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[CentreProcess]:
    """The centre on loopback; a test module's ``CENTRE_ENV`` (e.g. its time zone) is its environment."""
    proc = CentreProcess(tmp_path / "centre", database_url, env=dict(getattr(request.module, "CENTRE_ENV", {})))
    proc.data_dir.mkdir()
    proc.add_token("kiosk", "kiosk-01")
    proc.add_token("kiosk", "kiosk-02")
    proc.add_token("counter", "counter-3")
    proc.add_token("counter", "counter-4")
    proc.add_token("display", "hall")
    proc.add_token("admin", "it")
    proc.add_officer("lan", "2468")
    proc.add_officer("minh", "1357")
    proc.start()
    yield proc
    proc.stop()


def signed_in(proc: CentreProcess, counter: int, services: list[str], token: str = "counter-3",
              officer: str = "lan", pin: str = "2468") -> Api:
    api = Api(proc.url, proc.tokens[token])
    status, body = api.post("/api/v1/counter/signin", {"counter": counter, "services": services,
                                                         "officer": officer, "pin": pin})
    assert status == 200, body
    return Api(proc.url, proc.tokens[token], body["session"])
