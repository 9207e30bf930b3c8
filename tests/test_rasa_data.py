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
