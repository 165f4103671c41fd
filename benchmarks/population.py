"""A synthetic but plausible workspace: skills with Zipf-like popularity, mentors across time zones, and topics.

Popularity is what makes routing costly: the common skills ("python") are held by a large share of mentors, so
their requests return thousands of candidates, while a rare skill returns a handful. Uniform skills would
flatter every query, so the vocabulary is ranked by hand at the head and drawn with weight 1/rank.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.skill_aliases import ALIASES, RELATED
from bot.domain.skills import normalise_skill

# Most popular first; everything after the head follows in a fixed shuffled order.
HEAD = (
    "python",
    "javascript",
    "sql",
    "aws",
    "docker",
    "typescript",
    "react",
    "kubernetes",
    "java",
    "postgresql",
    "git",
    "linux",
    "go",
    "terraform",
    "node.js",
    "machine learning",
    "excel",
    "product management",
    "system design",
    "css",
    "ci/cd",
    "data science",
    "pandas",
    "security",
    "people management",
    "ux",
    "api design",
    "testing",
    "debugging",
    "rust",
    "c#",
    "kafka",
    "redis",
    "figma",
    "statistics",
    "html",
)
_EXTRA = """
php|scala|elixir|erlang|haskell|clojure|perl|r|julia|lua|dart|c|fortran|cobol|ocaml|f#|zig|groovy|matlab|bash|
powershell|assembly|solidity|webassembly|vba|redux|webpack|vite|sass|jquery|storybook|jest|cypress|playwright|three.js|
d3.js|remix|nuxt|ember|web components|express|nestjs|laravel|symfony|phoenix|grpc|websockets|microservices|rabbitmq|
memcached|nginx|celery|sqlalchemy|hibernate|prisma|jwt|openapi|protobuf|cassandra|clickhouse|neo4j|redshift|
databricks|looker|tableau|metabase|duckdb|flink|hadoop|hive|trino|data modeling|etl|data engineering|
data visualization|a/b testing|experimentation|time series|forecasting|bayesian statistics|causal inference|ansible|
puppet|pulumi|cloudformation|serverless|lambda|s3|cloudflare|dns|networking|load balancing|prometheus|grafana|
datadog|opentelemetry|istio|envoy|argo cd|jenkins|gitlab ci|circleci|vault|consul|systemd|vim|emacs|vscode|
incident management|on-call|chaos engineering|performance tuning|profiling|caching|distributed systems|
concurrency|algorithms|data structures|design patterns|domain-driven design|refactoring|code review|tdd|
unit testing|integration testing|property-based testing|software architecture|event sourcing|computer vision|
reinforcement learning|mlops|feature engineering|recommender systems|hugging face|langchain|rag|vector databases|
embeddings|jupyter|xgboost|keras|opencv|spacy|android|ios|flutter|jetpack compose|penetration testing|
threat modeling|cryptography|owasp|sso|saml|iam|gdpr|compliance|ui design|interaction design|design systems|
prototyping|illustrator|photoshop|motion design|copywriting|content strategy|roadmapping|okrs|prioritization|agile|
scrum|kanban|jira|confluence|notion|product discovery|pricing|growth|analytics|google analytics|marketing|
email marketing|branding|sales|customer success|customer support|partnerships|fundraising|finance|accounting|
budgeting|financial modeling|contracts|procurement|supply chain|mentoring|coaching|giving feedback|onboarding|
leadership|conflict resolution|remote work|time management|storytelling|stakeholder management|facilitation|
performance reviews|embedded systems|arduino|raspberry pi|iot|game development|unity|unreal engine|blender|
video editing|latex|localization|spanish|german|japanese|blockchain|oracle|sap|salesforce|shopify|wordpress
"""


def build_vocabulary(rng: random.Random) -> list[str]:
    """~300 canonical skill names, most popular first (every name survives `normalise_skill` unchanged)."""
    known = set(ALIASES.values()) | set(RELATED) | {s for related in RELATED.values() for s in related}
    extra = {s.strip() for s in _EXTRA.replace("\n", "").split("|") if s.strip()}
    tail = sorted((known | extra) - set(HEAD))
    rng.shuffle(tail)
    names = [s for s in [*HEAD, *tail] if normalise_skill(s) == s]
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Zipf:
    """Draws items with weight 1/rank**s (s = 1: the first is about twice as common as the second)."""

    items: Sequence[str]
    cumulative: Sequence[float]

    @classmethod
    def over(cls, items: Sequence[str], s: float = 1.0) -> Zipf:
        return cls(items, list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, len(items) + 1))))

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    def distinct(self, rng: random.Random, k: int) -> list[str]:
        chosen: dict[str, None] = {}
        while len(chosen) < k:
            chosen[self.draw(rng)] = None
        return list(chosen)


ZONES = (
    ("America/New_York", 18),
    ("America/Los_Angeles", 12),
    ("America/Chicago", 6),
    ("America/Sao_Paulo", 4),
    ("Europe/London", 14),
    ("Europe/Berlin", 10),
    ("Europe/Paris", 6),
    ("Europe/Warsaw", 4),
    ("Asia/Kolkata", 10),
    ("Asia/Singapore", 4),
    ("Asia/Tokyo", 4),
    ("Australia/Sydney", 4),
    ("UTC", 4),
)
HOURS = (
    ("09:00", "17:30", 50),
    ("08:00", "16:00", 20),
    ("10:00", "18:00", 20),
    ("22:00", "06:00", 2),
    ("07:00", "15:00", 8),
)


def member_id(n: int) -> str:
    return f"U{n:08d}"


def member_row(rng: random.Random, n: int, now: datetime) -> dict[str, Any]:
    """A member as Burst would have stored them: zone from Slack, hours for some, a few away or snoozed."""
    zones, weights = zip(*ZONES, strict=True)
    hours = rng.choices(HOURS, weights=[h[2] for h in HOURS])[0] if rng.random() < 0.4 else None
    roll = rng.random()
    away, away_until = False, None
    if roll < 0.02:  # away until they say otherwise
        away = True
    elif roll < 0.05:  # away for a while (holiday)
        away, away_until = True, now + timedelta(days=rng.randint(1, 14))
    elif roll < 0.06:  # was away; the date has passed
        away, away_until = True, now - timedelta(hours=rng.randint(1, 72))
    snooze_roll = rng.random()
    snoozed_until = None
    if snooze_roll < 0.03:
        snoozed_until = now + timedelta(minutes=rng.randint(5, 60))
    elif snooze_roll < 0.08:
        snoozed_until = now - timedelta(hours=rng.randint(1, 200))
    return {
        "id": member_id(n),
        "display_name": f"Member {n}",
        "tz": rng.choices(zones, weights=weights)[0],
        "hours_start": hours[0] if hours else None,
        "hours_end": hours[1] if hours else None,
        "away": away,
        "away_until": away_until,
        "snoozed_until": snoozed_until,
        "weekly_cap": rng.randint(1, 5) if rng.random() < 0.2 else None,
        "thanks_opt_in": rng.random() < 0.3,
        "last_pinged_at": None,
        "profile_checked_at": now - timedelta(days=rng.randint(0, 30)),
        "created_at": now - timedelta(days=rng.randint(1, 400)),
    }


_REVERSE_ALIASES: dict[str, list[str]] = {}
for _alias, _canonical in ALIASES.items():
    _REVERSE_ALIASES.setdefault(_canonical, []).append(_alias)

TEMPLATES = (
    "{s}",
    "help with {s}",
    "how do I debug a memory leak in {s}",
    "anyone know {s}? stuck on a config issue",
    "quick {s} question about error handling",
    "best way to structure tests for {s}",
    "review my {s} approach before friday",
    "{s} and {t} integration is flaky",
    "need a second pair of eyes on a {s} migration",
    "pairing on {s} performance for 15 minutes",
)


def topic(rng: random.Random, skill: str, other: str) -> str:
    """A topic as people write it: in a sentence, sometimes through an alias (`k8s`), sometimes with a second skill."""
    said = rng.choice(_REVERSE_ALIASES[skill]) if skill in _REVERSE_ALIASES and rng.random() < 0.3 else skill
    return rng.choice(TEMPLATES).format(s=said, t=other)


def request_topics(rng: random.Random, vocabulary: Sequence[str], count: int) -> list[tuple[str, str, str]]:
    """(class, skill, topic): two thirds drawn by popularity (mostly common skills), a third from the rare tail."""
    zipf = Zipf.over(vocabulary)
    tail = vocabulary[len(vocabulary) // 2 :]
    topics = []
    for i in range(count):
        if i % 3 == 2:
            skill, kind = rng.choice(tail), "rare"
        else:
            skill = zipf.draw(rng)
            kind = "common" if vocabulary.index(skill) < 20 else "mid"
        topics.append((kind, skill, topic(rng, skill, zipf.draw(rng))))
    return topics
