"""Every change of ours to a library's internals, in one place, for the pinned versions only.

Rasa 3.6 offers no setting for these. `install()` puts the process-wide ones in place and is called
by our own entry point (bot/assistant.py) before Rasa builds its server or loads the model; nothing
installs them as a side effect. Each was written against the exact versions in `PINNED`, and
`install()` refuses any other: after an upgrade, each must be looked at again, not run unchecked.

Installed in the process by `install()`:
- `without_jax` (a saving of memory, not of CPU: never left out): TensorFlow imported without JAX,
  which it imports only to convert JAX functions to TF Lite (64 MiB resident, 1.5 s of start-up);
  installed first, before anything imports TensorFlow (in a process that has imported it already,
  a test's, it does nothing and `installed()` does not count it);
- `action_schema`: the action server's responses checked by a validator compiled once;
- `tracker_failures` (not a speed-up, never left out): a tracker store that cannot read or store a
  conversation fails the turn (the channels answer the apology naming 12345) instead of Rasa's
  silent fallback to an empty or in-memory conversation;
- `release_pipeline`: a model loaded from a release folder (bot/publish) gets that release's spaCy
  pipeline, not whatever `build/spacy-zh` holds;
- `inherited_socket`: with SHIZHONG_LISTEN_FD, Sanic serves on an inherited listening socket, so the
  keeper (bot/publish/keeper.py) hands one instance's port over to a new process without a gap;
  and a stopping Sanic leaves a connection whose request may still be arriving open for a moment
  instead of closing it as idle (a request of the load failed so during a hand-over, once).
Inherited by our own classes (they call `require_pinned()` when imported):
- `tracker_reads.IncrementalReads` (the masking tracker store): a conversation read back by its
  new rows only;
- bot/nlp/lean.py: spaCy loaded once a process, and DIET/ResponseSelector models built without
  their one-example training step (`RasaModel.load`);
- bot/channels/socketio.py: python-engineio's origin list and CORS headers (`eio._cors_headers`).
docs/benchmarks.md ("Where a message's time goes", "Start-up", "What each patch buys") has each
one's measurements; each has an equivalence test in tests/patches/ or beside its module's tests. A
speed-up that saves under 5 % of the CPU a message (make bench-patches) is removed: event classes
found by a cached map (4.1 %) went that way, sparse features joined as COO triplets (2.4 %,
150 s a set-up, 2026-12-06), and on 2026-12-07 (150 s a set-up) the graph run without dask's
scheduler (3.4 %; 5.3 % the day before) and DIET's traced prediction called with flat tensors
(3.6 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

# The distributions whose internals the patches touch, at the versions they were written for.
PINNED = {
    "rasa": "3.6.21",
    "rasa-sdk": "3.6.2",
    "sanic": "21.12.2",
    "python-engineio": "4.5.1",
    "python-socketio": "5.8.0",
    "tensorflow": "2.12.0",
    "SQLAlchemy": "1.4.54",
}


class UnpinnedVersion(RuntimeError):
    """A library is installed at another version than the one our patches were written for."""


def mismatches(pinned: dict[str, str] = PINNED) -> list[str]:
    """'name: installed X, patches written for Y' for every distribution not at its pinned version."""
    found = []
    for name, wanted in pinned.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "not installed"
        if installed != wanted:
            found.append(f"{name}: installed {installed}, patches written for {wanted}")
    return found


def require_pinned(pinned: dict[str, str] = PINNED) -> None:
    """Raise `UnpinnedVersion` unless every patched library is at its pinned version."""
    wrong = mismatches(pinned)
    if wrong:
        raise UnpinnedVersion("bot/patches refuses to run on library versions it was not written for ("
                              + "; ".join(wrong) + "): check each patch against the new version, "
                              "then update PINNED")


# The process-wide replacements by name. `make bench-patches` leaves one out at a time
# (SHIZHONG_PATCHES_OFF) to measure what each buys; production installs them all.
SPEED_UPS = ("action_schema",)
OFF_ENV = "SHIZHONG_PATCHES_OFF"


def install(skip: Iterable[str] = ()) -> None:
    """Check the versions, then put the process-wide replacements in place (idempotent), except
    those named in `skip` (for measurements only)."""
    require_pinned()
    skip = set(skip)
    if skip - set(SPEED_UPS):
        raise ValueError(f"no such patch: {', '.join(sorted(skip - set(SPEED_UPS)))}")
    from bot.patches import without_jax

    without_jax.install()  # first: before anything imports TensorFlow (rasa.core.processor does)
    from bot.patches import action_schema, inherited_socket, release_pipeline, tracker_failures

    if "action_schema" not in skip:
        action_schema.install()
    for module in (tracker_failures, release_pipeline, inherited_socket):  # not speed-ups: never left out
        module.install()


def installed() -> bool:
    from bot.patches import action_schema, inherited_socket, release_pipeline, tracker_failures

    return (action_schema.installed() and tracker_failures.installed()
            and release_pipeline.installed() and inherited_socket.installed())
