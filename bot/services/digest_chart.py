"""The digest's chart (matplotlib, headless): this week against last, side by side.

Built with the object-oriented `Figure` API rather than pyplot: pyplot keeps global state, while a Figure of its own
can be drawn in a worker thread (the gateway renders it with asyncio.to_thread, off the event loop).
"""

from __future__ import annotations

import io

from bot.services.digest import Digest


def render_chart(digest: Digest) -> bytes:
    # Imported on first use, not with the module: matplotlib is a large share of resident memory and a good part
    # of start-up that every `burst run` would pay for a chart drawn once a week (`benchmarks scale`).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = ["Requests", "Matched", "Unmet", "Sessions"]
    this = [digest.this.requests, digest.this.matched, digest.this.unmet, digest.this.sessions]
    last = [digest.last.requests, digest.last.matched, digest.last.unmet, digest.last.sessions]
    fig = Figure(figsize=(6, 3), dpi=100)
    FigureCanvasAgg(fig)  # attaches the headless canvas savefig draws on
    ax = fig.subplots()
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], last, width=0.4, label="Last week", color="#c9c9c9")
    ax.bar([x + 0.2 for x in xs], this, width=0.4, label="This week", color="#4a154b")
    ax.set_xticks(list(xs), labels)
    ax.set_title(f"Burst, {digest.week_of}")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
