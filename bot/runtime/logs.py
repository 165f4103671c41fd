"""Structured logs (structlog): key=value lines for people, JSON when BURST_LOG_JSON is set for machines."""

from __future__ import annotations

import logging
import sys

import structlog


def configure(level: str, *, as_json: bool = False) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(message)s")
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for noisy in ("apscheduler", "slack_bolt", "slack_sdk", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(quiet)
    # slack_sdk decides whether to build its debug lines (the whole request, blocks and all) from these loggers'
    # own level rather than the effective one: left unset (0), every Web API call and every respond() paid for a
    # line nobody logs, a cost every help request carried (`benchmarks load` shows it).
    for checked in ("slack_sdk.web.async_base_client", "slack_sdk.webhook.async_client"):
        logging.getLogger(checked).setLevel(quiet)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
