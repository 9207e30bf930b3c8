"""Staff accounts in the staff database (SQLite and PostgreSQL): hashed passwords, lock-out,
sessions that expire, the audit log; and `python -m bot.staff users …`."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import paths
from bot.model import quiet_env
from bot.sql import utc_now
from bot.staff.accounts import DISABLED, INVALID, LOCKED, OK, AccountError, AccountStore
from bot.staff.passwords import WeakPassword
from bot.staff.roles import allows

IDLE, LIFETIME = timedelta(minutes=30), timedelta(hours=12)
LIMIT, WINDOW = 5, timedelta(minutes=15)


@pytest.fixture
def accounts(staff_url: str):
    store = AccountStore(staff_url)
    yield store
    store.close()


def stored_rows(url: str, table: str) -> list[dict]:
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(sa.text(f"SELECT * FROM {table}"))]
    finally:
        engine.dispose()


def test_passwords_are_stored_as_argon2_hashes_only(accounts: AccountStore, staff_url: str) -> None:
    accounts.add_user("Zhang", "staff", "a long secret 1")
    [row] = stored_rows(staff_url, "staff_users")
    assert row["name"] == "zhang" and row["role"] == "staff"
    assert row["password_hash"].startswith("$argon2id$")
    assert not any("a long secret 1" in str(value) for value in row.values())
    assert accounts.authenticate("ZHANG", "a long secret 1", limit=LIMIT, window=WINDOW).outcome == OK
    assert accounts.authenticate("zhang", "a long secret 2", limit=LIMIT, window=WINDOW).outcome == INVALID


def test_bad_accounts_are_refused_in_chinese(accounts: AccountStore) -> None:
    accounts.add_user("li", "editor", "editor password")
    with pytest.raises(AccountError, match="已存在"):
        accounts.add_user("LI", "staff", "another password")
    with pytest.raises(AccountError, match="角色"):
        accounts.add_user("wu", "boss", "boss password 1")
    with pytest.raises(AccountError, match="用户名"):
        accounts.add_user("a b", "staff", "some password 1")
    with pytest.raises(WeakPassword, match="至少"):
        accounts.add_user("wu", "staff", "short")
    with pytest.raises(WeakPassword, match="用户名"):
        accounts.add_user("wuxiaoming", "staff", "WuXiaoMing")


def test_roles_nest() -> None:
    assert allows("admin", "staff") and allows("admin", "editor") and allows("editor", "staff")
    assert not allows("staff", "editor") and not allows("editor", "admin") and not allows("visitor", "staff")


def test_lock_out_after_repeated_failures(accounts: AccountStore) -> None:
    accounts.add_user("zhao", "staff", "right password")
    start = utc_now()
    outcomes = [accounts.authenticate("zhao", f"wrong {n}", limit=LIMIT, window=WINDOW,
                                      now=start + timedelta(seconds=n)).outcome for n in range(LIMIT)]
    assert outcomes == [INVALID] * (LIMIT - 1) + [LOCKED]
    # Locked: even the right password is not checked until the window has passed.
    later = start + timedelta(minutes=5)
    assert accounts.authenticate("zhao", "right password", limit=LIMIT, window=WINDOW, now=later).outcome == LOCKED
    after = start + WINDOW + timedelta(seconds=LIMIT + 1)
    assert accounts.authenticate("zhao", "right password", limit=LIMIT, window=WINDOW, now=after).outcome == OK
    # A success clears the count: four more failures do not lock.
    for n in range(LIMIT - 1):
        assert accounts.authenticate("zhao", "wrong", limit=LIMIT, window=WINDOW,
                                     now=after + timedelta(seconds=n + 1)).outcome == INVALID
    # Unknown names are counted (and answered) like known ones.
    for _ in range(LIMIT - 1):
        assert accounts.authenticate("nobody", "x", limit=LIMIT, window=WINDOW).outcome == INVALID
    assert accounts.authenticate("nobody", "x", limit=LIMIT, window=WINDOW).outcome == LOCKED


def test_sessions_expire_when_idle_and_at_their_lifetime(accounts: AccountStore) -> None:
    user = accounts.add_user("qian", "staff", "qian password")
    start = utc_now()
    token = accounts.start_session(user, idle=IDLE, lifetime=LIFETIME, now=start)
    session = accounts.resume_session(token, idle=IDLE, lifetime=LIFETIME, now=start + timedelta(minutes=29))
    assert session is not None and session.user.name == "qian"
    # Used every 29 minutes it stays alive, until 12 hours after sign-in.
    moment = start
    while moment + timedelta(minutes=29) < start + LIFETIME:
        moment += timedelta(minutes=29)
        assert accounts.resume_session(token, idle=IDLE, lifetime=LIFETIME, now=moment) is not None
    assert accounts.resume_session(token, idle=IDLE, lifetime=LIFETIME, now=start + LIFETIME
                                   + timedelta(seconds=1)) is None
    # Idle for longer than 30 minutes: gone, and gone for good.
    token = accounts.start_session(user, idle=IDLE, lifetime=LIFETIME, now=start)
    assert accounts.resume_session(token, idle=IDLE, lifetime=LIFETIME, now=start + timedelta(minutes=31)) is None
    assert accounts.resume_session(token, idle=IDLE, lifetime=LIFETIME, now=start + timedelta(minutes=1)) is None
    assert accounts.resume_session("forged", idle=IDLE, lifetime=LIFETIME) is None


def test_the_session_table_holds_no_usable_token(accounts: AccountStore, staff_url: str) -> None:
    user = accounts.add_user("sun", "staff", "sun password 1")
    token = accounts.start_session(user, idle=IDLE, lifetime=LIFETIME)
    [row] = stored_rows(staff_url, "staff_sessions")
    assert token not in row["id"]
    assert accounts.resume_session(row["id"], idle=IDLE, lifetime=LIFETIME) is None


def test_disabling_ends_sessions_and_refuses_sign_in(accounts: AccountStore) -> None:
    user = accounts.add_user("zhou", "staff", "zhou password")
    token = accounts.start_session(user, idle=IDLE, lifetime=LIFETIME)
    accounts.set_disabled("zhou", True)
    assert accounts.resume_session(token, idle=IDLE, lifetime=LIFETIME) is None
    assert accounts.authenticate("zhou", "zhou password", limit=LIMIT, window=WINDOW).outcome == DISABLED
    assert accounts.authenticate("zhou", "wrong password", limit=LIMIT, window=WINDOW).outcome == INVALID
    accounts.set_disabled("zhou", False)
    assert accounts.authenticate("zhou", "zhou password", limit=LIMIT, window=WINDOW).outcome == OK
    token = accounts.start_session(user, idle=IDLE, lifetime=LIFETIME)
    accounts.set_password("zhou", "a new password")
    assert accounts.resume_session(token, idle=IDLE, lifetime=LIFETIME) is None
    with pytest.raises(AccountError):
        accounts.set_disabled("nobody", True)


def test_the_audit_log_keeps_who_did_what(accounts: AccountStore) -> None:
    accounts.record("zhang", "callback_claim", "callback:3")
    accounts.record("li", "login")
    entries = accounts.audit_entries()
    assert [(e.actor, e.action, e.target) for e in entries] == [("li", "login", ""),
                                                                ("zhang", "callback_claim", "callback:3")]
    assert entries[0].at >= entries[1].at
    assert [e.action for e in accounts.audit_entries(actor="zhang")] == ["callback_claim"]


def run_cli(url: str, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.staff", "--database", url, *args], cwd=paths.PROJECT,
                          env=quiet_env(), input=password, capture_output=True, text=True, timeout=120)


def test_the_command_line_makes_lists_and_disables_accounts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    empty = run_cli(url, "users", "list")
    assert empty.returncode == 0 and "--role admin" in empty.stdout
    made = run_cli(url, "users", "add", "wang", "--role", "admin", "--password-stdin", password="wang password 1\n")
    assert made.returncode == 0 and "已创建账号 wang（管理员）" in made.stdout, made.stderr
    weak = run_cli(url, "users", "add", "li", "--role", "staff", "--password-stdin", password="short\n")
    assert weak.returncode == 1 and "至少" in weak.stderr
    no_terminal = run_cli(url, "users", "add", "li", "--role", "staff", password="")
    assert no_terminal.returncode == 1 and "--password-stdin" in no_terminal.stderr
    bad_role = run_cli(url, "users", "add", "li", "--role", "boss", "--password-stdin", password="li password 1\n")
    assert bad_role.returncode == 2
    assert run_cli(url, "users", "add", "li", "--role", "staff", "--password-stdin",
                   password="li password 1\n").returncode == 0
    listed = run_cli(url, "users", "list").stdout
    assert "wang" in listed and "admin" in listed and "li" in listed and "共 2 个账号" in listed
    assert run_cli(url, "users", "disable", "li").returncode == 0
    assert "已停用" in run_cli(url, "users", "list").stdout
    assert run_cli(url, "users", "disable", "nobody").returncode == 1
    store = AccountStore(url)
    try:
        assert store.authenticate("li", "li password 1", limit=LIMIT, window=WINDOW).outcome == DISABLED
        assert run_cli(url, "users", "password", "li", "--password-stdin", password="li password 2\n").returncode == 0
        assert run_cli(url, "users", "enable", "li").returncode == 0
        assert store.authenticate("li", "li password 2", limit=LIMIT, window=WINDOW).outcome == OK
        actions = [(e.action, e.target) for e in store.audit_entries()][::-1]
        assert actions == [("user_add", "wang"), ("user_add", "li"), ("user_disable", "li"),
                           ("user_password", "li"), ("user_enable", "li")]
        assert all(e.actor.startswith("cli") for e in store.audit_entries())
    finally:
        store.close()
    down = run_cli("postgresql://postgres@127.0.0.1:1/nothing", "users", "list")
    assert down.returncode == 2 and "无法连接" in down.stderr
