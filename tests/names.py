"""Official service names by catalogue code, for the tests.

Some official names are also whole evaluation turns (a resident types just the name), so the tests
look those up by their code instead of writing them out (`tools.eval_leaks`, docs/evaluation.md).
"""

from __future__ import annotations

from bot.catalogue.files import load_services

NAME: dict[str, str] = {service.code: service.name for service in load_services()}
