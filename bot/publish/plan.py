"""What publishing the editors' sources takes, compared with the live release.

- nothing changed: nothing to publish;
- only the catalogue's facts, names or aliases (or the service centre's record) changed: rebuild
  the catalogue database with the live release's pipeline and keep its model; no training. New
  names or aliases reach the NLU's lookup tables and the district dictionary at the next training
  (a note says so);
- residents' questions added to existing topics or services, nothing else of the training data: Rasa 3.6's
  `rasa train --finetune` on the live model. Rasa allows it only when the configuration (but the
  epochs), the domain for the policies, and the set of labels (intents, retrieval topics,
  entities, actions) are unchanged, and the tokenizer must stay the model's: so the live pipeline
  is kept and a changed dictionary waits for the next full training;
- anything else (a topic added or removed, the hand-written Rasa data, the domain, the config, the
  field vocabulary, the NLP code), or when the admin asks for it: a full training with a pipeline
  built from the sources.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from bot import paths
from bot.publish.releases import CATALOGUE, FINETUNE, FULL, Manifest

KNOWLEDGE_DIGEST, CATALOGUE_DIGEST, RASA_DIGEST, DICTIONARY_DIGEST = "knowledge", "catalogue", "rasa_data", "dictionary"
QUESTIONS_DIGEST = "catalogue_questions"  # the services' examples: NLU training data
# The field vocabulary: the field lookup table, its synonyms and the entities marked in every
# question. Not the editors' to change; any change of it trains in full.
FIELDS_DIGEST, FIELDS_FILE = "fields", "fields.yml"
UNKNOWN = "unknown"


def _digest(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def rasa_data_files(project: Path = paths.PROJECT) -> list[Path]:
    """What shapes a model besides the editors' sources: hand-written Rasa data, domain, config,
    our NLP components."""
    files = [project / "config.yml", project / "domain.yml", *(project / "bot" / "nlp").glob("*.py")]
    return files + [path for folder in ("data/nlu", "data/rules", "data/stories")
                    for path in (project / folder).rglob("*.yml")]


@dataclass(frozen=True)
class Inputs:
    """Digests of everything a release is built from, and the knowledge topics' ids."""

    digests: dict[str, str]
    labels: list[str]

    @classmethod
    def of(cls, sources: Path, project: Path = paths.PROJECT, article: Path = paths.SEED_ARTICLE) -> Inputs:
        """Of the sources at `sources` (a release's snapshot or the working copy): they must be valid."""
        from bot.catalogue.files import load_services
        from bot.knowledge.model import load
        from bot.training_data import district_words

        knowledge = load(sources / "knowledge", article)
        services = load_services(sources / "catalogue")
        words = district_words(sources, article)
        digests = {
            KNOWLEDGE_DIGEST: _digest(list((sources / "knowledge").glob("*.yml")), sources),
            CATALOGUE_DIGEST: _digest([*(sources / "catalogue").glob("*.yml"),
                                       *sources.glob("service_centre.yml")], sources),
            RASA_DIGEST: _digest(rasa_data_files(project), project),
            FIELDS_DIGEST: _digest(list(sources.glob(FIELDS_FILE)), sources),
            DICTIONARY_DIGEST: hashlib.sha256("\n".join(words).encode()).hexdigest()[:16],
            QUESTIONS_DIGEST: hashlib.sha256("\n".join(q for s in services for q in s.examples).encode()
                                             ).hexdigest()[:16],
        }
        return cls(digests, sorted(knowledge.topics))


@dataclass(frozen=True)
class Plan:
    kind: str | None  # None: nothing to publish
    reasons: list[str] = field(default_factory=list)  # why this kind, in Chinese
    notes: list[str] = field(default_factory=list)  # what waits for a later release

    @property
    def trains(self) -> bool:
        return self.kind in (FINETUNE, FULL)


def plan(live: Manifest | None, working: Inputs, full: bool = False) -> Plan:
    if live is None:
        return Plan(FULL, ["还没有上线的版本记录，需要完整训练。"])
    old = live.digests
    changed = {name for name, value in working.digests.items() if old.get(name, UNKNOWN) != value}
    if full:
        return Plan(FULL, ["管理员选择了完整训练。"])
    if not changed:
        return Plan(None, ["与线上版本相比没有改动。"])
    if UNKNOWN in old.values() or not old:
        return Plan(FULL, ["线上版本的来源数据未知，需要完整训练。"])
    dictionary_note = ["词典（事项名称、别名、术语）有变化，将在下次完整训练时更新分词。"] \
        if DICTIONARY_DIGEST in changed else []
    if changed <= {CATALOGUE_DIGEST, DICTIONARY_DIGEST}:
        return Plan(CATALOGUE, ["只有服务目录有改动：重建目录数据库，不需要训练。"],
                    dictionary_note + (["新的别名将在下次训练后也用于意图识别的查找表；目录搜索立即生效。"]
                                       if DICTIONARY_DIGEST in changed else []))
    if changed & {RASA_DIGEST, FIELDS_DIGEST}:
        return Plan(FULL, ["Rasa 训练数据、领域文件、配置、字段词表或分词代码有改动，需要完整训练。"])
    if working.labels != live.labels:
        return Plan(FULL, ["知识库话题有增删，标签变化后 Rasa 不允许增量训练，需要完整训练。"])
    return Plan(FINETUNE, ["只给已有话题或事项增加了问法：在线上模型上增量训练（rasa train --finetune）。"],
                dictionary_note)
