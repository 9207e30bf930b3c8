"""The changes an editor makes, each built as a `Change` of the source files (bot/editing/tree.py).

- `topic_examples`: residents' questions become examples of a knowledge topic;
- `service_examples`: questions (and an alias) placed on a catalogue service;
- `service_update` / `service_new`: a service's fields from the console's form;
- `catalogue_import`: an official XLSX/CSV export through bot.catalogue.importer, on a scratch copy.
Nothing here writes to the tree; `SourceTree.save` does, after checking.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import yaml

from bot.catalogue.files import IMPORTED_FILE, load_catalogue
from bot.catalogue.schema import FIELDS, Service, parse_service
from bot.editing import messages
from bot.editing.tree import CATALOGUE, CENTRE, KNOWLEDGE, Change, ChangeRefused, SourceTree
from bot.editing.yaml_text import EditError, append_list_items, append_sequence_item, replace_sequence_item

MAX_QUESTION = 200
MAX_QUESTIONS = 50


def clean_questions(texts: list[str]) -> list[str]:
    """Residents' questions as they will be stored: one line each, no button payloads, no repeats."""
    cleaned, problems = [], []
    for text in texts:
        text = " ".join((text or "").split())
        if not text:
            continue
        if text.startswith("/"):
            problems.append(f"“{text}”是按钮指令，不是居民的问题。")
        elif len(text) > MAX_QUESTION:
            problems.append(f"“{text[:20]}…”超过 {MAX_QUESTION} 个字，请选更短的问法。")
        elif text not in cleaned:
            cleaned.append(text)
    if not cleaned and not problems:
        problems.append("请至少选择一个问题。")
    if len(cleaned) > MAX_QUESTIONS:
        problems.append(f"一次最多 {MAX_QUESTIONS} 个问法。")
    if problems:
        raise ChangeRefused(problems)
    return cleaned


def _edit(action):
    try:
        return action()
    except EditError as error:
        raise ChangeRefused([str(error)]) from error


# Knowledge ---------------------------------------------------------------------------------------

def topic_examples(tree: SourceTree, topic_id: str, questions: list[str]) -> Change:
    from bot.knowledge.model import KnowledgeError, load

    questions = clean_questions(questions)
    try:
        topic = load(tree.knowledge_dir, tree.article).topics.get(topic_id)
    except KnowledgeError as error:
        raise ChangeRefused(["知识库文件目前有错误，请先请开发人员修正：", *map(messages.problem,
                                                                   str(error).splitlines())]) from error
    if topic is None:
        raise ChangeRefused([f"没有编号为 {topic_id} 的话题。"])
    new = [q for q in questions if q not in topic.examples]
    if not new:
        raise ChangeRefused([f"这些问法已经是话题“{topic.title}”的例句。"])
    relative = f"{KNOWLEDGE}/{topic.area}.yml"
    text = _edit(lambda: append_list_items(tree.text(relative), [("topics", 0), (topic.id, 2), ("examples", 4)], new))
    return Change({relative: text}, f"把 {len(new)} 个问法加入话题“{topic.title}”（{topic.id}）", tuple(new))


# Catalogue ---------------------------------------------------------------------------------------

def _catalogue_or_refuse(tree: SourceTree):
    catalogue = load_catalogue(tree.catalogue_dir, tree.article)
    if catalogue.problems:
        raise ChangeRefused(["服务目录文件目前有错误，请先修正：",
                             *(messages.problem(str(p)) for p in catalogue.problems)])
    return catalogue


def _located(tree: SourceTree, code: str) -> tuple[str, int, dict, Service]:
    """(file relative to the tree, item index in its services, the file's defaults, the service)."""
    catalogue = _catalogue_or_refuse(tree)
    service = next((s for s in catalogue.services if s.code == code), None)
    if service is None:
        raise ChangeRefused([f"服务目录中没有编码为 {code} 的事项。"])
    relative = f"{CATALOGUE}/{catalogue.origin[code]}"
    raw = yaml.safe_load(tree.text(relative)) or {}
    index = next(i for i, entry in enumerate(raw.get("services") or [])
                 if isinstance(entry, dict) and str(entry.get("code", "")).strip() == code)
    return relative, index, raw.get("defaults") or {}, service


def _plain(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def entry_mapping(service: Service, defaults: dict) -> dict:
    """The service as its file's entry: what the file's defaults already say is left out, and a
    default the service no longer has is cleared explicitly."""
    data = service.to_dict()
    if isinstance(data.get("updated"), str):
        data["updated"] = dt.date.fromisoformat(data["updated"])
    entry = {key: value for key, value in data.items()
             if key not in defaults or _plain(defaults[key]) != _plain(value)}
    for key in defaults:
        if key not in data and key in FIELDS:
            entry[key] = [] if isinstance(defaults[key], list) else ""
    return {key: entry[key] for key in FIELDS if key in entry}


def _replaced(tree: SourceTree, code: str, service: Service, summary: str, added: tuple[str, ...] = ()) -> Change:
    relative, index, defaults, _ = _located(tree, code)
    text = _edit(lambda: replace_sequence_item(tree.text(relative), "services", index,
                                               entry_mapping(service, defaults)))
    return Change({relative: text}, summary, added)


def service_examples(tree: SourceTree, code: str, questions: list[str], alias: str = "") -> Change:
    questions = clean_questions(questions)
    _, _, _, service = _located(tree, code)
    examples = tuple(dict.fromkeys((*service.examples, *questions)))
    alias = " ".join(alias.split())
    aliases = service.aliases + ((alias,) if alias and alias not in service.aliases else ())
    if examples == service.examples and aliases == service.aliases:
        raise ChangeRefused([f"这些问法已经记在“{service.name}”下。"])
    changed = Service(**{**service.__dict__, "examples": examples, "aliases": aliases})
    added = tuple(q for q in examples if q not in service.examples) + ((alias,) if alias else ())
    what = f"把 {len(examples) - len(service.examples)} 个问法记到服务事项“{service.name}”（{code}）"
    return _replaced(tree, code, changed, what + (f"，并加别名“{alias}”" if alias else ""), added)


def parsed_service(raw: dict) -> Service:
    """A service from form values shaped like a YAML entry; field problems in Chinese."""
    service, problems = parse_service(raw)
    if problems or service is None:
        raise ChangeRefused([messages.field_reason(p.key, p.reason) for p in problems])
    return service


def service_update(tree: SourceTree, code: str, raw: dict) -> Change:
    _, _, _, old = _located(tree, code)
    service = parsed_service(raw)
    if service.code != code:
        raise ChangeRefused(["事项编码不能在这里修改；请新建事项后删除旧的。"])
    added = tuple(set(service.examples + service.aliases) - set(old.examples + old.aliases))
    return _replaced(tree, code, service, f"修改服务事项“{service.name}”（{code}）", added)


def service_new(tree: SourceTree, file_name: str, raw: dict) -> Change:
    """A new service appended to `file_name` of the catalogue (a new file when it has none)."""
    if not file_name.endswith(".yml") or "/" in file_name or file_name.startswith(".") \
            or file_name == IMPORTED_FILE:
        raise ChangeRefused(["请选择要加入的目录文件（imported.yml 由导入功能维护）。"])
    service = parsed_service(raw)
    catalogue = _catalogue_or_refuse(tree)
    if service.code in catalogue.origin:
        raise ChangeRefused([f"编码 {service.code} 已被“{catalogue.origin[service.code]}”中的事项使用。"])
    relative = f"{CATALOGUE}/{file_name}"
    current = tree.text(relative)
    if current.strip():
        defaults = (yaml.safe_load(current) or {}).get("defaults") or {}
        text = _edit(lambda: append_sequence_item(current, "services", entry_mapping(service, defaults)))
    else:
        text = ("# Services added in the staff console (docs/editors.md).\n"
                + yaml.safe_dump({"services": [entry_mapping(service, {})]}, allow_unicode=True,
                                 sort_keys=False, default_flow_style=None, width=100))
    return Change({relative: text}, f"新增服务事项“{service.name}”（{service.code}）",
                  service.examples + service.aliases)


def centre_update(tree: SourceTree, raw: dict) -> Change:
    """The service-centre record (sources/service_centre.yml) from the form's values: the file's
    leading comments kept, the record written in its own key order."""
    from bot.catalogue.centre import FIELDS as CENTRE_FIELDS
    from bot.catalogue.centre import centre_problems, parse_centre
    from bot.editing.yaml_text import dumped_mapping

    centre, problems = parse_centre(raw)
    services = _catalogue_or_refuse(tree).services
    article = tree.article.read_text(encoding="utf-8") if tree.article.is_file() else None
    problems += centre_problems(centre, services, article)
    if problems:
        raise ChangeRefused([messages.field_reason(p.key, p.reason) for p in problems])
    current = tree.text(CENTRE)
    header = "".join(line for line in current.splitlines(keepends=True)[:_header_length(current)])
    values = {key: raw[key] for key in CENTRE_FIELDS if raw.get(key) not in (None, "", [])}
    if isinstance(values.get("updated"), str):
        values["updated"] = dt.date.fromisoformat(values["updated"])
    return Change({CENTRE: header + dumped_mapping(values)}, f"修改服务中心记录“{centre.name}”",
                  centre.aliases)


def _header_length(text: str) -> int:
    """How many lines of comments (and blank lines) open the file."""
    count = 0
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            break
        count += 1
    return count


def catalogue_import(tree: SourceTree, upload: Path) -> tuple[Change | None, list[str], dict]:
    """The change an official export would make (imported.yml), run by the command line's importer
    on a scratch copy; (None, the rows' problems in Chinese, counts) when any row is wrong."""
    from bot.catalogue.importer import import_file

    with tree.scratch_copy() as scratch:
        result = import_file(upload, None, scratch / CATALOGUE)
        counts = {"rows": result.rows, "added": result.added, "updated": result.updated,
                  "ignored": result.ignored_columns}
        if not result.ok:
            return None, [messages.import_problem(p.row, p.reason) for p in result.problems], counts
        relative = f"{CATALOGUE}/{IMPORTED_FILE}"
        text = (scratch / relative).read_text(encoding="utf-8")
    imported = yaml.safe_load(text) or {}
    added = tuple(t for s in imported.get("services") or [] for t in (*(s.get("aliases") or []),
                                                                     *(s.get("examples") or [])))
    summary = f"导入 {upload.name}：{result.rows} 行，新增 {len(result.added)} 项，更新 {len(result.updated)} 项"
    return Change({relative: text}, summary, added), [], counts


def export_catalogue(tree: SourceTree) -> bytes:
    """The whole catalogue as an XLSX workbook in the importer's layout (one row a service)."""
    from openpyxl import Workbook

    from bot.catalogue.importer import TITLES

    catalogue = _catalogue_or_refuse(tree)
    book = Workbook()
    sheet = book.active
    sheet.title = "政务服务事项目录"
    keys = [key for key in FIELDS if key in TITLES]
    sheet.append([TITLES[key] for key in keys])
    for service in catalogue.services:
        sheet.append([_cell(service, key) for key in keys])
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
        book.save(out.name)
        return Path(out.name).read_bytes()


def _cell(service: Service, key: str) -> object:
    value = getattr(service, key)
    if key == "materials":
        return "；".join(material.label() for material in value)
    if key == "sample_fields":
        from bot.catalogue.importer import TITLES
        from bot.catalogue.schema import FACT_FIELDS

        if value == frozenset(FACT_FIELDS):
            return "全部"
        return "、".join(TITLES.get(f, f) for f in FACT_FIELDS if f in value)
    if key in ("conditions", "examples", "situations"):
        return "；".join(value)
    if isinstance(value, tuple):
        return "、".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
