"""What `/burst calendar <address>` accepts: public https (webcal is https), as Slack may wrap it; never a private
network, never plain http outside tests; and what is shown back hides the secret part."""

from __future__ import annotations

import pytest

from bot.services.calendar_fetch import CalendarAddressError, address_hint, calendar_address

GOOGLE = "https://calendar.google.com/calendar/ical/ann%40acme.com/private-abc123/basic.ics"


@pytest.mark.parametrize(
    ("typed", "fetched"),
    [
        (GOOGLE, GOOGLE),
        (f"<{GOOGLE}>", GOOGLE),
        (f"<{GOOGLE}|calendar.google.com/calendar/ical/…>", GOOGLE),
        ("webcal://p59-caldav.icloud.com/published/2/secret", "https://p59-caldav.icloud.com/published/2/secret"),
        (
            "  https://outlook.office365.com/owa/calendar/x/y/reachcalendar.ics  ",
            "https://outlook.office365.com/owa/calendar/x/y/reachcalendar.ics",
        ),
    ],
)
def test_calendar_addresses_people_paste(typed: str, fetched: str) -> None:
    assert calendar_address(typed) == fetched


@pytest.mark.parametrize(
    "typed",
    [
        "http://calendar.example.com/cal.ics",  # plain http: the secret would travel in clear
        "ftp://example.com/cal.ics",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "calendar.google.com/calendar/ical/x/basic.ics",
        "https://",
        "https://127.0.0.1/cal.ics",
        "https://10.0.0.8/cal.ics",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/cal.ics",
        "https://example.com/a b.ics",
        "https://example.com/" + "x" * 2100,
        "https://" + "x" * 64 + ".example.com/cal.ics",  # a label no host name can have (over 63 characters)
    ],
)
def test_other_addresses_are_refused_in_words(typed: str) -> None:
    with pytest.raises(CalendarAddressError):
        calendar_address(typed)


def test_local_addresses_are_allowed_only_when_asked_for() -> None:
    assert calendar_address("http://127.0.0.1:8000/cal.ics", allow_local=True) == "http://127.0.0.1:8000/cal.ics"


def test_the_hint_shows_only_scheme_and_host() -> None:
    assert address_hint("https://user:pw@calendar.google.com/calendar/ical/secret/basic.ics") == (
        "https://calendar.google.com/…"
    )
