"""bot/patches/without_jax.py: TensorFlow serves without JAX, which it imports only for TF Lite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import paths
from bot.model import quiet_env

IN_A_FRESH_PROCESS = """
import sys
from bot.patches import without_jax
assert without_jax.install() and without_jax.installed()
import tensorflow as tf
import rasa.core.agent
from tensorflow.lite.python import util
assert util._xla_computation is None  # TensorFlow's own branch for JAX missing
print(float(tf.reduce_sum(tf.matmul(tf.ones((2, 3)), tf.ones((3, 2))))))
print(sorted(m for m, module in sys.modules.items() if m.split(".")[0] in ("jax", "jaxlib") and module))
"""


def run(code: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=paths.PROJECT, timeout=300, env=quiet_env() | {"PYTHONPATH": str(paths.PROJECT)})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_tensorflow_and_rasa_import_and_compute_without_jax() -> None:
    assert run(IN_A_FRESH_PROCESS) == ["12.0", "[]"]


def test_installed_after_tensorflow_it_does_nothing() -> None:
    """Too late to save anything: the process keeps the JAX TensorFlow imported."""
    assert run("import tensorflow\nfrom bot.patches import without_jax\n"
               "print(without_jax.install(), without_jax.installed())") == ["False", "False"]


@pytest.mark.server
def test_the_running_assistant_holds_no_jax(servers) -> None:
    mapped = Path(f"/proc/{servers.pid('rasa')}/maps").read_text()
    assert "jaxlib" not in mapped and "/tensorflow/" in mapped
