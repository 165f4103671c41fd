"""Configuration: one `Settings` object; nothing else reads the environment."""

from config.settings import (
    ConfigError,
    DatabaseSettings,
    DigestSettings,
    Settings,
    SlackApiSettings,
    load_settings,
)

__all__ = ["ConfigError", "DatabaseSettings", "DigestSettings", "Settings", "SlackApiSettings", "load_settings"]
