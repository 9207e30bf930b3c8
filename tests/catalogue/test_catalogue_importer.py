"""Importing official exports: good files in every encoding, and broken files applying nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.catalogue.files import IMPORTED_FILE, load_catalogue
from bot.catalogue.importer import MAX_BYTES, MAX_ROWS, import_file
from bot.catalogue.schema import Material
from bot.catalogue.store import CatalogueStore, create_store
from bot.catalogue.tokens import bigram_tokenize

HEADER = ["事项编码", "事项名称", "别名", "服务对象", "主题分类", "实施主体", "办理渠道",
          "到现场次数", "受理条件", "申请材料", "法定办结时限", "承诺办结时限", "收费标准",
          "办理地点", "办理时间", "咨询电话", "网上办理入口", "设定依据", "来源", "更新日期",
          "示例字段"]


def row(code: str = "IMP-001", name: str = "公共租赁住房申请", **changes: str) -> list[str]:
    values = {
        "事项编码": code, "事项名称": name, "别名": "公租房申请、申请公租房",
        "服务对象": "个人", "主题分类": "住房保障", "实施主体": "市中区住房和城乡建设局",
        "办理渠道": "一窗办、网上办", "到现场次数": "1",
        "受理条件": "1. 具有本市户籍；2. 家庭人均收入符合规定",
        "申请材料": "居民身份证(原件1 复印件1)；户口簿（原件1份，复印件1份）；申请表(原件1)",
        "法定办结时限": "20个工作日", "承诺办结时限": "10个工作日", "收费标准": "不收费",
        "办理地点": "市中区政务服务中心", "办理时间": "工作日9:00-17:00", "咨询电话": "12345",
        "网上办理入口": "爱山东APP", "设定依据": "《公共租赁住房管理办法》",
        "来源": "示例数据", "更新日期": "2024/5/1", "示例字段": "全部",
    }
    values.update(changes)
    return [values[title] for title in HEADER]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8",
              header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def sqlite_store(tmp_path: Path) -> CatalogueStore:
    return create_store(f"sqlite:///{tmp_path / 'catalogue.db'}", tokenize=bigram_tokenize)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_a_good_csv_in_any_common_encoding(tmp_path: Path, catalogue_dir: Path,
                                           sqlite_store: CatalogueStore, encoding: str) -> None:
    path = write_csv(tmp_path / "export.csv", [row(), row("IMP-002", "廉租住房申请", 别名="")],
                     encoding)
    result = import_file(path, sqlite_store, catalogue_dir)
    assert result.ok, result.problems
    assert result.added == ["IMP-001", "IMP-002"] and result.updated == []
    catalogue = load_catalogue(catalogue_dir)
    assert catalogue.problems == []
    assert catalogue.origin["IMP-001"] == IMPORTED_FILE
    service = sqlite_store.get("IMP-001")
    assert service is not None and service.aliases == ("公租房申请", "申请公租房")
    assert service.materials[:2] == (Material("居民身份证", 1, 1), Material("户口簿", 1, 1))
    assert service.conditions == ("具有本市户籍", "家庭人均收入符合规定")
    assert service.updated == dt.date(2024, 5, 1) and service.legal_days == 20
    assert service.sample and service.is_sample("phone")
    assert sqlite_store.search("公租房怎么申请")[0].service.code == "IMP-001"
    assert len(sqlite_store.all()) == len(catalogue.services)


def test_a_good_xlsx_with_a_title_row(tmp_path: Path, catalogue_dir: Path,
                                      sqlite_store: CatalogueStore) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["市中区政务服务事项目录（导出）"])
    sheet.append(["*" + t if t in ("事项编码", "事项名称") else t for t in HEADER])
    values = row(code="11370103MB0000001", 更新日期="")
    values[HEADER.index("到现场次数")] = 0  # numbers and dates as Excel stores them
    values[HEADER.index("办理渠道")] = "网上办、全程网办"
    sheet.append(values)
    sheet.cell(row=3, column=HEADER.index("更新日期") + 1, value=dt.datetime(2024, 6, 30))
    sheet.append([None] * len(HEADER))  # blank rows at the end are common
    workbook.save(tmp_path / "export.xlsx")
    result = import_file(tmp_path / "export.xlsx", sqlite_store, catalogue_dir)
    assert result.ok, result.problems
    service = sqlite_store.get("11370103MB0000001")
    assert service is not None and service.visits == 0
    assert service.updated == dt.date(2024, 6, 30)


def test_reimport_updates_and_keeps_other_imported_services(
        tmp_path: Path, catalogue_dir: Path, sqlite_store: CatalogueStore) -> None:
    import_file(write_csv(tmp_path / "a.csv", [row(), row("IMP-002", "廉租住房申请", 别名="")]),
                sqlite_store, catalogue_dir)
    result = import_file(write_csv(tmp_path / "b.csv", [row(收费标准="按规定收取"),
                                                        row("IMP-003", "住房补贴", 别名="")]),
                         sqlite_store, catalogue_dir)
    assert result.ok and result.updated == ["IMP-001"] and result.added == ["IMP-003"]
    catalogue = load_catalogue(catalogue_dir)
    imported = [s.code for s in catalogue.services if catalogue.origin[s.code] == IMPORTED_FILE]
    assert imported == ["IMP-001", "IMP-002", "IMP-003"]
    assert sqlite_store.get("IMP-001").fee == "按规定收取"


def problems_after(path: Path, catalogue_dir: Path, store: CatalogueStore | None) -> list[str]:
    before = snapshot(catalogue_dir)
    result = import_file(path, store, catalogue_dir)
    assert not result.ok
    assert snapshot(catalogue_dir) == before, "a failed import changed the files"
    assert result.added == [] and result.updated == []
    return [str(p) for p in result.problems]


def test_bad_rows_are_all_reported_and_nothing_applied(
        tmp_path: Path, catalogue_dir: Path, sqlite_store: CatalogueStore,
        services: list) -> None:
    sqlite_store.replace_all(services)
    rows = [
        row(),
        row("IMP-002", name=""),
        row("IMP-003", "另一事项", 别名="", 办理渠道="窗口办"),
        row("IMP-001", "重复编码", 别名=""),
        row("SZ-SA-01", "已有编码", 别名=""),
        row("IMP-004", "临时救助", 别名=""),
        row("IMP-005", "日期错误", 别名="", 更新日期="明天"),
        row("IMP-006", "时限错误", 别名="", 法定办结时限="很快"),
    ]
    problems = problems_after(write_csv(tmp_path / "bad.csv", rows), catalogue_dir, sqlite_store)
    assert problems == [
        "bad.csv: row 3: 事项名称: is required and empty",
        ("bad.csv: row 4: 办理渠道: '窗口办' is not one of "
         "一窗办、网上办、就近办、一证通办、全程网办"),
        "bad.csv: row 5: 事项编码: 'IMP-001' already in row 2",
        "bad.csv: row 6: 事项编码: 'SZ-SA-01' already in social_assistance.yml; edit it there",
        "bad.csv: row 7: 事项名称: '临时救助' already names SZ-SA-01 临时救助",
        "bad.csv: row 8: 更新日期: '明天' is not a date such as 2024-05-01",
        "bad.csv: row 9: 法定办结时限: '很快' is not 'N个工作日' or 即办",
    ]
    assert sqlite_store.all() == services


def test_missing_columns(tmp_path: Path, catalogue_dir: Path) -> None:
    header = [t for t in HEADER if t not in ("实施主体", "来源")]
    path = write_csv(tmp_path / "cols.csv", [row()[:len(header)]], header=header)
    assert problems_after(path, catalogue_dir, None) == [
        "cols.csv: row 1: missing columns 实施主体、来源"]


def test_no_header_at_all(tmp_path: Path, catalogue_dir: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["1", "2"]], header=["a", "b"])
    (problem,) = problems_after(path, catalogue_dir, None)
    assert "no header row with 事项名称" in problem


def test_an_undecodable_file(tmp_path: Path, catalogue_dir: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(",".join(HEADER).encode("gbk") + b"\n\x80\xff\xfe\x81,\xff\n")
    assert problems_after(path, catalogue_dir, None) == [
        "latin.csv: cannot read the text: save the CSV as UTF-8 (or GBK/GB18030)"]


def test_an_xlsx_named_csv_and_a_broken_xlsx(tmp_path: Path, catalogue_dir: Path) -> None:
    Workbook().save(tmp_path / "real.xlsx")
    (tmp_path / "real.xlsx").rename(tmp_path / "fake.csv")
    (problem,) = problems_after(tmp_path / "fake.csv", catalogue_dir, None)
    assert "give it the .xlsx extension" in problem
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    (problem,) = problems_after(tmp_path / "broken.xlsx", catalogue_dir, None)
    assert "not a readable XLSX workbook" in problem


def test_too_many_rows(tmp_path: Path, catalogue_dir: Path) -> None:
    rows = [row(f"IMP-{i:05d}", f"事项{i}", 别名="") for i in range(MAX_ROWS + 1)]
    path = write_csv(tmp_path / "many.csv", rows)
    assert problems_after(path, catalogue_dir, None) == [
        f"many.csv: more than {MAX_ROWS} rows; split the file into several imports"]


def test_a_huge_file(tmp_path: Path, catalogue_dir: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as out:
        out.write(",".join(HEADER).encode() + b"\n")
        out.write(b"x" * (MAX_BYTES + 1))
    (problem,) = problems_after(path, catalogue_dir, None)
    assert "the limit is 10 MB" in problem


def test_an_empty_export_and_an_old_xls(tmp_path: Path, catalogue_dir: Path) -> None:
    assert problems_after(write_csv(tmp_path / "empty.csv", []), catalogue_dir, None) == [
        "empty.csv: no rows below the header"]
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (problem,) = problems_after(tmp_path / "old.xls", catalogue_dir, None)
    assert "save it as .xlsx" in problem


def test_a_database_failure_applies_nothing(tmp_path: Path, catalogue_dir: Path) -> None:
    down = create_store("postgresql://postgres@127.0.0.1:1/none", tokenize=bigram_tokenize)
    before = snapshot(catalogue_dir)
    with pytest.raises(Exception) as error:
        import_file(write_csv(tmp_path / "ok.csv", [row()]), down, catalogue_dir)
    assert type(error.value).__name__ == "CatalogueUnavailable"
    assert snapshot(catalogue_dir) == before


@pytest.mark.postgres
def test_import_into_postgres(tmp_path: Path, catalogue_dir: Path, pg_url: str) -> None:
    store = create_store(pg_url, tokenize=bigram_tokenize)
    result = import_file(write_csv(tmp_path / "ok.csv", [row()], "gbk"), store, catalogue_dir)
    assert result.ok, result.problems
    assert store.get("IMP-001").name == "公共租赁住房申请"
    store.close()
