"""Staff accounts for the console (bot/console): who may sign in, with which role, and what they did.

`accounts` keeps them in the staff database (beside the callback requests: SQLite by default,
PostgreSQL with STAFF_DATABASE_URL): users with argon2 password hashes, failed sign-ins (lock-out),
server-side sessions and the audit log. `roles` orders staff ⊆ editor ⊆ admin, `passwords` hashes
and checks, and `python -m bot.staff users add|list|disable|enable|password` is how accounts are made.
"""
