"""Session cookies and CSRF tokens, signed with itsdangerous under the console secret.

- The session cookie holds a random token, signed (a forged or altered cookie is refused before
  any database is asked); the session itself is a row of the staff database (bot/staff/accounts.py),
  which is what makes sign-out, idle and absolute expiry and disabling an account take effect.
- A CSRF token is the session's id (the SHA-256 of its token), signed and dated: a form from one
  session is refused in another, and so is one older than a session can live.
- Before sign-in there is no session, so the sign-in form is tied to a random nonce in a cookie of
  its own (double submit, signed the same way).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from secrets import token_urlsafe

from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

SESSION_COOKIE = "shizhong_console"
LOGIN_COOKIE = "shizhong_console_login"
LOGIN_FORM_LIFETIME = timedelta(hours=1)


class Signer:
    def __init__(self, secret: str) -> None:
        self._cookie = URLSafeSerializer(secret, salt="shizhong-console-session")
        self._csrf = URLSafeTimedSerializer(secret, salt="shizhong-console-csrf")
        self._login = URLSafeTimedSerializer(secret, salt="shizhong-console-login")

    # Session cookie -------------------------------------------------------------------------------

    def cookie_value(self, token: str) -> str:
        return self._cookie.dumps(token)

    def token_from_cookie(self, value: str | None) -> str | None:
        """The session token inside a cookie we signed; None for a missing or forged one."""
        if not value:
            return None
        try:
            token = self._cookie.loads(value)
        except BadData:
            return None
        return token if isinstance(token, str) else None

    # CSRF -----------------------------------------------------------------------------------------

    def csrf_token(self, session_id: str) -> str:
        return self._csrf.dumps(session_id)

    def csrf_valid(self, token: str | None, session_id: str, max_age: timedelta) -> bool:
        return _matches(self._csrf, token, session_id, max_age)

    # The sign-in form -----------------------------------------------------------------------------

    @staticmethod
    def new_login_nonce() -> str:
        return token_urlsafe(24)

    def login_token(self, nonce: str) -> str:
        return self._login.dumps(_digest(nonce))

    def login_token_valid(self, token: str | None, nonce: str | None) -> bool:
        return bool(nonce) and _matches(self._login, token, _digest(nonce), LOGIN_FORM_LIFETIME)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _matches(serializer: URLSafeTimedSerializer, token: str | None, expected: str, max_age: timedelta) -> bool:
    if not token:
        return False
    try:
        value = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except BadData:
        return False
    return isinstance(value, str) and hmac.compare_digest(value, expected)
