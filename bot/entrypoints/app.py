"""The composition root: `build_app(settings)` wires the database, services, timers and Slack listeners."""

from __future__ import annotations

import logging
from typing import Any, Protocol

import aiohttp
import structlog
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler, AsyncServerErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.domain.availability import AbuseLimits
from bot.domain.understanding import shared_understander
from bot.entrypoints.folders import matching_dir
from bot.runtime import timer_kinds as tk
from bot.runtime.metrics import Metrics
from bot.runtime.timers import Timers
from bot.runtime.work_gate import DeliveryLedger, WorkGate
from bot.services import sessions as ses
from bot.services.answering import AnswerService
from bot.services.asking import RequestService, RoutingConfig
from bot.services.calendar_fetch import CalendarFetcher
from bot.services.calendar_secret import CalendarSecrets
from bot.services.calendars import CalendarService
from bot.services.container import Services
from bot.services.digest import DigestConfig, DigestService
from bot.services.directory_sync import DirectorySync
from bot.services.followups import FollowupService
from bot.services.privacy import PrivacyService
from bot.services.profiles import ProfileService
from bot.services.routing import Screen, TopicReader
from bot.services.sessions import SessionConfig, SessionService
from config import DigestSettings, Settings
from handlers.slack.gateway import Counted, GatedWebClient, SlackGateway, gated_respond, rate_limit_handler
from handlers.slack.listening import AcksFirstApp, log_listener_error
from handlers.slack.signals import SlackSignalReader
from storage.database import Database

DEFAULT_SLACK_API = "https://slack.com/api/"
log = structlog.get_logger(__name__)


# slack_sdk counts a call's retries together, whatever failed: a 500 or a dropped connection ends a call once it has
# been retried ERROR_RETRIES times, a 429 once RATE_LIMIT_RETRIES. Six: at one failed attempt in ten, about one call
# in a million fails for good (at three, one in thirty thousand: a lost message in one run of the 200-request fault
# benchmark in five), and the backoff (0.5 s doubling, plus up to 1 s of jitter) spends at most some forty seconds.
ERROR_RETRIES = 6
RATE_LIMIT_RETRIES = 8


class ApiUrl(Protocol):
    """Settings that name the Web API's base URL (SLACK_API_URL): Settings, SlackApiSettings."""

    @property
    def slack_api_url(self) -> str | None: ...


def web_client(
    settings: ApiUrl,
    token: str,
    session: aiohttp.ClientSession | None = None,
    gate: WorkGate | None = None,
    metrics: Metrics | None = None,
) -> AsyncWebClient:
    """Every Web API client honours SLACK_API_URL and retries 429s (after Retry-After), 5xx and dropped links.

    Without a `session` slack_sdk opens a new HTTP session, and connection, for every call. With a `gate`, a call
    gives up its work slot while it waits (handlers.slack.gateway), and is counted in `metrics`.
    """
    on_429 = metrics.web_api_429 if metrics else None
    options = _client_options(settings, token, session, on_429)
    if gate is not None:
        return GatedWebClient(gate=gate, on_call=metrics.web_api_call if metrics else None, on_429=on_429, **options)
    return AsyncWebClient(**options)


def _client_options(
    settings: ApiUrl, token: str, session: aiohttp.ClientSession | None, on_429: Counted | None
) -> dict[str, Any]:
    return dict(
        token=token,
        base_url=settings.slack_api_url or DEFAULT_SLACK_API,
        session=session,
        retry_handlers=[
            rate_limit_handler(on_429, RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=ERROR_RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=ERROR_RETRIES),
        ],
    )


def signals_client(
    settings: Settings,
    session: aiohttp.ClientSession | None = None,
    gate: WorkGate | None = None,
    metrics: Metrics | None = None,
) -> AsyncWebClient:
    """For reading DND, status and presence: no 429 retries and a short timeout, since a wave waits on it and a
    missing reading only means no signal (handlers.slack.signals)."""
    options = _client_options(settings, settings.slack_bot_token, session, None) | {
        "retry_handlers": [AsyncConnectionErrorRetryHandler(max_retry_count=1)],
        "timeout": 5,
    }
    if gate is not None:
        on_call, on_429 = (metrics.web_api_call, metrics.web_api_429) if metrics else (None, None)
        return GatedWebClient(gate=gate, on_call=on_call, on_429=on_429, **options)
    return AsyncWebClient(**options)


def quiet_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.setLevel(max(logging.WARNING, logging.getLogger().level))
    return logger


def digest_config(settings: DigestSettings) -> DigestConfig:
    return DigestConfig(
        channel=settings.burst_digest_channel,
        cron=settings.burst_digest_cron,
        zone=settings.zone,
        min_askers=settings.burst_digest_min_askers,
    )


def build_services(
    settings: Settings,
    gateway: SlackGateway,
    gate: WorkGate | None = None,
    metrics: Metrics | None = None,
    signals: SlackSignalReader | None = None,
) -> Services:
    db = Database(settings.database_url)
    gate = gate or WorkGate()
    metrics = metrics or Metrics()
    db.on_commit.append(metrics.committed)
    timers = Timers(db, sweep_interval=settings.burst_sweep_interval, gate=gate, on_late=metrics.timer_ran)
    followups = FollowupService(db, gateway, timers, settings.burst_followup_delays)
    sessions = SessionService(
        db,
        gateway,
        timers,
        followups,
        SessionConfig(
            warning=settings.burst_session_warning,
            extension=ses.extension_for(settings.burst_session_length),
        ),
    )
    requests = RequestService(
        db,
        gateway,
        TopicReader(shared_understander(matching_dir())),
        timers,
        sessions,
        RoutingConfig(
            wave_size=settings.burst_wave_size,
            wave_timeout=settings.burst_wave_timeout,
            max_waves=settings.burst_max_waves,
            default_length_seconds=max(1, round(settings.burst_session_length.total_seconds())),
            limits=AbuseLimits(
                requests_per_hour=settings.burst_max_requests_per_hour,
                cancel_cooldown=settings.burst_cancel_cooldown,
                pings_from_one_per_hour=settings.burst_max_pings_from_one_per_hour,
                pings_per_hour=settings.burst_max_pings_per_hour,
            ),
        ),
        Screen(signals, settings.signal_switches),
    )
    answers = AnswerService(requests)
    directory_sync = DirectorySync(db, gateway, timers)
    calendars = CalendarService(
        db,
        CalendarFetcher(allow_local=settings.burst_calendar_allow_local, gate=gate),
        CalendarSecrets(settings.burst_calendar_key or settings.slack_bot_token),
        timers,
        settings.burst_calendar_refresh,
    )
    wire_timers(timers, requests, sessions, followups, directory_sync, calendars)
    digest = DigestService(
        db,
        gateway,
        digest_config(settings),
        worker=timers.worker,
    )
    return Services(
        settings=settings,
        db=db,
        timers=timers,
        profiles=ProfileService(db, gateway),
        requests=requests,
        answers=answers,
        sessions=sessions,
        privacy=PrivacyService(db, answers, sessions),
        followups=followups,
        digest=digest,
        directory_sync=directory_sync,
        calendars=calendars,
        signals=signals,
        deliveries=DeliveryLedger(db),
        after_ack=gate,
        metrics=metrics,
    )


def wire_timers(
    timers: Timers,
    requests: RequestService,
    sessions: SessionService,
    followups: FollowupService,
    directory_sync: DirectorySync,
    calendars: CalendarService | None = None,
) -> None:
    """Which service runs each kind of timed action (bot.runtime.timer_kinds) when it falls due, or is owed still."""
    timers.on(tk.WaveDue, requests.on_wave_due)
    timers.on(tk.ExpireDue, requests.on_expire_due)
    timers.on(tk.SendPings, requests.send)
    timers.on(tk.TellMatch, requests.send)
    timers.on(tk.TellClosed, requests.send)
    timers.on(tk.RewritePings, requests.send)
    timers.on(tk.AskWhich, requests.send)
    timers.on(tk.TellBusy, requests.send)
    timers.on(tk.SessionWarningDue, sessions.on_warning_due)
    timers.on(tk.SessionEndDue, sessions.on_end_due)
    timers.on(tk.TellSession, sessions.send)
    timers.on(tk.FollowupDue, followups.on_followup_due)
    timers.on(tk.TellFollowup, followups.send)
    timers.on(tk.DirectorySyncDue, directory_sync.on_timer)
    if calendars is not None:
        timers.on(tk.CalendarRefreshDue, calendars.on_timer)


def build_app(settings: Settings, session: aiohttp.ClientSession | None = None) -> tuple[AsyncApp, Services]:
    gate = WorkGate()
    metrics = Metrics()
    client = web_client(settings, settings.slack_bot_token, session, gate, metrics)
    app = AcksFirstApp(
        gate=gate,
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Socket Mode frames are authenticated by the connection itself; HTTP requests by their signature.
        request_verification_enabled=not settings.socket_mode,
        # Bolt's own logger copies the root level; at DEBUG it narrates every middleware of every request.
        logger=quiet_logger("slack_bolt.burst"),
        # Bolt's AI-assistant helpers: with them, `say` in a DM thread first reads the thread (conversations.replies)
        # looking for an assistant's context. Burst is no assistant; a reply in a thread needs no extra call.
        attaching_conversation_kwargs_enabled=False,
    )
    gateway = SlackGateway(client, gate, extension=ses.extension_for(settings.burst_session_length))
    signals = SlackSignalReader(signals_client(settings, session, gate, metrics), settings.signal_switches)
    services = build_services(settings, gateway, gate, metrics, signals)
    app.use(gated_respond(gate))
    handlers.register_all(app, services, gateway)
    app.error(log_listener_error)
    return app, services
