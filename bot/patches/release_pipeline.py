"""A model loaded from a release folder gets that release's spaCy pipeline.

Our models name their spaCy pipeline as config.yml does, `build/spacy-zh` (relative to the working
folder), so that a model fine-tuned from another keeps the configuration Rasa's fine-tuning
demands. A release (bot/publish/releases.py) keeps the pipeline it was trained with beside its
model: `build/releases/<id>/{model.tar.gz, spacy-zh/}`. When Rasa loads a model archive that sits in
such a folder (also through the `live` symlink, and by `PUT /model`), the SpacyNLP nodes of its
prediction graph are pointed at the folder's own pipeline before the graph is built, so a model is
never paired with another version's tokenizer and district dictionary. Any other archive loads as
before. Rasa 3.6 has no setting for this; it is `rasa.engine.loader.load_predict_graph_runner`
with one step added.
"""

from __future__ import annotations

from pathlib import Path

import rasa.engine.loader
from rasa.engine.graph import ExecutionContext
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.storage import ModelMetadata, ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyNLP

RASA_LOADER = rasa.engine.loader.load_predict_graph_runner
MANIFEST, PIPELINE = "release.json", "spacy-zh"


def release_pipeline(model_archive: Path) -> Path | None:
    """The spaCy pipeline of the release `model_archive` belongs to, if it is a release's model."""
    folder = Path(model_archive).resolve().parent
    pipeline = folder / PIPELINE
    if (folder / MANIFEST).is_file() and (pipeline / "meta.json").is_file():
        return pipeline
    return None


def point_at(metadata: ModelMetadata, pipeline: Path) -> int:
    """Set every SpacyNLP node of the prediction graph to `pipeline`; how many there were."""
    count = 0
    for node in metadata.predict_schema.nodes.values():
        if isinstance(node.uses, type) and issubclass(node.uses, SpacyNLP):
            node.config["model"] = str(pipeline)
            count += 1
    return count


def forget_other_pipelines() -> None:
    """bot/nlp/lean.py keeps each loaded pipeline for the process's life; the ones of releases
    swapped out are dropped (their graph, while still serving, holds its own reference)."""
    from bot.nlp import lean

    lean._load_spacy.cache_clear()


def load_predict_graph_runner(storage_path: Path, model_archive_path: Path, model_storage_class: type[ModelStorage],
                              graph_runner_class: type[GraphRunner]) -> tuple[ModelMetadata, GraphRunner]:
    """As Rasa's, with the release's pipeline put into the schema before the graph is built."""
    model_storage, model_metadata = model_storage_class.from_model_archive(
        storage_path=storage_path, model_archive_path=model_archive_path)
    pipeline = release_pipeline(model_archive_path)
    if pipeline is not None and point_at(model_metadata, pipeline):
        forget_other_pipelines()
    runner = graph_runner_class.create(
        graph_schema=model_metadata.predict_schema, model_storage=model_storage,
        execution_context=ExecutionContext(graph_schema=model_metadata.predict_schema,
                                           model_id=model_metadata.model_id))
    return model_metadata, runner


def install() -> None:
    rasa.engine.loader.load_predict_graph_runner = load_predict_graph_runner


def installed() -> bool:
    return rasa.engine.loader.load_predict_graph_runner is load_predict_graph_runner
