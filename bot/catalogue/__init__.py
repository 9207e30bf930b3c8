"""The service-item catalogue (政务服务事项目录): schema, files, store, search, import.

Actions use `create_store()` and `describe()`; editors use `python -m bot.catalogue`.
"""

from bot.catalogue.files import CatalogueInvalid, load_catalogue, load_services
from bot.catalogue.nlu import dictionary_terms, rasa_lookup_yaml
from bot.catalogue.schema import CHANNELS, Material, Service
from bot.catalogue.store import (
    CatalogueStore,
    CatalogueUnavailable,
    SearchHit,
    create_store,
    default_url,
)
from bot.catalogue.text import SAMPLE_NOTE, UNAVAILABLE, describe
from bot.catalogue.tokens import bigram_tokenize, default_tokenizer

__all__ = [
    "CHANNELS",
    "SAMPLE_NOTE",
    "UNAVAILABLE",
    "CatalogueInvalid",
    "CatalogueStore",
    "CatalogueUnavailable",
    "Material",
    "SearchHit",
    "Service",
    "bigram_tokenize",
    "create_store",
    "default_tokenizer",
    "default_url",
    "describe",
    "dictionary_terms",
    "load_catalogue",
    "load_services",
    "rasa_lookup_yaml",
]
