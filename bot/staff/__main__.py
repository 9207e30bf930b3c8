"""`python -m bot.staff users …`: the console's accounts, made and kept from the command line.

    printf '%s\\n' "$PASSWORD" | python -m bot.staff users add wang --role admin --password-stdin
    python -m bot.staff users add li --role staff           # asks for the password twice
    python -m bot.staff users list
    python -m bot.staff users disable li                    # signs li out everywhere at once
    python -m bot.staff users enable li
    python -m bot.staff users password li --password-stdin  # a new password; li's sessions end

The database is the staff database (STAFF_DATABASE_URL, else build/staff.db); --database overrides
it. Every change is written to the console's audit log as done by `cli:<login name>`.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.requests.store import StaffStoreUnavailable, beijing_time, default_url
from bot.staff.accounts import AccountError, AccountStore
from bot.staff.passwords import WeakPassword
from bot.staff.roles import ROLE_NAMES, ROLES


def read_password(from_stdin: bool) -> str:
    """The first line of stdin (a script's way), or typed twice at a terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise AccountError("没有终端可以输入密码：请用 --password-stdin 从标准输入传入。")
    password = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != password:
        raise AccountError("两次输入的密码不一致。")
    return password


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def print_users(store: AccountStore) -> None:
    accounts = store.users()
    if not accounts:
        print("还没有账号。第一个管理员：python -m bot.staff users add NAME --role admin --password-stdin")
        return
    for user in accounts:
        state = "已停用" if user.disabled else "正常"
        print(f"{user.name:<20} {user.role:<7} {ROLE_NAMES[user.role]:<4} {state}  "
              f"创建于 {beijing_time(user.created_at):%Y-%m-%d %H:%M}")
    print(f"共 {len(accounts)} 个账号。")


def run(store: AccountStore, args: argparse.Namespace) -> str:
    """Does the command; the line to print."""
    if args.command == "add":
        user = store.add_user(args.name, args.role, read_password(args.password_stdin))
        store.record(actor(), "user_add", user.name, f"角色 {user.role}")
        return f"已创建账号 {user.name}（{user.role_name}）。"
    if args.command == "password":
        store.set_password(args.name, read_password(args.password_stdin))
        store.record(actor(), "user_password", args.name)
        return f"已为 {args.name} 设置新密码，其登录会话已全部结束。"
    disabled = args.command == "disable"
    store.set_disabled(args.name, disabled)
    store.record(actor(), f"user_{args.command}", args.name)
    return f"已停用账号 {args.name}，其登录会话已全部结束。" if disabled else f"已启用账号 {args.name}。"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.staff", description="控制台账号")
    parser.add_argument("--database", default=None, help=f"SQLAlchemy URL (default {default_url()})")
    groups = parser.add_subparsers(dest="group", required=True)
    commands = groups.add_parser("users", help="accounts").add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="a new account")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True, help="staff ⊆ editor ⊆ admin")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    commands.add_parser("list", help="every account")
    for command in ("disable", "enable"):
        commands.add_parser(command, help=f"{command} an account").add_argument("name")
    password = commands.add_parser("password", help="set a new password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)

    store = AccountStore(args.database)
    try:
        if args.command == "list":
            print_users(store)
        else:
            print(run(store, args))
        return 0
    except (AccountError, WeakPassword) as error:
        print(str(error), file=sys.stderr)
        return 1
    except StaffStoreUnavailable as error:
        print(f"无法连接账号数据库：{error}", file=sys.stderr)
        return 2
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
