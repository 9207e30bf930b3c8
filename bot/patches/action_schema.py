"""Rasa's check of the action server's responses, with the JSON-schema validator compiled once.

Rasa 3.6 checks every response of the action server (`RemoteAction._validate_action_result`)
with `jsonschema.validate(result, schema)`. That call first validates the schema itself against
the JSON Schema meta-schema and builds a new validator, for the same constant schema, on every
custom action: measured here 14 ms of CPU per call against 0.4 ms for the validation proper — a
third of the assistant's CPU time per knowledge or catalogue question under load
(docs/benchmarks.md, “Load”). `install()` replaces that method by one that checks the schema once
and keeps its validator; the responses are validated against the same schema by the same
validator class, and an invalid one raises the same `ValidationError` with Rasa's message.

Installed by the guarded REST channel (bot/channels/rest.py), which every assistant of ours loads;
it changes nothing but where the validator comes from.
"""

from __future__ import annotations

import functools
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# Rasa's own check, kept for comparison (tests/production/test_action_schema.py).
RASA_VALIDATE = RemoteAction._validate_action_result


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator of Rasa's action-response schema, its schema checked once."""
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """As `RemoteAction._validate_action_result`, with the validator compiled once."""
    from jsonschema import ValidationError

    try:
        response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    """Use the compiled validator in this process (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result


def installed() -> bool:
    return RemoteAction._validate_action_result is validate_action_result
