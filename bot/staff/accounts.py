"""Staff accounts, sign-in with lock-out, server-side sessions and the audit log, in the staff database.

The tables sit beside the callback requests (`StaffStore`'s database: SQLite build/staff.db, or
PostgreSQL with STAFF_DATABASE_URL), so that every console instance sees the same accounts and
sessions. A session is a row keyed by the SHA-256 of a random token; only the browser holds the
token (in a signed cookie, bot/console/sessions.py), so the table alone lets nobody sign in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.requests.store import StaffStoreUnavailable, default_url
from bot.sql import SQLStore, utc_now
from bot.staff import passwords
from bot.staff.roles import ROLE_NAMES, ROLES

metadata = sa.MetaData()
users = sa.Table(
    "staff_users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
login_failures = sa.Table(
    "staff_login_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
)
sessions = sa.Table(
    "staff_sessions", metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # SHA-256 of the browser's token
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
)
audit = sa.Table(
    "staff_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.String(255), nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

NAME = re.compile(r"[\w.\-]{2,32}")
OK, INVALID, LOCKED, DISABLED = "ok", "invalid", "locked", "disabled"


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why, in Chinese."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: datetime

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


@dataclass(frozen=True)
class SignIn:
    outcome: str  # OK, INVALID, LOCKED or DISABLED
    user: User | None = None


@dataclass(frozen=True)
class Session:
    id: str
    user: User
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


def normalise_name(name: str) -> str:
    """Names as stored and compared: NFKC, trimmed, ASCII letters in lower case."""
    return unicodedata.normalize("NFKC", name or "").strip().lower()


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row) -> User:
    return User(id=row.id, name=row.name, role=row.role, disabled=bool(row.disabled), created_at=row.created_at)


class AccountStore(SQLStore):
    """Accounts, sign-ins, sessions and the audit log; every time is naive UTC like the staff store's."""

    metadata = metadata
    unavailable = StaffStoreUnavailable
    description = "staff database"

    def __init__(self, url: str | None = None) -> None:
        super().__init__(url or default_url())

    # Accounts -----------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str) -> User:
        name = normalise_name(name)
        if not NAME.fullmatch(name):
            raise AccountError("用户名为 2–32 个字母、数字、汉字或 . _ -。")
        if role not in ROLES:
            raise AccountError(f"角色只能是 {' / '.join(ROLES)}，不是 {role!r}。")
        passwords.check_acceptable(password, name)
        values = {"name": name, "role": role, "password_hash": passwords.hash_password(password),
                  "disabled": False, "created_at": utc_now()}
        with self._transaction() as connection:
            if connection.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise AccountError(f"用户 {name} 已存在。")
            new_id = connection.execute(users.insert().values(**values)).inserted_primary_key[0]
        return User(id=new_id, name=name, role=role, disabled=False, created_at=values["created_at"])

    def user(self, name: str) -> User | None:
        with self._transaction() as connection:
            row = connection.execute(sa.select(users).where(users.c.name == normalise_name(name))).first()
        return _user(row) if row else None

    def users(self) -> list[User]:
        with self._transaction() as connection:
            return [_user(row) for row in connection.execute(sa.select(users).order_by(users.c.name))]

    def set_password(self, name: str, password: str) -> None:
        """A new password; the account's sessions end (whoever knew the old one is signed out)."""
        name = normalise_name(name)
        passwords.check_acceptable(password, name)
        self._update_user(name, password_hash=passwords.hash_password(password))

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disabling an account ends its sessions at once; enabling it clears its failed sign-ins."""
        self._update_user(normalise_name(name), disabled=disabled)

    def _update_user(self, name: str, **values: object) -> None:
        with self._transaction() as connection:
            user_id = connection.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
            if user_id is None:
                raise AccountError(f"没有用户 {name}。")
            connection.execute(users.update().where(users.c.id == user_id).values(**values))
            connection.execute(sessions.delete().where(sessions.c.user_id == user_id))
            connection.execute(login_failures.delete().where(login_failures.c.name == name))

    # Signing in -----------------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, *, limit: int, window: timedelta,
                     now: datetime | None = None) -> SignIn:
        """Checks a sign-in. After `limit` failures within `window` the account is locked until the
        oldest of them is older than `window`: no password is checked meanwhile, not even the
        right one. Unknown names count failures too, and take as long to refuse."""
        name, now = normalise_name(name), now or utc_now()
        with self._transaction() as connection:
            failures = connection.execute(sa.select(sa.func.count()).select_from(login_failures).where(
                (login_failures.c.name == name) & (login_failures.c.at > now - window))).scalar()
            row = connection.execute(sa.select(users).where(users.c.name == name)).first()
        if failures >= limit:
            return SignIn(LOCKED)
        stored = row.password_hash if row is not None else passwords.decoy_hash()
        if row is not None and passwords.verify(stored, password[: passwords.MAX_LENGTH]):
            with self._transaction() as connection:
                connection.execute(login_failures.delete().where(login_failures.c.name == name))
                if passwords.needs_rehash(stored):
                    connection.execute(users.update().where(users.c.id == row.id).values(
                        password_hash=passwords.hash_password(password)))
            return SignIn(DISABLED if row.disabled else OK, _user(row))
        if row is None:
            passwords.verify(stored, password[: passwords.MAX_LENGTH])
        with self._transaction() as connection:
            connection.execute(login_failures.insert().values(name=name, at=now))
            connection.execute(login_failures.delete().where(login_failures.c.at < now - 4 * window))
        return SignIn(LOCKED if failures + 1 >= limit else INVALID)

    # Sessions -----------------------------------------------------------------------------------

    def start_session(self, user: User, *, idle: timedelta, lifetime: timedelta,
                      now: datetime | None = None) -> str:
        """A new session for `user`; the token the browser keeps (only its hash is stored).
        Sessions that have expired are swept away on the way."""
        now, token = now or utc_now(), secrets.token_urlsafe(32)
        with self._transaction() as connection:
            connection.execute(sessions.delete().where(
                (sessions.c.last_seen_at < now - idle) | (sessions.c.created_at < now - lifetime)))
            connection.execute(sessions.insert().values(id=token_id(token), user_id=user.id, created_at=now,
                                                        last_seen_at=now))
        return token

    def resume_session(self, token: str, *, idle: timedelta, lifetime: timedelta,
                       now: datetime | None = None) -> Session | None:
        """The live session of `token`, its last use set to now; None when there is none, it sat
        idle longer than `idle`, began longer than `lifetime` ago, or its account is disabled."""
        now, key = now or utc_now(), token_id(token)
        with self._transaction() as connection:
            row = connection.execute(sa.select(sessions, users.c.name, users.c.role, users.c.disabled,
                                               users.c.created_at.label("user_created_at"))
                                     .join(users, users.c.id == sessions.c.user_id)
                                     .where(sessions.c.id == key)).first()
            if row is None:
                return None
            if row.disabled or row.last_seen_at < now - idle or row.created_at < now - lifetime:
                connection.execute(sessions.delete().where(sessions.c.id == key))
                return None
            connection.execute(sessions.update().where(sessions.c.id == key).values(last_seen_at=now))
        user = User(id=row.user_id, name=row.name, role=row.role, disabled=False, created_at=row.user_created_at)
        return Session(id=key, user=user, created_at=row.created_at, last_seen_at=now)

    def end_session(self, token: str) -> None:
        with self._transaction() as connection:
            connection.execute(sessions.delete().where(sessions.c.id == token_id(token)))

    # Audit log ----------------------------------------------------------------------------------

    def record(self, actor: str, action: str, target: str = "", detail: str = "") -> None:
        """One line of the audit log: who (`actor`) did what (`action`, to `target`) and when."""
        with self._transaction() as connection:
            connection.execute(audit.insert().values(at=utc_now(), actor=actor[:64], action=action[:32],
                                                     target=target[:255], detail=detail[:2000]))

    def audit_entries(self, limit: int = 100, offset: int = 0, actor: str | None = None) -> list[AuditEntry]:
        """The newest entries first."""
        query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit).offset(offset)
        if actor:
            query = query.where(audit.c.actor == normalise_name(actor))
        with self._transaction() as connection:
            return [AuditEntry(**row._mapping) for row in connection.execute(query)]
