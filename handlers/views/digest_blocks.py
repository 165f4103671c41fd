"""The weekly digest in Block Kit: aggregates only, each figure with its change from the week before."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.services.digest import Digest, WeekStats
from handlers.views.blocks import Json, context, escape, header, mention, message, plural, section


def _delta(now: float | None, before: float | None, unit: str = "", pct: bool = False) -> str:
    if now is None:
        return "n/a"
    shown = f"{now:.0%}" if pct else f"{now:g}{unit}"
    if before is None:
        return shown
    diff = now - before
    if abs(diff) < 1e-9:
        return f"{shown} (same as last week)"
    arrow = "▲" if diff > 0 else "▼"
    change = f"{abs(diff) * 100:.0f} pts" if pct else f"{abs(diff):g}{unit}"
    return f"{shown} ({arrow} {change})"


def _duration(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def figures(this: WeekStats, last: WeekStats) -> list[tuple[str, str]]:
    return [
        ("Requests", _delta(this.requests, last.requests)),
        ("Match rate", _delta(this.match_rate, last.match_rate, pct=True)),
        ("Time to first accept, median", _delta(_duration(this.median_accept), _duration(last.median_accept), " min")),
        ("Time to first accept, p90", _delta(_duration(this.p90_accept), _duration(last.p90_accept), " min")),
        ("Sessions", _delta(this.sessions, last.sessions)),
        ("Minutes of help", _delta(this.minutes, last.minutes)),
        ("Helpful / not", f"{this.helpful} / {this.not_helpful} (last week {last.helpful} / {last.not_helpful})"),
        ("Solved / still stuck", f"{this.solved} / {this.stuck} (last week {last.solved} / {last.stuck})"),
    ]


def headline(digest: Digest) -> str:
    """The week in a sentence or two, as a manager would say it."""
    this = digest.this
    if not this.requests:
        return "A quiet week: nobody asked for help."
    said = f"{plural(this.requests, 'request')} for help, {this.matched} matched"
    if this.match_rate is not None:
        said += f" ({this.match_rate:.0%})"
    if (median := _duration(this.median_accept)) is not None:
        said += f", the first accept after {median:g} min at the median"
    said += "."
    if this.unmet:
        said += f" {this.unmet} found nobody"
        said += f", most often on *{escape(this.unmet_topics[0][0])}*." if this.unmet_topics else "."
    return said


def rare_line(count: int, min_askers: int) -> str:
    """Unmet requests on topics too rare to name, worded alike in Slack and in the terminal."""
    return (
        f"{plural(count, 'other unmet request')} on rarer topics "
        f"(each asked by fewer than {plural(min_askers, 'person', 'people')}, so not named)"
    )


def digest_text(digest: Digest) -> str:
    return f"Burst weekly digest, {digest.week_of}: {headline(digest)}"


def chart_alt_text(digest: Digest) -> str:
    """What the chart shows (bot.services.digest_chart), for a screen reader."""
    this, last = digest.this, digest.last
    pairs = [
        ("requests", this.requests, last.requests),
        ("matched", this.matched, last.matched),
        ("unmet", this.unmet, last.unmet),
        ("sessions", this.sessions, last.sessions),
    ]
    shown = ", ".join(f"{name} {now} (last week {before})" for name, now, before in pairs)
    return f"Bar chart of Burst {digest.period}, this week against last: {shown}."


def digest_blocks(digest: Digest) -> list[Json]:
    this, last = digest.this, digest.last
    blocks: list[Block] = [
        header(f"Burst weekly digest, {digest.week_of}"),
        section(headline(digest)),
        section("\n".join(f"*{name}:* {value}" for name, value in figures(this, last))),
    ]
    if this.top_topics:
        blocks.append(section("*Top topics*\n" + "\n".join(f"• {escape(t)}: {n}" for t, n in this.top_topics)))
    gaps = [f"• {escape(t)}: {n} unmet" for t, n in this.unmet_topics]
    if this.unmet_other:
        gaps.append(f"• {rare_line(this.unmet_other, digest.min_askers)}")
    blocks.append(
        section("*Skill gaps: nobody could help with*\n" + ("\n".join(gaps) if gaps else "Nothing this week :tada:"))
    )
    if this.thanks:
        thanks = ", ".join(f"{mention(m)} ({n})" for m, n in this.thanks)
        blocks.append(section(f"*Thank you* to {thanks}"))
    blocks.append(
        context(f"{digest.start:%a %d %b} to {digest.end:%a %d %b %Y} · aggregates only, nobody's requests are named")
    )
    return message(*blocks)


def digest_markdown(digest: Digest) -> str:
    """The same digest as one mrkdwn text: the comment of the chart when it is uploaded as the main post."""
    parts = []
    for block in digest_blocks(digest):
        if block["type"] == "header":
            parts.append(f"*{block['text']['text']}*")
        elif block["type"] == "context":
            parts.append(f"_{block['elements'][0]['text']}_")
        else:
            parts.append(block["text"]["text"])
    return "\n\n".join(parts)
