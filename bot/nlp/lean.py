"""Rasa components that load the trained model with less memory and in less time.

Two costs of stock Rasa 3.6 at start-up, both measured on our model (docs/benchmarks.md):

- `SpacyNLP` is constructed twice, for the graph's `provide_` node and for its `run_` node, and
  each construction calls `spacy.load`: the pkuseg model sat twice in memory. `SharedSpacyNLP`
  loads each pipeline once per process, with pkuseg's word list compacted (bot.nlp.pipeline).
- `RasaModel.load` builds a TensorFlow model by *training it on one example* (`model.fit`) before
  it reads the weights: that traces the training graph and creates Adam's two slot variables for
  every weight, so the process held three copies of the big sparse-to-dense kernels and spent
  seconds tracing. The `Lean…` components build their model with one forward pass instead, read
  the weights (the optimizer's saved slots are left in the file), and trace only prediction.
  Training is unchanged; predictions are the same numbers (checked on 300 messages, and by
  tests/nlp/test_lean.py).
"""

from __future__ import annotations

import functools
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.nlu.selectors.response_selector import DIET2BOW, DIET2DIET, ResponseSelector
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

from bot.nlp.pipeline import compact
from bot.patches import require_pinned

require_pinned()  # RasaModel.load is replaced below (bot/patches)


@functools.cache
def _load_spacy(spacy_model_name: str) -> SpacyModel:
    model = SpacyNLP.load_model(spacy_model_name)
    compact(model.model)
    return model


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SharedSpacyNLP",
)
class SharedSpacyNLP(SpacyNLP):
    """`SpacyNLP` whose graph nodes share one loaded spaCy pipeline per process.

    The pipeline is kept for the life of the process under its configured name: a pipeline
    rebuilt on disk is seen by the next process, not by this one.
    """

    @staticmethod
    def load_model(spacy_model_name: str) -> SpacyModel:
        return _load_spacy(spacy_model_name)


class _LoadsWithoutTraining(RasaModel):
    """Mixin for a `RasaModel` class: `load` without the one-example training step."""

    @classmethod
    def load(
        cls,
        model_file_name: str,
        model_data_example: RasaModelData,
        predict_data_example: RasaModelData | None = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode or predict_data_example is None:  # fine-tuning needs the optimizer
            return super().load(model_file_name, model_data_example, predict_data_example,
                                finetune_mode, *args, **kwargs)
        model = cls(*args, **kwargs)
        # One forward pass of the loss on one example creates every variable the weights file
        # holds for the model itself (the optimizer's are not created, so not read).
        inputs, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
        model._training = False
        model.batch_loss(inputs)
        model._training = None
        model.load_weights(model_file_name).expect_partial()
        # As Rasa does: trace the prediction graph now, not at the first user message. It also
        # computes the label embeddings from the loaded weights (prepare_for_predict).
        model.run_inference(predict_data_example)
        return model


class LeanDIET(_LoadsWithoutTraining, DIET):
    pass


class LeanDIET2BOW(_LoadsWithoutTraining, DIET2BOW):
    pass


class LeanDIET2DIET(_LoadsWithoutTraining, DIET2DIET):
    pass


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class LeanDIETClassifier(DIETClassifier):
    """`DIETClassifier` that loads without a training step (same training, same predictions)."""

    @staticmethod
    def model_class() -> type[RasaModel]:
        return LeanDIET


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LeanResponseSelector(ResponseSelector):
    """`ResponseSelector` that loads without a training step (same training, same predictions)."""

    @staticmethod
    def model_class(use_text_as_label: bool) -> type[RasaModel]:  # type: ignore[override]
        return LeanDIET2DIET if use_text_as_label else LeanDIET2BOW

