"""`python -m tools.bench.stock_rasa ARGS`: `rasa ARGS` loading the model as stock Rasa 3.6 does.

For `make bench-startup`'s "before" row only: the same trained model, with bot.nlp.lean's savings
undone (each `SpacyNLP` graph node loads its own spaCy pipeline, uncompacted; every TensorFlow model
is built by training it on one example before its weights are read).
"""

from __future__ import annotations

import sys


def undo_lean_loading() -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.utils.tensorflow.models import RasaModel

    from bot.nlp import lean

    lean.SharedSpacyNLP.load_model = staticmethod(SpacyNLP.load_model)  # type: ignore[method-assign]
    lean._LoadsWithoutTraining.load = classmethod(RasaModel.load.__func__)  # type: ignore[method-assign]


def main() -> None:
    undo_lean_loading()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
