"""Summaries of timings and the rich tables they are printed in."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field


@dataclass
class Timings:
    """Wall-clock samples in seconds; reported in milliseconds because that is the scale routing lives at."""

    seconds: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.seconds.append(seconds)

    def pct(self, p: float) -> float:
        """Nearest-rank percentile in ms: always an observed value, so p95 of 50 samples is the third worst."""
        if not self.seconds:
            return math.nan
        ordered = sorted(self.seconds)
        return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1] * 1_000

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds) * 1_000 if self.seconds else math.nan

    @property
    def p95(self) -> float:
        return self.pct(95)

    @property
    def max(self) -> float:
        return max(self.seconds) * 1_000 if self.seconds else math.nan

    @property
    def min(self) -> float:
        return min(self.seconds) * 1_000 if self.seconds else math.nan


def ms(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def count(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:,.0f}"


def verdict(value: float, target: float) -> str:
    if math.isnan(value):
        return "[yellow]no data[/]"
    return f"[green]✓ {ms(value)} < {ms(target)}[/]" if value < target else f"[red]✗ {ms(value)} ≥ {ms(target)}[/]"
