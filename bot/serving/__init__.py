"""How one Rasa server process of ours runs a message: the same results as stock Rasa 3.6, less CPU.

Rasa offers no setting for these, so `install()` puts them in place in the process, before the
model is loaded. It is called by the parts every assistant of ours loads ahead of the model (the
guarded REST channel and the masking tracker store, both named in credentials.yml and
endpoints.yml), so `rasa run` with our files gets them whichever of the two it constructs first:
- `graph_runner.SequentialGraphRunner`: the trained graph's nodes run one after the other in an
  order worked out once, not through dask's scheduler on every NLU parse and policy prediction;
- `bot.guard.action_schema`: the action server's responses checked by a validator compiled once;
- `event_types`: an event's class found by its type name once, not by walking Rasa's class tree
  for every stored and returned event;
- `sparse_features`: a message's sparse features joined by concatenating their COO triplets,
  not through scipy's general `hstack`;
- and, not installed but inherited by the masking tracker store, `tracker_reads`: a
  conversation read back by its new rows only.
docs/benchmarks.md ("Where a message's time goes") has the measurements.
"""

from __future__ import annotations


def install() -> None:
    """Put the speed-ups in place in this process (idempotent)."""
    import rasa.core.processor

    from bot.guard import action_schema
    from bot.serving import event_types, sparse_features
    from bot.serving.graph_runner import SequentialGraphRunner

    action_schema.install()
    event_types.install()
    sparse_features.install()
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner  # what MessageProcessor loads with


def installed() -> bool:
    import rasa.core.processor

    from bot.guard import action_schema
    from bot.serving import event_types, sparse_features
    from bot.serving.graph_runner import SequentialGraphRunner

    return (action_schema.installed() and event_types.installed() and sparse_features.installed()
            and rasa.core.processor.DaskGraphRunner is SequentialGraphRunner)
