"""`rasa data validate` is clean on the project's data (including the generated files)."""

from __future__ import annotations

import re
import subprocess
import sys

from bot import paths
from bot.setup import quiet_env

# Expected, and Rasa's own: it merges the retrieval intent found in the NLU data into the domain
# that declares it and warns about the "duplicate"; and the retrieval responses utter_faq/<topic>
# are uttered by action_answer_knowledge (which weighs the conversation's topic), not by Rasa's
# default retrieval action utter_faq.
EXPECTED = re.compile(r"duplicated intents have been found across multiple domain files: faq$"
                      r"|The utterance 'utter_faq' is not used in any story or rule\.$")


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain", "--data",
         "data/nlu", "data/rules", "data/stories", "--fail-on-warnings"],
        cwd=paths.PROJECT, env=quiet_env(), capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line.split("UserWarning: ", 1)[1].strip() for line in output.splitlines()
                if "UserWarning: " in line and "rasa/" in line]
    assert [w for w in warnings if not EXPECTED.search(w)] == [], warnings
