"""The fault proxy's own bookkeeping: a retry that ignored its Retry-After is caught, one that waited is not."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.support.fault_proxy import FaultPlan, FaultProxy

NOWHERE = "http://127.0.0.1:9/api/"  # never reached: both attempts are answered 429


async def ask_twice(pause: float, *, twin_at: float | None = None) -> FaultProxy:
    """POST one request, then again after `pause`; `twin_at`: another call sends the same request that early."""
    plan = FaultPlan({}, retry_after=(1, 1), script=("429", "429"))
    async with FaultProxy(NOWHERE, plan) as proxy, aiohttp.ClientSession() as http:
        url = proxy.api_url + "conversations.open"
        async with http.post(url, data="users=U0BOB") as first:
            assert first.status == 429
            assert first.headers["Retry-After"] == "1"
        if twin_at is not None:
            await asyncio.sleep(twin_at)
            async with http.post(url, data="users=U0BOB"):
                pass
        await asyncio.sleep(pause - (twin_at or 0))
        async with http.post(url, data="users=U0BOB"):
            pass
    return proxy


async def test_a_retry_at_once_after_a_429_is_counted_as_not_waiting() -> None:
    proxy = await ask_twice(0.05)
    [early] = proxy.record.early_429
    assert early.waited is not None
    assert early.waited < 1
    assert proxy.record.retries["429"] == 1


async def test_a_retry_after_the_retry_after_is_honoured_even_with_an_identical_call_in_between() -> None:
    proxy = await ask_twice(1.2, twin_at=0.1)
    assert proxy.record.early_429 == []
    assert [r.waited is not None and r.waited >= 1 for r in proxy.record.rate_limits[:1]] == [True]
