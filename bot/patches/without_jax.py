"""TensorFlow imported without JAX: 64 MiB less resident and 1.5 s off the assistant's start.

TensorFlow 2.12 requires JAX and imports it, with jaxlib's XLA libraries, whenever it is imported,
for one use only: converting a JAX function to TF Lite (tensorflow/lite/python/util.py:
`try: from jax import xla_computation` … `except ImportError: _xla_computation = None`). The
assistant converts nothing. `install()` marks `jax` unimportable in this process
(`sys.modules["jax"] = None`: importing it raises ImportError) before TensorFlow is first
imported, so TensorFlow takes its own branch for JAX missing; nothing else of TensorFlow, Keras or
Rasa imports JAX. Measured (docs/benchmarks.md, "Start-up and memory"): `import tensorflow,
rasa.core.agent` 525 → 461 MiB resident, 9.3–10.5 → 7.7–8.1 s.
"""

from __future__ import annotations

import sys

BLOCKED = "jax"


def install() -> bool:
    """Before TensorFlow is imported: JAX is not importable in this process. False (and nothing
    done) when TensorFlow or JAX is imported already: too late to save anything (a test process)."""
    if BLOCKED in sys.modules or "tensorflow" in sys.modules:
        return installed()
    sys.modules[BLOCKED] = None  # type: ignore[assignment]
    return True


def installed() -> bool:
    return BLOCKED in sys.modules and sys.modules[BLOCKED] is None
