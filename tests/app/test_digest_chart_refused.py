"""Where Slack's files API refuses the chart (a workspace without it, or a missing scope), the digest still posts."""

from __future__ import annotations

from tests.support.in_process import ADMIN, DIGEST_CHANNEL, InProcessBurst


async def test_the_digest_posts_without_its_chart_when_the_upload_is_refused(burst: InProcessBurst) -> None:
    delivery = await burst.deliver(burst.command(ADMIN, "digest post"))
    assert delivery.status == 200
    assert not delivery.errors, delivery.errors
    posted = [c for c in delivery.calls if c.method == "chat.postMessage" and c.args.get("channel") == DIGEST_CHANNEL]
    assert len(posted) == 1
    assert "weekly digest" in str(posted[0].args.get("text")).lower()
    # The fake answers files.getUploadURLExternal with unknown_method, as a Slack without it would.
    assert [c.method for c in delivery.calls if c.method.startswith("files.")] == ["files.getUploadURLExternal"]
    assert any("Posted the digest" in str(c.args.get("text")) for c in delivery.calls if c.method == "response_url")
