"""The console's roles, each allowed what the ones below it are: staff ⊆ editor ⊆ admin."""

from __future__ import annotations

STAFF, EDITOR, ADMIN = "staff", "editor", "admin"
ROLES = (STAFF, EDITOR, ADMIN)
ROLE_NAMES = {STAFF: "工作人员", EDITOR: "编辑", ADMIN: "管理员"}


def allows(role: str, needed: str) -> bool:
    """Whether an account with `role` may do what needs `needed`; unknown roles may do nothing."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)
