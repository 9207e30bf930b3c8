"""`python -m tools.annotate_entities [FILE …]`: mark the `service` and `field` entities of the NLU
training examples in data/nlu (default: every file), in place, in the intents that ask about
services or the article (ANNOTATED_INTENTS).

Every service name or alias of the catalogue and every word of the field vocabulary
(sources/fields.yml) is marked where it spans whole tokens of the NLU's segmentation
(bot/catalogue/annotate.py); other annotations are replaced. Run it after adding examples or after
the catalogue or the vocabulary changed (the set-up must have built build/spacy-zh);
tests/test_rasa_data.py fails while an example is marked otherwise. `--check` only reports.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bot import paths
from bot.catalogue.annotate import Annotator, plain, project_annotator

BLOCK = re.compile(r"^\s*-\s+(intent|lookup|synonym|regex):\s*(\S*)")
# The intents whose messages ask about services or the article: a name or field word in them is one.
# In chitchat and the staff side ("中午好", "给我回电话") the same words are no such thing, so those
# examples stay unmarked.
ANNOTATED_INTENTS = frozenset({"ask_service", "choose_option", "ask_more", "out_of_scope",
                               "list_services_by_channel", "faq"})
EXAMPLES = re.compile(r"^\s+examples:\s*\|")
EXAMPLE = re.compile(r"^(\s+-\s)(.*?)(\s*)$")


def annotate_text(text: str, annotator: Annotator) -> str:
    """A Rasa NLU YAML file's text with the examples of its intents annotated (nothing else changed)."""
    lines, in_intent, in_examples, out = text.splitlines(keepends=True), False, False, []
    marked = True
    for line in lines:
        block = BLOCK.match(line)
        if block:
            in_intent, in_examples = block.group(1) == "intent", False
            marked = block.group(2).split("/")[0] in ANNOTATED_INTENTS
            out.append(line)
            continue
        if EXAMPLES.match(line):
            in_examples = True
            out.append(line)
            continue
        match = EXAMPLE.match(line.rstrip("\n"))
        if in_intent and in_examples and match:
            newline = "\n" if line.endswith("\n") else ""
            example = annotator.annotate(match.group(2)) if marked else plain(match.group(2))
            out.append(f"{match.group(1)}{example}{match.group(3)}{newline}")
        else:
            out.append(line)
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="NLU files (default: data/nlu/*.yml)")
    parser.add_argument("--check", action="store_true", help="report files that would change; change none")
    args = parser.parse_args(argv)
    annotator = project_annotator()
    changed = []
    for path in args.files or sorted(paths.NLU.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        new = annotate_text(text, annotator)
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "annotated"
    print(f"annotate_entities: {verb} {len(changed)} files" + "".join(f"\n  {p}" for p in changed))
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
