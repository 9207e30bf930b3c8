"""`make bench-nlu`'s Jieba baseline is config.yml with the tokenizer swapped and nothing else."""

from __future__ import annotations

import yaml

from bot import paths
from tools.bench.baseline import SPACY_LOADERS, SPACY_TOKENIZER, SPACY_USERS, baseline_config, write_baseline


def test_the_baseline_differs_from_config_yml_in_the_tokenizer_alone(tmp_path) -> None:
    ours = yaml.safe_load(paths.CONFIG.read_text(encoding="utf-8"))
    baseline = yaml.safe_load(write_baseline(target=tmp_path / "baseline.yml").read_text(encoding="utf-8"))
    assert baseline == baseline_config(ours)
    tokenizers = SPACY_LOADERS | SPACY_USERS | {SPACY_TOKENIZER, "JiebaTokenizer"}
    assert [c for c in baseline["pipeline"] if c["name"] not in tokenizers] == \
           [c for c in ours["pipeline"] if c["name"] not in tokenizers]
    assert [c["name"] for c in baseline["pipeline"] if c["name"] in tokenizers] == ["JiebaTokenizer"]
    assert baseline["policies"] == ours["policies"]
    assert baseline["assistant_id"] != ours["assistant_id"]
