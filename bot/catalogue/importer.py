"""Importing an official export (CSV or XLSX, layout in docs/catalogue.md) into the catalogue.

All or nothing: every bad row is reported with its file, row and reason, and then nothing is
applied. A good import is written to `sources/catalogue/imported.yml` (the YAML files stay the source
of truth) and into the store in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import paths
from bot.catalogue.files import IMPORTED_FILE, load_catalogue
from bot.catalogue.schema import Service, cross_problems, parse_service
from bot.catalogue.store import CatalogueStore

# The export's column titles (as in a typical 政务服务事项目录 spreadsheet) and our fields.
COLUMNS = {
    "事项编码": "code", "事项名称": "name", "别名": "aliases", "常见问法": "examples",
    "适用情形": "situations", "服务对象": "audience",
    "主题分类": "topic", "实施主体": "department", "办理渠道": "channels",
    "到现场次数": "visits", "受理条件": "conditions", "申请材料": "materials",
    "法定办结时限": "legal_days", "承诺办结时限": "promised_days", "收费标准": "fee",
    "办理地点": "place", "办理时间": "hours", "咨询电话": "phone", "网上办理入口": "online",
    "设定依据": "legal_basis", "来源": "source", "更新日期": "updated", "示例字段": "sample_fields",
}
TITLES = {value: key for key, value in COLUMNS.items()}
REQUIRED_COLUMNS = ("事项编码", "事项名称", "服务对象", "主题分类", "实施主体", "办理渠道", "来源",
                    "更新日期")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 5  # exports often put a title row or two above the header

_LIST_SPLIT = re.compile(r"[、,，;；/\n]+")
_ITEM_SPLIT = re.compile(r"[；;\n]+")
_NUMBERING = re.compile(r"^\s*(?:\d+[.、．]|[（(]\d+[)）])\s*")
_MATERIAL = re.compile(r"^(?P<name>.*?)\s*[（(](?P<inner>[^（）()]*)[）)]\s*$")
_DAYS = re.compile(r"^(\d+)\s*(?:个)?(?:工作日|日|天)?$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class RowProblem:
    """Why a row (or, with row None, the whole file) cannot be imported."""

    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}" if self.row is None else \
            f"{self.file}: row {self.row}: {self.reason}"


@dataclass
class ImportResult:
    """What an import did (nothing when `problems` is not empty)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class _FileProblem(Exception):
    """A problem that stops reading the file at all (size, encoding, header)."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(b"PK\x03\x04"):
        raise _FileProblem("this is a spreadsheet (XLSX); give it the .xlsx extension")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise _FileProblem("cannot read the text: save the CSV as UTF-8 (or GBK/GB18030)")


def _csv_rows(data: bytes) -> list[list[object]]:
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook  # lazy: only imports of spreadsheets need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise _FileProblem(f"not a readable XLSX workbook ({error})") from error
    try:
        rows = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
        return rows
    finally:
        workbook.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _title(value: object) -> str:
    return re.sub(r"[\s*＊]", "", _cell(value))


def _split(text: str, pattern: re.Pattern[str] = _LIST_SPLIT) -> list[str]:
    return [_NUMBERING.sub("", part).strip() for part in pattern.split(text) if part.strip()]


def _material(text: str) -> dict[str, object]:
    """'居民身份证(原件1 复印件1)' -> {name, original, copies}; unknown words become a note."""
    match = _MATERIAL.match(text)
    if not match:
        return {"name": text, "original": 1, "copies": 0}
    inner = match.group("inner")
    original = re.search(r"原件\s*(\d+)\s*份?", inner)
    copies = re.search(r"复印件\s*(\d+)\s*份?", inner)
    note = re.sub(r"(原件|复印件)\s*\d+\s*份?", "", inner).strip(" ，,、；;")
    if not original and not copies:
        return {"name": match.group("name"), "original": 1, "copies": 0, "note": inner.strip()}
    data: dict[str, object] = {
        "name": match.group("name"),
        "original": int(original.group(1)) if original else 0,
        "copies": int(copies.group(1)) if copies else 0,
    }
    if note:
        data["note"] = note
    return data


parse_material = _material  # the console's service form reads materials by the same rule


def _convert(title: str, text: str) -> object:
    """One cell as the YAML value of its field; raises ValueError with a reason."""
    key = COLUMNS[title]
    if not text:
        return None
    if key in ("aliases", "audience", "channels"):
        return _split(text)
    if key in ("conditions", "examples", "situations"):
        return _split(text, _ITEM_SPLIT)
    if key == "materials":
        return [_material(part) for part in _split(text, _ITEM_SPLIT)]
    if key == "visits":
        match = re.fullmatch(r"(\d+)\s*次?", text)
        if not match:
            raise ValueError(f"{text!r} is not a number of visits such as 0 or 1")
        return int(match.group(1))
    if key in ("legal_days", "promised_days"):
        if text in ("即办", "当场办结", "即时办结"):
            return 0
        match = _DAYS.match(text)
        if not match:
            raise ValueError(f"{text!r} is not 'N个工作日' or 即办")
        return int(match.group(1))
    if key == "updated":
        match = _DATE.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a date such as 2024-05-01")
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError as error:
            raise ValueError(f"{text!r} is not a real date") from error
    if key == "sample_fields":
        if text in ("全部", "all"):
            return "all"
        return [COLUMNS.get(part, part) for part in _split(text)]
    return text


def _read_rows(path: Path) -> list[list[object]]:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise _FileProblem(f"file is {size // 1024 // 1024} MB; the limit is "
                           f"{MAX_BYTES // 1024 // 1024} MB — split it into several imports")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path.read_bytes())
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    if suffix == ".xls":
        raise _FileProblem("old .xls workbooks are not read: save it as .xlsx or CSV (UTF-8)")
    raise _FileProblem("give a .csv or .xlsx file")


def _header(rows: list[list[object]]) -> tuple[int, dict[int, str], list[str]]:
    """The header's index, its known columns by position, and the ignored column titles."""
    candidates = [[_title(v) for v in row] for row in rows[:HEADER_SEARCH_ROWS]]
    index = next((i for i, titles in enumerate(candidates) if "事项名称" in titles), None)
    if index is None:
        raise _FileProblem(f"no header row with 事项名称 in the first {HEADER_SEARCH_ROWS} rows; "
                           "see docs/catalogue.md for the columns")
    titles = candidates[index]
    missing = [t for t in REQUIRED_COLUMNS if t not in titles]
    if missing:
        raise _FileProblem(f"row {index + 1}: missing columns {'、'.join(missing)}")
    doubled = sorted({t for t in titles if t and titles.count(t) > 1})
    if doubled:
        raise _FileProblem(f"row {index + 1}: columns given twice: {'、'.join(doubled)}")
    known = {i: t for i, t in enumerate(titles) if t in COLUMNS}
    ignored = [t for t in titles if t and t not in COLUMNS]
    return index, known, ignored


def _parse_rows(name: str, rows: list[list[object]], result: ImportResult
                ) -> list[tuple[int, Service]]:
    header, columns, result.ignored_columns = _header(rows)
    data_rows = [(header + 2 + i, row) for i, row in enumerate(rows[header + 1:])
                 if any(_cell(v) for v in row)]
    if len(data_rows) > MAX_ROWS:
        raise _FileProblem(f"more than {MAX_ROWS} rows; split the file into several imports")
    if not data_rows:
        raise _FileProblem("no rows below the header")
    result.rows = len(data_rows)
    parsed = []
    for number, row in data_rows:
        raw: dict[str, object] = {}
        broken = False
        for position, title in columns.items():
            text = _cell(row[position]) if position < len(row) else ""
            try:
                value = _convert(title, text)
            except ValueError as error:
                result.problems.append(RowProblem(name, number, f"{title}: {error}"))
                broken = True
                continue
            if value is not None:
                raw[COLUMNS[title]] = value
        if broken:
            continue
        service, problems = parse_service(raw)
        for problem in problems:
            title = TITLES.get(problem.key or "", problem.key)
            result.problems.append(RowProblem(name, number, f"{title}: {problem.reason}"))
        if service is not None:
            parsed.append((number, service))
    return parsed


def _merge(name: str, parsed: list[tuple[int, Service]], folder: Path,
           result: ImportResult) -> tuple[list[Service], list[Service]]:
    """The whole catalogue and the imported file's services after the import; problems for codes
    owned by hand-edited files or names that would point at two services."""
    catalogue = load_catalogue(folder)
    if catalogue.problems:
        raise _FileProblem("the catalogue files have problems; fix them first "
                           "(python -m bot.catalogue validate)")
    rows = {}
    for number, service in parsed:
        if service.code in rows:
            result.problems.append(RowProblem(
                name, number, f"事项编码: {service.code!r} already in row {rows[service.code]}"))
            continue
        owner = catalogue.origin.get(service.code)
        if owner and owner != IMPORTED_FILE:
            result.problems.append(RowProblem(
                name, number, f"事项编码: {service.code!r} already in {owner}; edit it there"))
            continue
        rows[service.code] = number
    new = {s.code: s for _, s in parsed if rows.get(s.code) is not None}
    imported = [s for s in catalogue.services if catalogue.origin[s.code] == IMPORTED_FILE]
    result.updated = [s.code for s in imported if s.code in new]
    result.added = [code for code in new if code not in {s.code for s in imported}]
    imported = [new.get(s.code, s) for s in imported] + [new[c] for c in result.added]
    merged = [s for s in catalogue.services if catalogue.origin[s.code] != IMPORTED_FILE]
    merged += imported
    for service, problem in cross_problems(merged):
        number = rows.get(service.code)
        if number is not None and new.get(service.code) is service:
            title = TITLES.get(problem.key or "", problem.key)
            result.problems.append(RowProblem(name, number, f"{title}: {problem.reason}"))
    result.problems.sort(key=lambda p: p.row or 0)
    return merged, imported


def imported_yaml(services: list[Service]) -> str:
    """The imported services in the catalogue's YAML layout (editable like any other file)."""
    body = yaml.safe_dump({"services": [s.to_dict() for s in services]}, allow_unicode=True,
                          sort_keys=False, width=100)
    return ("# Written by `python -m bot.catalogue import`; edit it like any catalogue file.\n"
            "# A later import replaces the services it lists again (same 事项编码).\n" + body)


def import_file(path: Path, store: CatalogueStore | None,
                folder: Path = paths.CATALOGUE_DATA) -> ImportResult:
    """Check every row of `path`; if all are good, write imported.yml and refresh the store."""
    result = ImportResult()
    try:
        parsed = _parse_rows(path.name, _read_rows(path), result)
        merged, imported = _merge(path.name, parsed, folder, result)
    except _FileProblem as error:
        result.problems.append(RowProblem(path.name, None, str(error)))
        return result
    except OSError as error:
        result.problems.append(RowProblem(path.name, None, f"cannot read: {error.strerror}"))
        return result
    if result.problems:
        result.added, result.updated = [], []
        return result
    _apply(folder / IMPORTED_FILE, imported_yaml(imported), merged, store)
    return result


def _apply(target: Path, text: str, merged: list[Service], store: CatalogueStore | None) -> None:
    """Temp file, then the store's transaction, then the rename: a failure leaves both as were."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        if store is not None:
            store.replace_all(merged)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

