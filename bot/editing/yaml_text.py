"""Small, exact edits of our hand-written YAML files, made on their text.

A YAML library's round trip would rewrite a whole file (line folding, quoting, comments), and an
editor's one new question would show as a diff of hundreds of lines that the operator must review
before committing. These functions change only the lines concerned and check their work by parsing
the result: the new data must be the old data with exactly the intended change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml


class EditError(ValueError):
    """The file is not laid out as these edits expect; the message says where (Chinese)."""


def scalar(text: str) -> str:
    """`text` as a YAML scalar on one line: plain when that reads back as the same text, else
    double-quoted (JSON strings are YAML)."""
    text = " ".join(text.split())
    try:
        if yaml.safe_load(f"- {text}") == [text]:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank_or_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


@dataclass(frozen=True)
class Block:
    """Lines [start, end) of a key's block (the key's own line first)."""

    start: int
    end: int


def key_block(lines: list[str], key: str, indent: int, within: Block | None = None) -> Block | None:
    """The block of `key:` written at `indent` spaces inside `within` (the whole file if None)."""
    first, last = (within.start, within.end) if within else (0, len(lines))
    head = " " * indent + f"{key}:"
    for number in range(first, last):
        line = lines[number]
        if line.startswith(head) and (len(line) == len(head) or line[len(head)] in " \n"):
            end = number + 1
            while end < last and (_blank_or_comment(lines[end]) or _indent(lines[end]) > indent):
                end += 1
            while end > number + 1 and _blank_or_comment(lines[end - 1]):
                end -= 1
            return Block(number, end)
    return None


def append_list_items(text: str, path: list[tuple[str, int]], items: list[str]) -> str:
    """`text` with `items` appended to the block list at `path` (keys with their indents, outermost
    first), e.g. [("topics", 0), ("talent_plan", 2), ("examples", 4)]."""
    lines = text.splitlines(keepends=True)
    block = None
    for key, indent in path:
        block = key_block(lines, key, indent, block)
        if block is None:
            raise EditError(f"文件中找不到 {'/'.join(k for k, _ in path)}")
    assert block is not None
    entries = [n for n in range(block.start + 1, block.end) if lines[n].lstrip().startswith("- ")]
    if not entries:
        raise EditError(f"{path[-1][0]} 不是逐行列出的列表，无法自动追加")
    dash = _indent(lines[entries[0]])
    if not text.endswith("\n") and block.end == len(lines):
        lines[-1] += "\n"
    new = [" " * dash + f"- {scalar(item)}\n" for item in items]
    lines[block.end:block.end] = new
    return "".join(lines)


def sequence_items(text: str, key: str) -> list[tuple[int, int, int]]:
    """The items of the top-level block sequence `key:` as (first line, end line, dash column):
    lines [first, end) hold the item; comments and blank lines after it are left out."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise EditError(f"YAML 格式错误：{error}") from error
    if not isinstance(root, yaml.MappingNode):
        raise EditError("文件的顶层不是映射")
    node = next((value for name, value in root.value
                 if isinstance(name, yaml.ScalarNode) and name.value == key), None)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise EditError(f"文件中没有逐项列出的 {key}:")
    lines = text.splitlines()
    starts = [item.start_mark.line for item in node.value]
    items = []
    for index, first in enumerate(starts):
        dash = node.value[index].start_mark.column - 2
        end = first + 1
        limit = starts[index + 1] if index + 1 < len(starts) else len(lines)
        while end < limit and (_blank_or_comment(lines[end]) or _indent(lines[end]) > dash):
            end += 1
        while end > first + 1 and _blank_or_comment(lines[end - 1]):
            end -= 1
        items.append((first, end, dash))
    return items


FLOW_WIDTH = 80


class _EntryDumper(yaml.SafeDumper):
    """Dumps an entry as our catalogue files are written: short lists of words and the materials'
    small mappings on one line (`[一窗办, 网上办]`, `{name: 居民身份证, original: 1}`), long
    lists one item a line, nested block lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


WORD_CHARS = 16


def _short(items: list) -> bool:
    """A list of words (names, aliases, topics) or a short list: on one line."""
    if not all(isinstance(item, (str, int, float, bool)) or item is None for item in items):
        return False
    words = all(len(str(item)) <= WORD_CHARS for item in items)
    return words or len(json.dumps(items, ensure_ascii=False)) <= FLOW_WIDTH


def _represent_str(dumper: yaml.SafeDumper, text: str):
    """Plain where it reads back as the same text; else double-quoted ("12345"), as we write them."""
    try:
        plain = isinstance(yaml.safe_load(text), str) and yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain = False
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=None if plain else '"')


def _represent_list(dumper: yaml.SafeDumper, items: list):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=_short(items))


def _represent_dict(dumper: yaml.SafeDumper, data: dict):
    nested = any(isinstance(value, (list, dict)) for value in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=not nested)


_EntryDumper.add_representer(list, _represent_list)
_EntryDumper.add_representer(dict, _represent_dict)
_EntryDumper.add_representer(str, _represent_str)


def dumped_item(mapping: dict, dash: int) -> str:
    """One sequence item (`- key: value …`) for `mapping`, indented to a dash at column `dash`."""
    body = yaml.dump([mapping], Dumper=_EntryDumper, allow_unicode=True, sort_keys=False, width=1000)
    return "".join(" " * dash + line + "\n" for line in body.splitlines())


def dumped_mapping(mapping: dict) -> str:
    """A top-level mapping in the same style as `dumped_item`'s entries."""
    return yaml.dump(mapping, Dumper=_EntryDumper, allow_unicode=True, sort_keys=False, width=1000)


def replace_sequence_item(text: str, key: str, index: int, mapping: dict) -> str:
    """`text` with item `index` of the top-level sequence `key` rewritten as `mapping` (comments
    inside the item are lost; every other line is kept)."""
    first, end, dash = sequence_items(text, key)[index]
    lines = text.splitlines(keepends=True)
    lines[first:end] = [dumped_item(mapping, dash)]
    return "".join(lines)


def append_sequence_item(text: str, key: str, mapping: dict) -> str:
    """`text` with `mapping` as the last item of the top-level sequence `key`, spaced like the
    items before it (a blank line between items when the file has one)."""
    items = sequence_items(text, key)
    lines = text.splitlines(keepends=True)
    _, end, dash = items[-1]
    spaced = len(items) > 1 and any(not line.strip() for line in lines[items[0][1]:items[1][0]])
    if end == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines[end:end] = [("\n" if spaced else "") + dumped_item(mapping, dash)]
    return "".join(lines)
