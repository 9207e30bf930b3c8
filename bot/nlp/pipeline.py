"""Build and load the saved spaCy `zh` pipeline that Rasa's `SpacyNLP` loads by path.

The pipeline holds only the tokenizer: pkuseg with the pruned `default` model and the district
user dictionary. Rasa does not pack it into its model, so the set-up builds it before any server
starts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import spacy
from spacy.language import Language


def build(pkuseg_model: Path, user_dict: Path, target: Path) -> Path:
    """Save a blank zh pipeline whose tokenizer is pkuseg(`pkuseg_model`) + `user_dict`."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_model), pkuseg_user_dict=str(user_dict))
    nlp.meta["name"] = "shizhong_zh"
    nlp.meta["description"] = "pkuseg (pruned default model) + the district user dictionary"
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    nlp.to_disk(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def load(path: Path) -> Language:
    return spacy.load(path)


def words(nlp: Language, text: str) -> list[str]:
    return [token.text for token in nlp(text)]
