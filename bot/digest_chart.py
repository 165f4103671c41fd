"""The digest's chart (matplotlib, headless): this week against last, side by side."""

from __future__ import annotations

import io

from bot.digest import Digest


def render_chart(digest: Digest) -> bytes:
    # Imported on first use, not with the module: matplotlib is about 55 MB of resident memory and most of a
    # second of start-up that every `burst run` would pay for a chart drawn once a week (benchmarks scale).
    import matplotlib

    matplotlib.use("Agg")  # no display here, and never one on a server
    import matplotlib.pyplot as plt

    labels = ["Requests", "Matched", "Unmet", "Sessions"]
    this = [digest.this.requests, digest.this.matched, digest.this.unmet, digest.this.sessions]
    last = [digest.last.requests, digest.last.matched, digest.last.unmet, digest.last.sessions]
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], last, width=0.4, label="Last week", color="#c9c9c9")
    ax.bar([x + 0.2 for x in xs], this, width=0.4, label="This week", color="#4a154b")
    ax.set_xticks(list(xs), labels)
    ax.set_title(f"Burst {digest.period}")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
