"""Where things live: the project's folders, generated artefacts and the per-user cache.

One module so that no other file hard-codes a path, and so that CI, `make run` and the tests agree.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"
KNOWLEDGE = DATA / "knowledge"
CATALOGUE_DATA = DATA / "catalogue"
NLU = DATA / "nlu"
DOMAIN = PROJECT / "domain"
CONFIG = PROJECT / "config.yml"
MODELS = PROJECT / "models"

# Generated artefacts: ignored by git, rebuilt by `python -m bot.setup`.
BUILD = PROJECT / "build"
PKUSEG_MODEL = BUILD / "pkuseg" / "default"
SPACY_PIPELINE = BUILD / "spacy-zh"
USER_DICT = BUILD / "district-dict.txt"
GENERATED_NLU = NLU / "knowledge.generated.yml"
GENERATED_DOMAIN = DOMAIN / "knowledge.generated.yml"
GENERATED_LOOKUPS = NLU / "lookups.generated.yml"
CATALOGUE_DB = BUILD / "catalogue.db"

# The article the district gave us: the knowledge source. SEED_ARTICLE overrides it for tests.
SEED_ARTICLE = Path(
    os.environ.get(
        "SEED_ARTICLE", PROJECT.parent / "shared" / "seed" / "district-2020-focus-year.txt"
    )
)

TEST_OUTPUT = PROJECT / "test-output"

# Outside the clone, shared by every checkout of this project on the machine (CI included).
CACHE = Path(os.environ.get("SHIZHONG_CACHE", Path.home() / ".cache" / "shizhong-assistant"))
