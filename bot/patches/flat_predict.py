"""DIET's and the ResponseSelector's traced prediction called with its inputs already flat.

Rasa 3.6 predicts every message through a `tf.function` with a fixed input signature
(`RasaModel._rasa_predict`). Each call, TensorFlow works out again which of its traced functions
the arguments select: it flattens the batch (a tuple of some thirty arrays), converts each array
through the general `convert_to_tensor` dispatch, checks every one against the signature and
builds a type of the whole call to look the function up — under load 12 % of the assistant's time
holding Python's lock, against under 1 % for running the traced graph itself (docs/benchmarks.md).
With a fixed signature there is one traced function. `rasa_predict` takes it once
(`get_concrete_function`), converts each array to a tensor of its signature's data type, and
calls it with the flat tensors: the same function with the same inputs, the same outputs (an
equivalence test compares them on the trained model's own messages). A batch that does not fit
the signature goes the way Rasa sends it, which raises Rasa's error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from keras.utils import tf_utils
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.framework import constant_op

RASA_PREDICT = RasaModel._rasa_predict


class _FlatCall:
    """The one traced function of a `tf.function` with an input signature, called flat."""

    def __init__(self, traced: Any) -> None:
        self.function = traced.get_concrete_function()
        signature = self.function.structured_input_signature[0][0]
        self.dtypes = tuple(spec.dtype for spec in signature)
        self.ranks = tuple(spec.shape.rank for spec in signature)
        self.last_dims = tuple(spec.shape[-1] if spec.shape.rank > 1 else None for spec in signature)

    def fits(self, batch: tuple[np.ndarray, ...]) -> bool:
        """Whether every array fits its signature's rank and last dimension (its data type is cast)."""
        if len(batch) != len(self.ranks):
            return False
        for array, rank, last in zip(batch, self.ranks, self.last_dims, strict=True):
            shape = np.shape(array)
            if len(shape) != rank or (last is not None and shape[-1] != last):
                return False
        return True

    def __call__(self, batch: tuple[np.ndarray, ...]) -> Any:
        tensors = [constant_op.constant(array, dtype=dtype) for array, dtype in zip(batch, self.dtypes, strict=True)]
        return self.function._call_flat(tensors, self.function.captured_inputs)


def rasa_predict(self: RasaModel, batch_in: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """As `RasaModel._rasa_predict`, calling the traced function with flat tensors."""
    flat_call = getattr(self, "_shizhong_flat_call", None)
    if flat_call is None:
        if self._run_eagerly or self._tf_predict_step is None:
            return RASA_PREDICT(self, batch_in)  # the first call traces (and prepares) as Rasa does
        flat_call = self._shizhong_flat_call = _FlatCall(self._tf_predict_step)
    if not flat_call.fits(batch_in):
        return RASA_PREDICT(self, batch_in)
    outputs = tf_utils.sync_to_numpy_or_python_type(flat_call(batch_in))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def install() -> None:
    RasaModel._rasa_predict = rasa_predict  # type: ignore[method-assign]


def installed() -> bool:
    return RasaModel._rasa_predict is rasa_predict

