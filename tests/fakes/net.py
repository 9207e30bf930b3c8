"""Network helpers shared by the test fixtures: the project's own (bot/processes.py)."""

from __future__ import annotations

from bot.processes import free_port

__all__ = ["free_port"]
