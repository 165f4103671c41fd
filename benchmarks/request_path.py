"""The path of one `/burst help pandas`: which of Burst's modules it runs through, and how many transactions.

One signed slash command is sent through the real Bolt app of `bot.entrypoints.app.build_app` (in-process, as tests/app
does, against the recording fake Web API), with a few mentors of pandas registered first. While it is handled, until
every listener task it started has finished:
- a profile hook (sys.setprofile) notes each call of a function defined in bot/, handlers/ or storage/: the
  modules in the order first reached, how often each was entered from another module, and each "back-and-forth":
  a module entered again while one of its own functions is still waiting further down the same call chain (a
  callback to a caller, as a closure handed down, or a service called back by the machinery it called);
- SQLAlchemy's engine events count the transactions begun and committed.
The timers' scheduler is not running (as in tests/app), so the first wave's durable timer, which only matters when
the process dies before running the wave itself, is not swept here.
"""

from __future__ import annotations

import asyncio
import dis
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import greenlet  # type: ignore[import-untyped]  # SQLAlchemy's dependency; no stubs
from rich.console import Console
from sqlalchemy import event

from storage.migrate import upgrade_async
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import InProcessBurst

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")
MENTORS = ("U0PANDA1", "U0PANDA2", "U0PANDA3", "U0PANDA4")
REQUESTER = "U0ASKER"
_CORO_FLAGS = 0x80 | 0x200 | 0x20  # CO_COROUTINE, CO_ASYNC_GENERATOR, CO_GENERATOR


@dataclass
class PathTrace:
    order: list[str] = field(default_factory=list)  # modules, in the order first reached
    entries: Counter[str] = field(default_factory=Counter)  # calls into a module from another one
    back_and_forth: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # module -> chains re-entering it
    begins: int = 0
    commits: int = 0
    transactions: list[str] = field(default_factory=list)  # where each began: the nearest function outside storage/
    _modules: dict[str, str | None] = field(default_factory=dict)  # file name -> module (None: not ours)
    _starts: dict[CodeType, int] = field(default_factory=dict)

    def _start(self, code: CodeType) -> int:
        """Where a coroutine's frame stands when it first runs (its first RESUME); a later resume stands elsewhere."""
        if code not in self._starts:
            self._starts[code] = next(i.offset for i in dis.get_instructions(code) if i.opname == "RESUME")
        return self._starts[code]

    def module_of(self, filename: str) -> str | None:
        if filename not in self._modules:
            self._modules[filename] = _project_module(filename)
        return self._modules[filename]

    def profile(self, frame: FrameType, what: str, _arg: Any) -> None:
        if what != "call":
            return
        code = frame.f_code
        module = self.module_of(code.co_filename)
        if module is None:
            return
        if code.co_flags & _CORO_FLAGS and frame.f_lasti != self._start(code):  # resumed, not called
            return
        if module not in self.entries:
            self.order.append(module)
        chain = self._chain(frame.f_back)
        if not chain or chain[0] != module:
            self.entries[module] += 1
        if module in chain[1:] and chain[0] != module:
            again = (module, *chain[: chain.index(module) + 1])
            if again not in (seen := self.back_and_forth.setdefault(module, [])):
                seen.append(again)

    def awaiting(self) -> str:
        """The innermost function of bot/ or handlers/ that a transaction began under. SQLAlchemy's events run in
        a greenlet of its own; the coroutines that called it wait in the parent greenlet."""
        current = greenlet.getcurrent()
        frame = current.parent.gr_frame if current.parent is not None else sys._getframe(1)
        while frame is not None:
            module = self.module_of(frame.f_code.co_filename)
            if module is not None and not module.startswith("storage"):
                return f"{module}.{frame.f_code.co_qualname}"
            frame = frame.f_back
        return "?"

    def _chain(self, frame: FrameType | None) -> list[str]:
        """The project modules waiting below a call, nearest first, consecutive repeats folded."""
        chain: list[str] = []
        while frame is not None:
            module = self.module_of(frame.f_code.co_filename)
            if module is not None and (not chain or chain[-1] != module):
                chain.append(module)
            frame = frame.f_back
        return chain


def _project_module(filename: str) -> str | None:
    try:
        relative = Path(filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    if relative.parts[0] not in PACKAGES or relative.suffix != ".py":
        return None
    return ".".join(relative.with_suffix("").parts)


async def measure(folder: Path) -> PathTrace:
    url = f"sqlite+aiosqlite:///{folder / 'burst.db'}"
    await upgrade_async(url)
    api = FakeWebApi()
    api.start()
    burst = InProcessBurst.build(api, url, "http")
    try:
        for mentor in MENTORS:
            delivery = await burst.deliver(burst.command(mentor, "skills add pandas"))
            assert delivery.status == 200, delivery
            assert not delivery.errors, delivery.errors
        await burst.deliver(burst.command(REQUESTER, "help warm-up: python"))  # imports and caches, not measured
        await burst.deliver(burst.command(REQUESTER, "cancel"))
        trace = PathTrace()
        engine = burst.services.db.engine.sync_engine

        def begun(*_: object) -> None:
            trace.begins += 1
            trace.transactions.append(trace.awaiting())

        def committed(*_: object) -> None:
            trace.commits += 1

        event.listen(engine, "begin", begun)
        event.listen(engine, "commit", committed)
        inbound = burst.command(REQUESTER, "help pandas")
        sys.setprofile(trace.profile)
        try:
            delivery = await burst.deliver(inbound)
        finally:
            sys.setprofile(None)
            event.remove(engine, "begin", begun)
            event.remove(engine, "commit", committed)
        assert delivery.status == 200, delivery
        assert not delivery.errors, delivery.errors
        pings = [c for c in delivery.calls if c.method == "chat.postMessage" and "pandas" in str(c.args)]
        assert pings, "no ping was sent"
        return trace
    finally:
        await burst.close()
        api.stop()


def report(console: Console, trace: PathTrace) -> None:
    by_package = Counter(m.split(".")[0] for m in trace.order)
    packages = ", ".join(f"{by_package[p]} in {p}/" for p in PACKAGES)
    console.print(f"[bold]/burst help pandas[/]: {len(trace.order)} modules ({packages})")
    console.print(f"transactions: {trace.begins} begun, {trace.commits} committed")
    for where in trace.transactions:
        console.print(f"  {where}")
    console.print(f"back-and-forth: {len(trace.back_and_forth)} module(s) entered again from below themselves")
    for module in trace.order:
        console.print(f"  {module} ({trace.entries[module]}x)")
        for again in trace.back_and_forth.get(module, []):
            console.print(f"    [yellow]back-and-forth: {' <- '.join(again)}[/]")


async def run(console: Console) -> PathTrace:
    with tempfile.TemporaryDirectory(prefix="burst-path-") as folder:
        trace = await measure(Path(folder))
    report(console, trace)
    return trace


def main(out: Callable[[], Console] = Console) -> None:
    asyncio.run(run(out()))


if __name__ == "__main__":
    main()
