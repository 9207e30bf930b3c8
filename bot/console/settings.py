"""The console's settings, read once from the environment (defaults suit `make run` on one machine)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot import paths
from bot.console.secrets import console_secret
from bot.report.conversations import tracker_url
from bot.requests.store import default_url

TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class ConsoleSettings:
    staff_url: str  # accounts, sessions, audit log, callback requests and ratings
    tracker_url: str  # the conversations, read only
    secret: str
    # Behind a TLS-terminating proxy (docs/deploy.md): cookies are sent over HTTPS only.
    tls: bool = False
    # A session ends after this long unused, and this long after sign-in whatever happens.
    session_idle: timedelta = timedelta(minutes=30)
    session_lifetime: timedelta = timedelta(hours=12)
    # This many failed sign-ins within the window lock the account for the rest of the window.
    lockout_failures: int = 5
    lockout_window: timedelta = timedelta(minutes=15)
    # A callback request is due once this much office time has passed since it was left.
    callback_window: timedelta = timedelta(hours=2)
    # The editors' sources (the deployment's working copy: sources/), the releases and the file
    # the launcher describes the running instances in (bot/publish). Tests give copies.
    sources: Path = field(default=paths.SOURCES)
    releases: Path = field(default=paths.BUILD / "releases")
    instances_file: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ConsoleSettings:
        def seconds(name: str, default: timedelta) -> timedelta:
            return timedelta(seconds=int(env[name])) if env.get(name) else default

        return cls(
            staff_url=env.get("STAFF_DATABASE_URL") or default_url(),
            tracker_url=env.get("TRACKER_STORE_URL") or tracker_url(),
            secret=console_secret(),
            tls=env.get("CONSOLE_TLS", "").strip().lower() in TRUE,
            session_idle=seconds("CONSOLE_SESSION_IDLE_SECONDS", cls.session_idle),
            session_lifetime=seconds("CONSOLE_SESSION_MAX_SECONDS", cls.session_lifetime),
            lockout_failures=int(env.get("CONSOLE_LOCKOUT_FAILURES") or cls.lockout_failures),
            lockout_window=seconds("CONSOLE_LOCKOUT_SECONDS", cls.lockout_window),
            callback_window=seconds("CONSOLE_CALLBACK_WINDOW_SECONDS", cls.callback_window),
            sources=Path(env.get("EDITOR_SOURCES") or paths.SOURCES),
            releases=Path(env.get("PUBLISH_RELEASES") or paths.BUILD / "releases"),
            instances_file=Path(env["PUBLISH_INSTANCES_FILE"]) if env.get("PUBLISH_INSTANCES_FILE") else None,
        )
