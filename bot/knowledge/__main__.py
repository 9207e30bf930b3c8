"""`python -m bot.knowledge validate`: check every knowledge file, print each problem."""

from __future__ import annotations

import sys

from bot.knowledge.model import KnowledgeError, load


def main(argv: list[str]) -> int:
    if argv[:1] != ["validate"]:
        print("usage: python -m bot.knowledge validate", file=sys.stderr)
        return 2
    try:
        base = load()
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    examples = sum(len(t.examples) for t in base.topics.values())
    print(f"knowledge: {len(base.topics)} topics in {len(base.area_titles)} areas, "
          f"{examples} examples, all valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
