"""HTTP mode sheds hostile clients: slow ones are dropped within seconds, connections past the cap are refused at
once, a body that is not UTF-8 gets 400 (401 unsigned) without a traceback, and no response names a version.

The tests drive one real `burst run` in HTTP mode over raw sockets, the way a hostile client would, with a short
BURST_HTTP_READ_TIMEOUT so a drop is seen in a few seconds; every wait is on the condition asserted.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import aiohttp
import pytest

from bot.entrypoints import demo_workspace as ws
from tests.e2e.conftest import Slack, burst_env
from tests.e2e.test_signatures import FORM, command_body
from tests.support.burst_process import BurstProcess
from tests.support.ports import free_port

READ_TIMEOUT = 2
MAX_CONNECTIONS = 6
DROPPED_WITHIN = 4 * READ_TIMEOUT  # seconds: the deadline plus room for a loaded machine; the old server: never


@dataclass
class Served:
    host: str
    port: int
    burst: BurstProcess

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/slack/events"


@pytest.fixture(scope="module")
def served(slack_servers: dict[str, Slack], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One `burst run` for the module, on a port of its own: the tests only connect to it, and each leaves it
    serving (the one that fills its connections waits until it has recovered)."""
    folder = tmp_path_factory.mktemp("hardening")
    port = free_port()
    settings = {"BURST_HTTP_READ_TIMEOUT": str(READ_TIMEOUT), "BURST_HTTP_MAX_CONNECTIONS": str(MAX_CONNECTIONS)}
    env = burst_env(slack_servers["events"], f"sqlite+aiosqlite:///{folder / 'burst.db'}", **settings)
    burst = BurstProcess(env | {"BURST_HTTP_PORT": str(port)}, port, folder / "burst.log", cwd=folder)
    with pytest.MonkeyPatch.context() as patch:  # a developer's environment must not reach it
        for key in list(os.environ):
            if key.startswith(("SLACK_", "BURST_")) or key == "DATABASE_URL":
                patch.delenv(key)
        burst.start()
    try:
        yield Served("127.0.0.1", port, burst)
    finally:
        burst.stop()


async def _seconds_until_closed(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, trickle: bytes) -> float:
    """Send `trickle` a byte at a time, a byte every 0.2 s, until the server closes the connection."""
    began = time.monotonic()
    async with asyncio.timeout(DROPPED_WITHIN * 3):
        for byte in trickle:
            try:
                writer.write(bytes([byte]))
                await writer.drain()
            except ConnectionError:
                break
            if reader.at_eof() or (await _read_or_none(reader, 0.2)) == b"":
                break
        else:
            while await reader.read(1024):  # the trickle ran out first: wait for the close itself
                pass
    return time.monotonic() - began


async def _read_or_none(reader: asyncio.StreamReader, seconds: float) -> bytes | None:
    try:
        return await asyncio.wait_for(reader.read(1024), seconds)
    except TimeoutError:
        return None
    except ConnectionError:
        return b""


async def test_a_client_trickling_its_headers_is_dropped(served: Served) -> None:
    reader, writer = await asyncio.open_connection(served.host, served.port)
    trickle = b"POST /slack/events HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 1000
    assert await _seconds_until_closed(reader, writer, trickle) < DROPPED_WITHIN
    writer.close()


async def test_a_client_trickling_its_body_is_dropped(served: Served) -> None:
    reader, writer = await asyncio.open_connection(served.host, served.port)
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    assert await _seconds_until_closed(reader, writer, b"{" * 1000) < DROPPED_WITHIN
    writer.close()


async def test_an_idle_connection_is_dropped(served: Served) -> None:
    reader, writer = await asyncio.open_connection(served.host, served.port)
    began = time.monotonic()
    async with asyncio.timeout(DROPPED_WITHIN * 3):
        assert await reader.read() == b""
    assert time.monotonic() - began < DROPPED_WITHIN
    writer.close()


async def test_connections_past_the_cap_get_503_at_once_and_the_server_recovers(served: Served) -> None:
    held = [await asyncio.open_connection(served.host, served.port) for _ in range(MAX_CONNECTIONS)]
    reader, writer = await asyncio.open_connection(served.host, served.port)
    async with asyncio.timeout(READ_TIMEOUT):  # refused before any request is read: well inside the read deadline
        answer = await reader.read()
    assert answer.startswith(b"HTTP/1.1 503")
    writer.close()
    for _, held_writer in held:
        held_writer.close()
    async with aiohttp.ClientSession() as http:
        while True:  # the held connections are gone once the server has seen them close
            async with http.get(f"http://{served.host}:{served.port}/healthz") as health:
                if health.status == 200:
                    break
            await asyncio.sleep(0.05)


BAD_BODIES = {
    "invalid UTF-8 in a form": (FORM, command_body().encode() + b"&text=%FF\xff\xfe"),
    "JSON that does not parse": ("application/json", b'{"type": "event_callback", "event": {'),
    "a form whose payload is not JSON": (FORM, b"payload=%7Bnot-json"),
}


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("bad", list(BAD_BODIES))
async def test_a_body_burst_cannot_read_gets_a_clean_answer(served: Served, bad: str, signed: bool) -> None:
    content_type, body = BAD_BODIES[bad]
    headers = {"Content-Type": content_type}
    if signed:  # signed over the raw bytes, as Slack would sign whatever it sent
        ts = str(int(time.time()))
        digest = hmac.new(ws.SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
        headers |= {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
    logged = len(served.burst.log_text())
    async with aiohttp.ClientSession() as http, http.post(served.url, data=body, headers=headers) as answer:
        assert answer.status == (400 if signed else 401)
    assert "Traceback" not in served.burst.log_text()[logged:]


async def test_no_response_names_a_version(served: Served) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://{served.host}:{served.port}/healthz") as health:
            assert health.headers["Server"] == "burst"
        async with http.post(served.url, data=b"{}") as unsigned:
            assert unsigned.headers["Server"] == "burst"
        async with http.get(f"http://{served.host}:{served.port}/nowhere") as missing:
            assert missing.headers["Server"] == "burst"
    reader, writer = await asyncio.open_connection(served.host, served.port)
    writer.write(b"GET / HTTP/1.1\r\nHost x\r\n\r\n")  # a header line without a colon: aiohttp's own 400
    async with asyncio.timeout(DROPPED_WITHIN):
        answer = await reader.read()
    writer.close()
    assert answer.split(b"\r\n")[0].endswith(b" 400 Bad Request")
    assert b"aiohttp" not in answer
    assert b"Python" not in answer
