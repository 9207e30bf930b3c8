"""`rasa data validate` is clean on the project's data (including the generated files)."""

from __future__ import annotations

import re
import subprocess
import sys

from bot import paths
from bot.model import quiet_env

# Expected, and Rasa's own: it merges the retrieval intent found in the NLU data into the domain
# that declares it and warns about the "duplicate"; and the retrieval responses utter_faq/<topic>
# are uttered by action_answer_knowledge (which weighs the conversation's topic), not by Rasa's
# default retrieval action utter_faq.
EXPECTED = re.compile(r"duplicated intents have been found across multiple domain files: faq$"
                      r"|The utterance 'utter_faq' is not used in any story or rule\.$")
UNUSED_UTTERANCE = re.compile(r"The utterance '(utter_[\w/]+)' is not used in any story or rule\.$")


def uttered_elsewhere() -> set[str]:
    """Responses Rasa's validator cannot see in stories or rules but that are used: the questions
    forms ask (utter_ask_<slot>) and the responses custom actions utter by name."""
    import yaml

    slots = set()
    for form in ((yaml.safe_load(paths.DOMAIN.read_text(encoding="utf-8")) or {}).get("forms") or {}).values():
        slots.update(form.get("required_slots") or [])
    by_actions = set()
    for path in (paths.PROJECT / "actions").glob("*.py"):
        by_actions.update(re.findall(r'response\s*=\s*"(utter_\w+)"', path.read_text(encoding="utf-8")))
    return {f"utter_ask_{slot}" for slot in slots} | by_actions


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", str(paths.DOMAIN), "--data",
         *map(str, paths.TRAINING_DATA), "--fail-on-warnings"],
        cwd=paths.PROJECT, env=quiet_env(), capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line.split("UserWarning: ", 1)[1].strip() for line in output.splitlines()
                if "UserWarning: " in line and "rasa/" in line]
    allowed = uttered_elsewhere()
    unexpected = [w for w in warnings if not EXPECTED.search(w)
                  and not ((m := UNUSED_UTTERANCE.search(w)) and m.group(1) in allowed)]
    assert unexpected == [], warnings


def test_entities_are_marked_as_the_catalogue_and_the_field_vocabulary_say() -> None:
    """Every service name and field word in the examples of the asking intents is marked, and
    nothing else is (python -m tools.annotate_entities writes them; DIET learns from them)."""
    import pytest

    if not (paths.SPACY_PIPELINE / "meta.json").is_file():
        pytest.fail("the spaCy pipeline is not built; run `make setup`")
    from bot.catalogue.annotate import project_annotator
    from tools.annotate_entities import annotate_text

    annotator = project_annotator()
    stale = []
    for path in sorted(paths.NLU.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        expected = annotate_text(text, annotator)
        stale += [f"{path.name}: {old.strip()}  →  {new.strip()}"
                  for old, new in zip(text.splitlines(), expected.splitlines(), strict=True) if old != new]
    assert not stale, "run `python -m tools.annotate_entities`:\n" + "\n".join(stale[:20])
