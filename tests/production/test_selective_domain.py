"""Only the form validators receive the domain from Rasa (endpoints.yml: enable_selective_domain).

The domain is 55 kB of JSON (the knowledge answers); sending it with every knowledge answer cost
the assistant and the action server a few milliseconds each (docs/benchmarks.md, "Load"). The
staff side's forms need it: rasa_sdk's FormValidationAction reads the form's slots from it, and the
form tests (tests/staff) run them end to end.
"""

from __future__ import annotations

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot import paths


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(paths.DOMAIN))


@pytest.fixture(scope="module")
def action_endpoint(monkeypatch_module):
    monkeypatch_module.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch_module.setenv("TRACKER_DB", "unused.db")
    return read_endpoints_from_path(paths.PROJECT / "endpoints.yml").action


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def call_body(name: str, domain: Domain, endpoint) -> dict:
    return RemoteAction(name, endpoint)._action_call_format(DialogueStateTracker("s", domain.slots), domain)


@pytest.mark.parametrize("name", ["validate_callback_form", "validate_rating_form"])
def test_form_validators_get_the_domain(name, domain, action_endpoint) -> None:
    body = call_body(name, domain, action_endpoint)
    assert body["domain"]["forms"]  # what FormValidationAction reads its slots from


@pytest.mark.parametrize("name", ["action_answer_knowledge", "action_answer_service", "action_tell_more",
                                  "action_default_fallback", "action_submit_callback"])
def test_other_actions_go_without_it(name, domain, action_endpoint) -> None:
    assert name in domain.user_actions
    assert "domain" not in call_body(name, domain, action_endpoint)
