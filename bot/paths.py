"""Where things live: the project's folders, generated artefacts and the per-user cache.

One module so that no other file hard-codes a path, and so that CI, `make run` and the tests agree.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# Rasa's own files, where a Rasa engineer looks for them: training data a person edits, the domain,
# the pipeline and policies.
DATA = PROJECT / "data"
NLU = DATA / "nlu"
RASA_DATA = (DATA / "nlu", DATA / "rules", DATA / "stories")
DOMAIN = PROJECT / "domain.yml"
CONFIG = PROJECT / "config.yml"
MODELS = PROJECT / "models"

# The sources the Rasa data, the district dictionary and the catalogue database are generated from.
SOURCES = PROJECT / "sources"
KNOWLEDGE = SOURCES / "knowledge"
CATALOGUE_DATA = SOURCES / "catalogue"
SERVICE_CENTRE = SOURCES / "service_centre.yml"
STAFF_SETTINGS = SOURCES / "staff.yml"

# Generated artefacts: ignored by git, rebuilt by `python -m tools.setup`.
BUILD = PROJECT / "build"
PKUSEG_MODEL = BUILD / "pkuseg" / "default"
SPACY_PIPELINE = BUILD / "spacy-zh"
USER_DICT = BUILD / "district-dict.txt"
# Rasa training data generated from the sources: the knowledge questions with their answers
# (`responses:` of retrieval intents may stand in training data) and the catalogue's lookup tables.
GENERATED_DATA = BUILD / "data"
GENERATED_KNOWLEDGE = GENERATED_DATA / "knowledge.yml"
GENERATED_LOOKUPS = GENERATED_DATA / "lookups.yml"
# Every folder `rasa train` and `rasa data validate` read, in the order given to them.
TRAINING_DATA = (*RASA_DATA, GENERATED_DATA)
CATALOGUE_DB = BUILD / "catalogue.db"
# The knowledge base's texts as the pipeline segments them, for the action server's search
# (bot/catalogue/segmented.py).
SEGMENTS = BUILD / "segments.json"
# What the NLU may put right of a word mistyped by its sound (bot/nlp/homophones.py).
HOMOPHONES = BUILD / "homophones.json"

# The article the district gave us: the knowledge source. SEED_ARTICLE overrides it for tests.
SEED_ARTICLE = Path(
    os.environ.get(
        "SEED_ARTICLE", PROJECT.parent / "shared" / "seed" / "district-2020-focus-year.txt"
    )
)

TEST_OUTPUT = PROJECT / "test-output"

# Outside the clone, shared by every checkout of this project on the machine (CI included).
CACHE = Path(os.environ.get("SHIZHONG_CACHE", Path.home() / ".cache" / "shizhong-assistant"))
