"""Fetching a mentor's calendar address: conditional, bounded, and only from the public internet.

The address is whatever a person pasted, fetched by the server: so it must not reach the server's own network
(127.0.0.1, 10.x, a cloud's metadata address...). Names are resolved by a resolver that drops every address that
is not global, literal IP hosts are checked the same way, and redirects are followed by hand so each hop is checked
too. Only https is fetched (webcal:// is https by another name). `allow_local` lifts both rules, for tests and the
local demo. The answer is bounded in size and time, and ETag / Last-Modified make an unchanged calendar cost a 304.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from bot.runtime.work_gate import WorkGate

MAX_URL: Final = 2000
MAX_BYTES: Final = 5_000_000  # a year of a busy calendar is well under a megabyte
MAX_REDIRECTS: Final = 3
TIMEOUT: Final = aiohttp.ClientTimeout(total=20, connect=10)
USER_AGENT: Final = "Burst calendar reader (free/busy only)"


class CalendarAddressError(ValueError):
    """The text is not a calendar address Burst will fetch; the message is fit to show the person."""


@dataclass(frozen=True)
class Fetched:
    outcome: Literal["read", "unchanged", "failed"]
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    failure: str | None = None  # in words for the mentor; never the address


def calendar_address(text: str, *, allow_local: bool = False) -> str:
    """The address to fetch, from what a person typed or pasted (Slack may wrap links as <url> or <url|label>)."""
    url = text.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1].split("|", 1)[0]
    if len(url) > MAX_URL:
        raise CalendarAddressError(f"That address is too long (at most {MAX_URL} characters).")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "webcal":
        scheme = "https"
    allowed = ("https", "http") if allow_local else ("https",)
    if scheme not in allowed or not parts.hostname:
        raise CalendarAddressError(
            "That doesn't look like a calendar address: paste the secret iCal address (https://… or webcal://…) "
            "from your calendar's settings."
        )
    if any(ch.isspace() for ch in url):
        raise CalendarAddressError("A calendar address has no spaces in it.")
    try:
        parts.hostname.encode("idna")  # a label over 63 characters, say, is no host name: fetching it would raise
    except UnicodeError:
        raise CalendarAddressError("That address has no valid host name in it.") from None
    _check_literal_host(parts.hostname, allow_local)
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def address_hint(url: str) -> str:
    """What may be shown back: the scheme and host, never the secret path or any credentials."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


def _check_literal_host(host: str, allow_local: bool) -> None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return  # a name: checked when it is resolved
    if not allow_local and not address.is_global:
        raise CalendarAddressError("That address points into a private network; use your calendar's public address.")


class PublicOnlyResolver(AbstractResolver):
    """Resolves names as usual, but keeps only global addresses: a calendar lives on the public internet."""

    def __init__(self) -> None:
        self.inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        public = [r for r in found if ipaddress.ip_address(r["host"]).is_global]
        if not public:
            raise OSError(f"{host} has no public address")
        return public

    async def close(self) -> None:
        await self.inner.close()


class CalendarFetcher:
    def __init__(self, *, allow_local: bool = False, gate: WorkGate | None = None) -> None:
        self.allow_local = allow_local
        self.gate = gate or WorkGate()

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """Never raises for what the network or the server does: a failure comes back in words."""
        headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        resolver = DefaultResolver() if self.allow_local else PublicOnlyResolver()
        connector = aiohttp.TCPConnector(resolver=resolver)
        try:
            async with (
                self.gate.outside(),
                aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session,
            ):
                return await self._follow(session, url, headers)
        except CalendarAddressError as exc:
            return Fetched("failed", failure=str(exc))
        except TimeoutError:
            return Fetched("failed", failure="the calendar server did not answer in time")
        except (aiohttp.ClientError, OSError):
            return Fetched("failed", failure="the calendar server could not be reached")
        finally:
            await resolver.close()  # a connector closes only a resolver it made itself

    async def _follow(self, session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> Fetched:
        for _ in range(MAX_REDIRECTS + 1):
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    url = calendar_address(urljoin(url, response.headers["Location"]), allow_local=self.allow_local)
                    continue
                if response.status == 304:
                    return Fetched("unchanged", etag=headers.get("If-None-Match"))
                if response.status in (401, 403, 404, 410):
                    return Fetched(
                        "failed", failure=f"the calendar server refused the address (HTTP {response.status})"
                    )
                if response.status != 200:
                    return Fetched("failed", failure=f"the calendar server answered HTTP {response.status}")
                body = await response.content.read(MAX_BYTES + 1)
                if len(body) > MAX_BYTES:
                    return Fetched("failed", failure="the calendar is larger than Burst reads (5 MB)")
                return Fetched(
                    "read",
                    body=body,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
        return Fetched("failed", failure="the calendar address redirects too many times")
