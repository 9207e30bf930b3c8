"""`python -m bot.catalogue …` as an editor runs it, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot import paths


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "CATALOGUE_DATABASE_URL"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot.catalogue", *args], check=False,
                          cwd=paths.PROJECT, capture_output=True, text=True, env=environment,
                          timeout=300)


def test_validate_the_real_catalogue() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["catalogue: 61 services valid, 0 problems",
                                          "service centre: 市中区政务服务中心 valid (5 values still 示例)",
                                          "hotline: 12345市民服务热线 valid (2 values 示例)"]


def test_validate_prints_each_problem_and_fails(catalogue_dir: Path) -> None:
    path = catalogue_dir / "talent.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 人才落户", "name: ''"),
                    encoding="utf-8")
    result = run("--dir", str(catalogue_dir), "validate")
    assert result.returncode == 1
    first, *_, summary, centre, _hotline = result.stdout.splitlines()
    assert first.startswith("talent.yml:") and first.endswith("name: is required and empty")
    assert "services valid, 1 problems at 1 places" in summary
    assert centre.startswith("service centre: 市中区政务服务中心 valid")


def test_validate_checks_the_service_centre_record(tmp_path: Path) -> None:
    record = tmp_path / "centre.yml"
    record.write_text(paths.SERVICE_CENTRE.read_text(encoding="utf-8").replace(
        "address: 以区政府官方公布的地址为准", "address: 英雄山路88号"), encoding="utf-8")
    result = run("--centre", str(record), "validate")
    assert result.returncode == 1
    problem, summary, centre, _hotline = result.stdout.splitlines()
    assert problem.startswith("centre.yml:14: address: a sample value must be a placeholder")
    assert summary == "catalogue: 61 services valid, 0 problems"
    assert centre == "service centre: centre.yml invalid, 1 problems"


def test_validate_checks_the_hotline_record(tmp_path: Path) -> None:
    record = tmp_path / "hotline.yml"
    record.write_text(paths.SOURCES.joinpath("hotline.yml").read_text(encoding="utf-8").replace(
        "hours: 工作部署里没有写，以拨打时的提示为准", "hours: 7×24小时"), encoding="utf-8")
    result = run("--hotline", str(record), "validate")
    assert result.returncode == 1
    *_, problem, hotline = result.stdout.splitlines()
    assert problem.startswith("hotline.yml:21: hours: a sample value must say where"), problem
    assert hotline == "hotline: hotline.yml invalid, 1 problems"


def test_build_then_import_then_lookups(tmp_path: Path, catalogue_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    result = run("--dir", str(catalogue_dir), "build", "--url", url)
    assert result.returncode == 0, result.stderr
    assert "indexing" in result.stdout and "built sqlite:///" in result.stdout

    export = tmp_path / "export.csv"
    export.write_text("事项编码,事项名称,服务对象,主题分类,实施主体,办理渠道,来源,更新日期,"
                      "示例字段,备注\n"
                      "IMP-1,公共租赁住房申请,个人,住房保障,市中区住建局,一窗办,示例数据,2024-05-01,全部,x\n",
                      encoding="gbk")
    result = run("--dir", str(catalogue_dir), "import", str(export),
                 env={"CATALOGUE_DATABASE_URL": url})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ignored columns: 备注" in result.stdout and "1 added" in result.stdout
    assert (catalogue_dir / "imported.yml").is_file()

    result = run("--dir", str(catalogue_dir), "lookups")
    assert result.returncode == 0
    assert "- 公共租赁住房申请" in result.stdout
    yaml.safe_load(result.stdout)


def test_a_bad_import_exits_non_zero_and_lists_rows(tmp_path: Path, catalogue_dir: Path) -> None:
    export = tmp_path / "bad.csv"
    export.write_text("事项编码,事项名称,服务对象,主题分类,实施主体,办理渠道,来源,更新日期,示例字段\n"
                      "IMP-1,,个人,住房保障,某局,一窗办,示例数据,2024-05-01,实施主体、办理渠道\n"
                      "IMP-1,甲,个人,住房保障,某局,一窗办,示例数据,2024-05-01,全部\n",
                      encoding="utf-8")
    result = run("--dir", str(catalogue_dir), "import", str(export),
                 "--url", f"sqlite:///{tmp_path / 'c.db'}")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "bad.csv: row 2: 事项名称: is required and empty",
        "catalogue: nothing imported; 1 problems (of 2 rows, at most 5000)",
    ]
    assert not (catalogue_dir / "imported.yml").exists()


def test_an_unreachable_database_is_reported_not_raised(catalogue_dir: Path) -> None:
    result = run("--dir", str(catalogue_dir), "build", "--url",
                 "postgresql://postgres@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "unavailable" in result.stderr and "Traceback" not in result.stderr
