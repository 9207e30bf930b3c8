"""The Rasa training data and the district words generated from a sources tree.

The set-up (tools/setup.py) generates them from the working copy's sources/ into build/; a publish
(bot/publish/build.py) from a release's snapshot into its staging folder. One place, so that a
release is trained on exactly what `make setup` would generate from the same sources: the
knowledge questions and answers, the lookup tables and synonyms of the catalogue and of the field
vocabulary (sources/fields.yml), the services' example questions and, once a spaCy pipeline exists
to align them with, the entities of every generated question (bot/catalogue/annotate.py).
"""

from __future__ import annotations

from pathlib import Path

from bot import paths

KNOWLEDGE_FILE, LOOKUPS_FILE = paths.GENERATED_KNOWLEDGE.name, paths.GENERATED_LOOKUPS.name


def district_words(sources: Path = paths.SOURCES, article: Path = paths.SEED_ARTICLE) -> list[str]:
    """Every district word of `sources` (the knowledge's terms, the services' names and aliases,
    the field words), sorted, without blanks or over-long phrases: pkuseg's user dictionary."""
    from bot.catalogue.fields import load_fields
    from bot.catalogue.files import load_services
    from bot.catalogue.nlu import dictionary_terms
    from bot.knowledge.model import load
    from bot.nlp.dictionary import MAX_WORD_CHARS

    words = load(sources / "knowledge", article).terms() | dictionary_terms(
        load_services(sources / "catalogue"), load_fields(sources / "fields.yml"))
    return sorted(w.strip() for w in words if 2 <= len(w.strip()) <= MAX_WORD_CHARS)


def rasa_data(sources: Path = paths.SOURCES, article: Path = paths.SEED_ARTICLE,
              pipeline: Path | None = None) -> dict[str, str]:
    """{file name: text} of the generated training data of `sources` (build/data's files), the
    entities marked as `pipeline` (a built spaCy pipeline) segments the questions; unmarked
    without one (the set-up's first pass, before the pipeline is built)."""
    from bot.catalogue.annotate import project_annotator
    from bot.catalogue.fields import load_fields
    from bot.catalogue.files import load_services
    from bot.catalogue.nlu import rasa_lookup_yaml
    from bot.knowledge.model import load
    from bot.knowledge.rasa_data import knowledge_yaml

    annotate = project_annotator(sources, pipeline).annotate if pipeline is not None else None
    return {
        KNOWLEDGE_FILE: knowledge_yaml(load(sources / "knowledge", article), annotate),
        LOOKUPS_FILE: rasa_lookup_yaml(load_services(sources / "catalogue"),
                                       load_fields(sources / "fields.yml"), annotate),
    }
