"""A calendar address is a password to someone's calendar: it is stored encrypted (Fernet: AES with an HMAC), so
a copy of the database alone does not give it away.

The key comes from BURST_CALENDAR_KEY, or else from the bot token, so Burst works without one more setting; a new
bot token then makes stored addresses unreadable, and their mentors are asked to connect their calendar again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class CalendarSecrets:
    def __init__(self, secret: str) -> None:
        digest = hashlib.sha256(b"burst calendar address\0" + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, url: str) -> str:
        return self._fernet.encrypt(url.encode()).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """The address, or None when it was sealed with another key."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            return None
