"""What the NLU learns from the catalogue: the `service` lookup table, synonyms, dictionary words.

Generated from the catalogue files so that no service name is kept by hand in two places.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.catalogue.schema import Service

HEADER = "# Generated from sources/catalogue/ by bot.catalogue; do not edit by hand.\n"


def _examples(texts: Iterable[str]) -> str:
    return "".join(f"    - {text}\n" for text in texts)


def rasa_lookup_yaml(services: Iterable[Service]) -> str:
    """Rasa 3 NLU data: the `service` lookup (names and aliases), alias→name synonyms, and the
    services' `examples` as questions of `ask_service`."""
    services = list(services)
    names = sorted({text for s in services for text in s.names()})
    parts = [HEADER, 'version: "3.1"\nnlu:\n']
    parts.append(f"- lookup: service\n  examples: |\n{_examples(names)}")
    asked = [example for service in services for example in service.examples]
    if asked:  # residents' questions editors placed on a service (bot/console's inbox)
        parts.append(f"- intent: ask_service\n  examples: |\n{_examples(' '.join(q.split()) for q in asked)}")
    for service in services:
        if service.aliases:
            parts.append(f"- synonym: {service.name}\n  examples: |\n"
                         f"{_examples(service.aliases)}")
    return "".join(parts)


def dictionary_terms(services: Iterable[Service]) -> set[str]:
    """Names and aliases the segmenter must keep whole (for the pkuseg user dictionary)."""
    return {text for s in services for text in s.names() if 2 <= len(text) <= 20}
