"""In-process fixtures: the real Bolt app of build_app on a migrated SQLite file, talking to a fake Web API."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import database_copy
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import InProcessBurst, Transport


@pytest.fixture(scope="session")
def fake_api() -> Iterator[FakeWebApi]:
    api = FakeWebApi()
    api.start()
    yield api
    api.stop()


@pytest.fixture(params=["http", "socket"])
def transport(request: pytest.FixtureRequest) -> Transport:
    """Each in-process test runs over HTTP (signed requests) and over Socket Mode (envelopes)."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def burst(
    fake_api: FakeWebApi, migrated_template: Path, tmp_path: Path, transport: Transport
) -> AsyncIterator[InProcessBurst]:
    app = InProcessBurst.build(fake_api, database_copy(migrated_template, tmp_path), transport)
    yield app
    await app.close()


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's environment must not change the app under test."""
    for key in list(os.environ):
        if key.startswith(("SLACK_", "BURST_")) or key == "DATABASE_URL":
            monkeypatch.delenv(key)
