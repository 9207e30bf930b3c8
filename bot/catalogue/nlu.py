"""What the NLU learns from the catalogue: the `service` and `field` lookup tables, their synonyms,
and the words the district dictionary must keep whole.

Generated from the catalogue files and the field vocabulary (sources/fields.yml) so that no service
name or field word is kept by hand in two places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.catalogue.fields import FieldVocabulary
from bot.catalogue.schema import Service

HEADER = "# Generated from sources/catalogue/ and sources/fields.yml by bot.catalogue; do not edit by hand.\n"


def _examples(texts: Iterable[str]) -> str:
    return "".join(f"    - {text}\n" for text in texts)


def rasa_lookup_yaml(services: Iterable[Service], fields: FieldVocabulary | None = None,
                     annotate: Callable[[str], str] | None = None) -> str:
    """Rasa 3 NLU data: the `service` lookup (names and aliases) with alias→name synonyms, the
    `field` lookup (every word of the vocabulary) with word→field-name synonyms, and the services'
    `examples` and `situations` (a need described, not named: "老伴走了一个人没收入") as questions of
    `ask_service`, their entities marked by `annotate` (bot/catalogue/annotate.py) as every other
    training example's are."""
    annotate = annotate or (lambda example: example)
    services = list(services)
    names = sorted({text for s in services for text in s.names()})
    parts = [HEADER, 'version: "3.1"\nnlu:\n']
    parts.append(f"- lookup: service\n  examples: |\n{_examples(names)}")
    asked = [annotate(" ".join(q.split())) for service in services
             for q in (*service.examples, *service.situations)]
    # Residents' questions editors placed on a service (bot/console's inbox) and the situations
    # a service is for; a text both (an editor's question kept as a situation too) once.
    asked = list(dict.fromkeys(asked))
    if asked:
        parts.append(f"- intent: ask_service\n  examples: |\n{_examples(asked)}")
    for service in services:
        if service.aliases:
            parts.append(f"- synonym: {service.name}\n  examples: |\n"
                         f"{_examples(service.aliases)}")
    if fields is not None:
        parts.append(f"- lookup: field\n  examples: |\n{_examples(sorted(fields.words()))}")
        for field in fields.fields:
            others = field.spellings()[1:]
            if others:
                parts.append(f"- synonym: {field.name}\n  examples: |\n{_examples(others)}")
    return "".join(parts)


def dictionary_terms(services: Iterable[Service], fields: FieldVocabulary | None = None) -> set[str]:
    """Names, aliases and field words the segmenter must keep whole (the pkuseg user dictionary)."""
    terms = {text for s in services for text in s.names()}
    if fields is not None:
        terms |= fields.words()
    return {t for t in terms if 2 <= len(t) <= 20}
