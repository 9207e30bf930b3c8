"""Password hashing with argon2id (argon2-cffi's defaults, which follow RFC 9106's advice).

Only the hash is stored; it carries its own salt and parameters, so stronger defaults in a later
argon2-cffi are picked up at the next sign-in (`needs_rehash`).
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256


class WeakPassword(ValueError):
    """A password the console refuses to set; the message says why, in Chinese."""


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()


def check_acceptable(password: str, name: str) -> None:
    """Raises WeakPassword unless `password` is long enough and not the account's name."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少需要 {MIN_LENGTH} 个字符。")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"密码最多 {MAX_LENGTH} 个字符。")
    if password.strip().lower() == name.strip().lower():
        raise WeakPassword("密码不能与用户名相同。")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(stored_hash: str, password: str) -> bool:
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def decoy_hash() -> str:
    """A hash checked when the account does not exist, so that a wrong name takes as long as a
    wrong password (nobody learns which names exist by timing the sign-in)."""
    return hash_password("no account has this password")
