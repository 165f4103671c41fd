"""Burst's settings: the only place that reads the environment (and a `.env` file).

Every variable of the product contract (the README's "Configuration") is a field here under exactly that name.
A wrong value never surfaces as a traceback: `load_settings` turns pydantic's errors into `ConfigError`,
one line per problem, each naming the variable.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.availability import SignalSwitches
from bot.domain.durations import parse_duration

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///burst.db"


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("expected a duration")
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(
            f"not a duration: {value!r} (use seconds like 90, ISO 8601 like PT90S or P1D, or 2h / 3d)"
        ) from None


class DatabaseSettings(BaseSettings):
    """What commands that only touch the database need (`burst db upgrade`, imports, exports)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    database_url: str = DEFAULT_DATABASE_URL

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///<file> or postgresql+asyncpg://<user>@<host>/<db>")
        return value


class SlackApiSettings(DatabaseSettings):
    """The database and, when set, the bot token: `burst mentors import` checks user IDs with Slack if it can."""

    slack_bot_token: str | None = None
    slack_api_url: str | None = None


class DigestSettings(DatabaseSettings):
    """What the weekly digest reads besides the database: enough for `burst digest --preview`, no Slack tokens."""

    burst_timezone: str = "UTC"
    burst_digest_channel: str | None = None
    burst_digest_cron: str = "0 9 * * mon"
    burst_digest_min_askers: int = Field(default=3, ge=1)  # a gap asked by fewer people shows only as a count

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.burst_timezone)

    @field_validator("burst_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)") from None
        return value

    @model_validator(mode="after")
    def _check_cron(self) -> DigestSettings:
        try:
            CronTrigger.from_crontab(self.burst_digest_cron, timezone=ZoneInfo(self.burst_timezone))
        except (ValueError, KeyError) as exc:
            raise ValueError(
                f"BURST_DIGEST_CRON: not a crontab expression: {self.burst_digest_cron!r} ({exc})"
            ) from None
        return self


class Settings(DigestSettings):
    """Configuration of one Burst process. Field names are the environment variables, lower-cased."""

    slack_bot_token: str = Field(min_length=1)
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str | None = None
    burst_http_port: int = Field(default=8080, ge=0, le=65535)
    burst_admins: Annotated[frozenset[str], NoDecode] = frozenset()
    burst_wave_size: int = Field(default=3, ge=1, le=50)
    burst_wave_timeout: timedelta = timedelta(seconds=180)
    burst_max_waves: int = Field(default=3, ge=1, le=20)
    burst_session_length: timedelta = timedelta(minutes=15)
    burst_session_warning: timedelta = timedelta(minutes=2)
    burst_followup_delays: Annotated[tuple[timedelta, ...], NoDecode] = (timedelta(days=1), timedelta(days=7))
    # Not in the product table: operational knobs with safe defaults.
    burst_sweep_interval: timedelta = timedelta(seconds=15)
    burst_log_level: str = "INFO"
    burst_log_json: bool = False  # JSON lines for a log shipper instead of key=value lines for people
    # Availability signals people already keep (bot.domain.availability): each can be turned off.
    burst_respect_dnd: bool = True
    burst_respect_status: bool = True
    burst_respect_presence: bool = True
    burst_calendar_refresh: timedelta = timedelta(minutes=15)
    burst_calendar_key: str | None = None  # encrypts calendar addresses; the bot token's derivative when unset
    burst_calendar_allow_local: bool = False  # http:// and private addresses: tests and the local demo only
    # Abuse limits (bot.domain.availability): requests one person may make in an hour; after they cancel, how long the
    # same topic leaves the mentors it pinged alone; pings a mentor gets in an hour from one requester, and in all.
    burst_max_requests_per_hour: int = Field(default=10, ge=1)
    burst_cancel_cooldown: timedelta = timedelta(minutes=30)
    burst_max_pings_from_one_per_hour: int = Field(default=3, ge=1)
    burst_max_pings_per_hour: int = Field(default=12, ge=1)
    # HTTP mode: a client gets this long to send a request's headers, and again its body, before it is dropped.
    burst_http_read_timeout: timedelta = timedelta(seconds=5)
    burst_http_max_connections: int = Field(default=256, ge=1)  # connections past it are answered 503 and closed

    @field_validator(
        "burst_wave_timeout",
        "burst_session_length",
        "burst_session_warning",
        "burst_sweep_interval",
        "burst_calendar_refresh",
        "burst_http_read_timeout",
        "burst_cancel_cooldown",
        mode="before",
    )
    @classmethod
    def _parse_duration(cls, value: Any) -> timedelta:
        return _duration(value)

    @field_validator("burst_followup_delays", mode="before")
    @classmethod
    def _parse_delays(cls, value: Any) -> tuple[timedelta, ...]:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            return tuple(_duration(p) for p in parts)
        if isinstance(value, list | tuple):
            return tuple(_duration(v) for v in value)
        raise ValueError("expected comma-separated durations")

    @field_validator("burst_admins", mode="before")
    @classmethod
    def _parse_admins(cls, value: Any) -> frozenset[str]:
        if isinstance(value, str):
            return frozenset(p.strip() for p in value.split(",") if p.strip())
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(str(v) for v in value)
        raise ValueError("expected comma-separated Slack user IDs")

    @field_validator("burst_log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return level

    @model_validator(mode="after")
    def _check_mode(self) -> Settings:
        if not self.slack_app_token and not self.slack_signing_secret:
            raise ValueError(
                "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: set one (Socket Mode needs the app token, "
                "HTTP mode the signing secret)"
            )
        if self.burst_calendar_refresh < timedelta(minutes=1) and not self.burst_calendar_allow_local:
            raise ValueError("BURST_CALENDAR_REFRESH: at least a minute (calendar servers rate-limit their feeds)")
        if self.burst_session_warning >= self.burst_session_length:
            raise ValueError("BURST_SESSION_WARNING: must be shorter than BURST_SESSION_LENGTH")
        return self

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def signal_switches(self) -> SignalSwitches:
        return SignalSwitches(
            dnd=self.burst_respect_dnd, status=self.burst_respect_status, presence=self.burst_respect_presence
        )

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.burst_admins


S = TypeVar("S", bound=DatabaseSettings)


class ConfigError(Exception):
    """Start-up configuration is wrong; `problems` holds one human line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def load_settings(cls: type[S] = Settings, **overrides: Any) -> S:  # type: ignore[assignment]
    """Read the environment and `.env`; raise ConfigError with one line per problem."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        raise ConfigError([_describe(err) for err in exc.errors()]) from None


def _describe(err: Any) -> str:
    loc = err.get("loc") or ()
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    if not loc:
        return message  # model-level checks already name their variable
    name = str(loc[0]).upper()
    if err.get("type") == "missing":
        return f"{name}: required but not set"
    return f"{name}: {message}"
