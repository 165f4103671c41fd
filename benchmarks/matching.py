"""Matching quality: does the first wave reach a right mentor, for requests written as people write them?

The labelled set in benchmarks/data/matching (or any folder with the same files, `--data DIR`):
`mentors.yaml` (mentors registered as people do: short skill lists, some with an about line) and `requests.yaml`
(each request with the skills that make a mentor right, `right: []` when no registered mentor can help, a split).
The mentors are stored through the real repositories in a fresh, migrated SQLite database; each request then goes
through what `RequestService.ask` and the first wave do: `TopicReader.read` (lexical, knowledge terms, embeddings,
mentor evidence) and `bot.services.routing.choose` for a wave of BURST_WAVE_SIZE's default, with every mentor free.

Printed per split and overall:
- first-wave hit: answerable requests whose first wave holds a mentor with a right skill; a request answered with
  "did you mean ...?" pings nobody, so it counts as a miss (how often the right skill was offered is shown too);
- wrong pings: pings to a mentor with none of the right skills, over all pings (unanswerable requests included);
- unanswerable pinged: requests no mentor can answer that pinged anyone;
- p95: the wall time of reading the topic and choosing the wave, per request;
- gap named right (not in the last line): for answerable requests whose right skills the knowledge file has, whether
  the skill gap the digest would name if nobody held any skill (`Understander.gap`) is a right one.

`--renamed` runs the same set with the mentors' skills under the other names in `renamed.yaml` ("golang", "k8s",
"perf reviews", "contract review"...): another workspace registers skills its own way.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from benchmarks.report import Timings
from bot.domain.embedding import shared_embedder
from bot.domain.skills import normalise_skill
from bot.domain.understanding import Understander, Verdict
from bot.services.routing import RankedCandidate, TopicReader, choose
from storage.database import Database
from storage.migrate import upgrade_async
from storage.models import SkillLevel, WantedLevel, utcnow

DATA = Path(__file__).parent / "data" / "matching"
WAVE_SIZE = 3  # BURST_WAVE_SIZE's default
REQUESTER = "UASKER0001"
_request_ids = itertools.count(1_000_000_000)  # ids no row has: a first wave, nobody pinged yet


@dataclass
class Score:
    """The figures of one split."""

    name: str
    answerable: int = 0
    hits: int = 0
    offered: int = 0  # "did you mean ...?" that offered a right skill
    pings: int = 0
    wrong: int = 0
    unanswerable: int = 0
    unanswerable_pinged: int = 0
    gaps: int = 0  # answerable requests whose right skills the knowledge file has (a gap could be named after)
    gaps_right: int = 0
    timings: Timings = field(default_factory=Timings)
    misses: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"first-wave hit {_pct(self.hits, self.answerable)} ({self.hits}/{self.answerable}); "
            f"wrong pings {_pct(self.wrong, self.pings)}; "
            f"unanswerable pinged {_pct(self.unanswerable_pinged, self.unanswerable)} "
            f"({self.unanswerable_pinged}/{self.unanswerable}); p95 {self.timings.p95:.1f} ms"
        )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def held_skills(mentor: dict[str, Any]) -> list[tuple[str, SkillLevel]]:
    """A mentor's skills as a set writes them: `{skill: go, level: expert}` (or `name:` for `skill:`), or a string
    as `/burst skills add` takes one (`go`, `go:expert`), in a list or comma-separated; a level that is neither
    expert nor peer is peer."""
    entries = mentor.get("skills") or ()
    if isinstance(entries, str):
        entries = entries.split(",")
    elif isinstance(entries, dict):  # {go: expert, kubernetes: peer}
        entries = [{"skill": name, "level": level} for name, level in entries.items()]
    found: list[tuple[str, SkillLevel]] = []
    for entry in entries:
        if isinstance(entry, dict):
            name, level = str(entry.get("skill") or entry.get("name") or ""), str(entry.get("level") or "")
        else:
            before, colon, after = str(entry).rpartition(":")
            name, level = (before, after) if colon and after.strip().lower() in _LEVELS else (str(entry), "")
        if name.strip():
            found.append((name.strip(), _LEVELS.get(level.strip().lower(), SkillLevel.PEER)))
    return found


_LEVELS = {level.value: level for level in SkillLevel}


def right_skills(request: dict[str, Any]) -> set[str]:
    """The skills that make a mentor right for a request: `right: [go, kubernetes]`, or one string of them
    comma-separated; none (`right: []`, or no `right`) when no registered mentor can help."""
    right = request.get("right") or ()
    names = right if isinstance(right, list | tuple) else str(right).split(",")
    return {skill for name in names if (skill := normalise_skill(str(name)))}


def _listed(path: Path, key: str) -> list[dict[str, Any]]:
    """The items of a set's file: a mapping with the list under `key`, or the list itself. A request may be its text
    alone (nobody registered can answer it)."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = loaded.get(key) if isinstance(loaded, dict) else loaded
    if not isinstance(items, list):
        raise SystemExit(f"{path}: expected a list of {key} (under `{key}:`)")
    found = [{"text": item} if isinstance(item, str) and key == "requests" else item for item in items]
    if wrong := [item for item in found if not isinstance(item, dict)]:
        raise SystemExit(f"{path}: each of the {key} is a mapping, not {wrong[0]!r}")
    return found


async def seed(db: Database, mentors: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
    """Store the mentors as Burst would; returns each mentor's canonical skills."""
    held: dict[str, set[str]] = {}
    async with db.uow() as uow:
        for mentor in mentors:
            member_id = str(mentor["id"])
            await uow.members.get_or_create(member_id)
            await uow.flush()
            held[member_id] = set()
            for name, level in held_skills(mentor):
                skill = normalise_skill(name)
                await uow.members.set_skill(member_id, skill, level)
                held[member_id].add(skill)
            if about := mentor.get("about"):
                await uow.evidence.set_about(member_id, str(about))
        await uow.commit()
    return held


async def run(
    console: Console, data: Path = DATA, show_misses: bool = False, model: bool = True, renamed: bool = False
) -> list[Score]:
    mentors, requests = _listed(data / "mentors.yaml", "mentors"), _listed(data / "requests.yaml", "requests")
    if renamed:
        _rename(mentors, requests, yaml.safe_load((data / "renamed.yaml").read_text(encoding="utf-8"))["renamed"])
    began = time.perf_counter()
    reader = TopicReader(Understander(shared_embedder() if model else None))
    with tempfile.TemporaryDirectory(prefix="burst-matching-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'burst.db'}"
        await upgrade_async(url)
        db = Database(url)
        try:
            held = await seed(db, mentors)
            async with db.uow(readonly=True) as uow:
                await reader.read(uow, "warm up the caches")
            console.print(
                f"[dim]{len(mentors)} mentors, {len(requests)} requests; model "
                f"{reader.understander.embedder.name if reader.understander.embedder else 'none (lexical only)'}; "
                f"ready in {time.perf_counter() - began:.1f} s[/]"
            )
            scores: dict[str, Score] = {}
            for request in requests:
                # A request counts once in its split and once in all; a set without splits has only "all".
                split = str(request.get("split") or "all")
                counted = {name: scores.setdefault(name, Score(name)) for name in (split, "all")}
                await _one(db, reader, request, held, list(counted.values()))
        finally:
            await db.dispose()
    ordered = [scores[k] for k in sorted(scores, key=lambda k: (k == "all", k))]
    for score in ordered:
        console.print(f"{score.name}: {score.line()}")
        console.print(
            f"  [dim]and {score.offered} more asked 'did you mean ...?' offering a right skill; skill gap named right "
            f"{_pct(score.gaps_right, score.gaps)} ({score.gaps_right}/{score.gaps})[/]"
        )
        if show_misses:
            for miss in score.misses:
                console.print(f"  [dim]{miss}[/]")
    return ordered


def _rename(mentors: list[dict[str, Any]], requests: list[dict[str, Any]], names: dict[str, str]) -> None:
    """Every mentor's skill, and every request's right skills, under the other name `names` gives it."""
    for mentor in mentors:
        for held in mentor["skills"]:
            held["skill"] = names.get(held["skill"], held["skill"])
    for request in requests:
        request["right"] = [names.get(skill, skill) for skill in request.get("right") or ()]


async def _one(
    db: Database, reader: TopicReader, request: dict[str, Any], held: dict[str, set[str]], scores: list[Score]
) -> None:
    text = str(request["text"])
    right = right_skills(request)
    began = time.perf_counter()
    async with db.uow(readonly=True) as uow:
        understood = await reader.read(uow, text)
        wave: list[RankedCandidate] = []
        if understood.verdict is Verdict.ROUTE:
            choice = await choose(
                uow,
                skill_scores={m.skill: m.score for m in understood.skills},
                mentor_scores={m.member_id: m.score for m in understood.mentors},
                level=WantedLevel.ANY,
                requester_id=REQUESTER,
                request_id=next(_request_ids),
                now=utcnow(),
                want=WAVE_SIZE,
            )
            wave = choice.chosen
    elapsed = time.perf_counter() - began
    good = [c for c in wave if right & held.get(c.member_id, set())]
    offered = understood.verdict is Verdict.CLARIFY and bool(right & {m.skill for m in understood.skills})
    got = ", ".join(f"{m.skill} {m.score:.2f}" for m in understood.skills[:3])
    known = {s for s in right if s in reader.understander.known}
    gap = reader.understander.gap(text) if known else None
    for score in scores:
        score.timings.add(elapsed)
        score.pings += len(wave)
        score.wrong += len(wave) - len(good)
        if right:
            score.answerable += 1
            score.hits += bool(good)
            score.offered += offered
            score.gaps += bool(known)
            score.gaps_right += gap in known
            if not good and score is scores[0]:  # listed once, under the request's own split
                score.misses.append(f"{understood.verdict.value}: {text[:70]!r} wants {sorted(right)}; read {got}")
        else:
            score.unanswerable += 1
            score.unanswerable_pinged += bool(wave)
            if wave and score is scores[0]:
                score.misses.append(f"pinged: {text[:70]!r} wants no one; read {got}")
