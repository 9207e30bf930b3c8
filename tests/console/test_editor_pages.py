"""The editors' pages over real HTTP (`python -m bot.console`, SQLite): the inbox, the diff before a
save, the service form, XLSX in and out. The console edits a copy of sources/ (EDITOR_SOURCES)."""

from __future__ import annotations

import io
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from bot import paths
from bot.catalogue.files import load_catalogue
from bot.catalogue.importer import TITLES
from bot.knowledge.model import load
from bot.staff.accounts import AccountStore
from tests.console.conftest import Client, Console, Said, make_accounts, signed_in, start_console, store_conversations
from tests.editing.conftest import snapshot

ACCOUNTS = (("bian", "editor"), ("zhou", "editor"), ("zhang", "staff"), ("wang", "admin"))
QUESTION = "开店的老板区里去不去走访"
OUT_OF_SCOPE = Said(QUESTION, "out_of_scope", 0.62, ["action_out_of_scope"], "抱歉，这个问题不在我的服务范围内……12345")
OTHER = Said("小区门口快递驿站乱收费找谁管", "out_of_scope", 0.91, ["action_out_of_scope"], "抱歉……12345")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    console: Console
    sources: Path
    staff_url: str

    def client(self, name: str) -> Client:
        return signed_in(self.console, name, dict(ACCOUNTS)[name])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("editors")
    staff_url, tracker_url = f"sqlite:///{folder / 'staff.db'}", f"sqlite:///{folder / 'tracker.db'}"
    make_accounts(staff_url, *ACCOUNTS)
    now = time.time()
    store_conversations(tracker_url, {
        "rest-shop": (now - 7200, [OUT_OF_SCOPE], "rest"),
        "web-shop": (now - 3600, [OUT_OF_SCOPE], "socketio"),
        "wx-parcel": (now - 600, [OTHER], "wechat"),
        "eval-00112233445566778899aabbccddeeff": (now - 60, [OUT_OF_SCOPE], "rest"),
    })
    shutil.copytree(paths.SOURCES, folder / "sources")
    console = start_console(staff_url, tracker_url, "console-editors", EDITOR_SOURCES=str(folder / "sources"),
                            PUBLISH_RELEASES=str(folder / "releases"))
    try:
        yield Site(console, folder / "sources", staff_url)
    finally:
        console.stop()


def submit(client: Client, path: str, data: dict | list, page: str = "/inbox", files=None):
    token = CSRF.search(client.get(page).text).group(1)
    items = list(data.items()) if isinstance(data, dict) else list(data)
    return client.http.post(client.url + path, data=[("csrf_token", token), *items], files=files,
                            allow_redirects=False, timeout=60)


def audit(site: Site) -> list[tuple[str, str]]:
    accounts = AccountStore(site.staff_url)
    try:
        return [(e.actor, e.action) for e in accounts.audit_entries(50)]
    finally:
        accounts.close()


def test_a_fallen_back_question_goes_to_a_topic_through_a_diff(site: Site) -> None:
    editor = site.client("bian")
    inbox = editor.get("/inbox")
    assert inbox.status_code == 200
    assert QUESTION in inbox.text and "小区门口快递驿站乱收费找谁管" in inbox.text
    assert inbox.text.index("小区门口快递驿站乱收费找谁管") < inbox.text.index(QUESTION)  # the newest group first
    assert "2 次，2 个会话" in inbox.text  # the grader's conversation is not counted
    before = (site.sources / "knowledge" / "business.yml").read_text(encoding="utf-8")
    proposed = submit(editor, "/inbox/topic", [("text", QUESTION), ("topic", "business_visit_private")])
    assert proposed.status_code == 303 and proposed.headers["Location"].startswith("/edits/")
    edit = proposed.headers["Location"]
    assert (site.sources / "knowledge" / "business.yml").read_text(encoding="utf-8") == before  # not yet
    shown = editor.get(edit)
    assert shown.status_code == 200 and "sources/knowledge/business.yml" in shown.text
    assert f'<span class="added">+      - {QUESTION}</span>' in shown.text and "保存修改" in shown.text
    assert site.client("zhou").get(edit).status_code == 404  # a pending edit is its maker's only
    saved = submit(editor, f"{edit}/save", {}, page=edit)
    assert saved.status_code == 303 and saved.headers["Location"] == "/inbox?done=edit_saved"
    assert QUESTION in load(site.sources / "knowledge").topics["business_visit_private"].examples
    assert QUESTION not in editor.get("/inbox").text
    assert QUESTION in editor.get("/inbox/decided").text
    assert ("bian", "edit_save") in audit(site)
    assert editor.get(edit).status_code == 404  # saved once, gone


def test_out_of_scope_answered_right_leaves_the_inbox_until_undone(site: Site) -> None:
    editor = site.client("zhou")
    done = submit(editor, "/inbox/out-of-scope", [("text", "小区门口快递驿站乱收费找谁管")])
    assert done.status_code == 303 and "小区门口快递驿站乱收费找谁管" not in editor.get("/inbox").text
    decided = editor.get("/inbox/decided").text
    key = re.search(r'name="key" value="([^"]+)"', decided).group(1)
    assert submit(editor, "/inbox/undo", {"key": key}, page="/inbox/decided").status_code == 303
    assert "小区门口快递驿站乱收费找谁管" in editor.get("/inbox").text


def test_staff_may_not_edit_and_forms_need_the_token(site: Site) -> None:
    staff = site.client("zhang")
    assert staff.get("/inbox").status_code == 403 and staff.get("/catalogue").status_code == 403
    editor = site.client("bian")
    assert editor.get("/inbox?days=abc&reason=%3Cb%3E").status_code == 200  # odd filters: the defaults
    assert editor.post("/inbox/topic", {"text": QUESTION, "topic": "business_visit_private"}).status_code == 403
    assert editor.get("/publish").status_code == 403


def eval_question(sources: Path) -> str:
    raw = yaml.safe_load((paths.PROJECT.parent / "shared" / "eval" / "dev_questions.yml").read_text(encoding="utf-8"))
    known = {e for topic in load(sources / "knowledge").topics.values() for e in topic.examples}
    return next(q["ask"] for q in raw["questions"] if q["ask"] not in known)


def test_an_evaluation_question_cannot_be_saved(site: Site) -> None:
    editor, before = site.client("bian"), snapshot(site.sources)
    proposed = submit(editor, "/inbox/topic", [("text", eval_question(site.sources)), ("topic", "talent_plan")])
    edit = proposed.headers["Location"]
    shown = editor.get(edit)
    assert "评测题" in shown.text and "保存修改" not in shown.text
    refused = submit(editor, f"{edit}/save", {}, page=edit)
    assert refused.status_code == 409 and "评测题" in refused.text
    assert snapshot(site.sources) == before


def test_a_service_form_checks_like_the_command_line_and_saves_through_a_diff(site: Site) -> None:
    editor = site.client("bian")
    page = editor.get("/catalogue/services/SZ-TAL-01")
    assert page.status_code == 200 and "人才落户" in page.text
    fields = form_fields(page.text)
    before = snapshot(site.sources)
    bad = submit(editor, "/catalogue/services/SZ-TAL-01", [*fields_with(fields, phone="0531-abc")],
                 page="/catalogue/services/SZ-TAL-01")
    assert bad.status_code == 400 and "咨询电话：只能包含数字" in bad.text and "示例电话只能是 12345" in bad.text
    assert snapshot(site.sources) == before
    good = submit(editor, "/catalogue/services/SZ-TAL-01", [*fields_with(fields, hours="工作日 9:00—17:00")],
                  page="/catalogue/services/SZ-TAL-01")
    assert good.status_code == 303
    shown = editor.get(good.headers["Location"])
    assert "sources/catalogue/talent.yml" in shown.text and "+1 −0" in shown.text
    submit(editor, f"{good.headers['Location']}/save", {}, page=good.headers["Location"])
    service = next(s for s in load_catalogue(site.sources / "catalogue").services if s.code == "SZ-TAL-01")
    assert service.hours == "工作日 9:00—17:00"


def form_fields(html: str) -> list[tuple[str, str]]:
    """The service form's values as a browser would send them (inputs, checked boxes, text areas)."""
    found = []
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token" or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        found.append((name.group(1), _unescape(value.group(1) if value else "")))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        found.append((name, _unescape(text)))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = (re.search(r'<option value="([^"]*)" selected>', options)
                  or re.search(r'<option value="([^"]*)"', options))
        found.append((name, _unescape(chosen.group(1))))
    return found


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def fields_with(fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    return [(name, changes.get(name, value)) for name, value in fields]


def workbook(rows: list[dict]) -> bytes:
    book = Workbook()
    titles = ["事项编码", "事项名称", "服务对象", "主题分类", "实施主体", "办理渠道", "来源", "更新日期", "示例字段",
              "咨询电话"]
    book.active.append(titles)
    for row in rows:
        book.active.append([row.get(title, "") for title in titles])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROW = {"事项编码": "IMP-900", "事项名称": "夜间摊点备案", "服务对象": "个人", "主题分类": "市场监管",
            "实施主体": "市中区市场监督管理局", "办理渠道": "一窗办", "来源": "示例数据", "更新日期": "2026-11-01",
            "示例字段": "全部", "咨询电话": "12345"}


def test_an_invalid_workbook_changes_nothing_and_names_its_rows(site: Site) -> None:
    editor, before = site.client("bian"), snapshot(site.sources)
    rows = [GOOD_ROW, {**GOOD_ROW, "事项编码": "IMP-901", "事项名称": "夜市登记", "办理渠道": "窗口办"},
            {**GOOD_ROW, "事项编码": "IMP-902", "事项名称": "早市登记", "更新日期": "明年"}]
    sent = submit(editor, "/catalogue/import", {}, page="/catalogue",
                  files={"workbook": ("目录.xlsx", workbook(rows), "application/octet-stream")})
    assert sent.status_code == 400 and "没有导入任何内容" in sent.text
    problems = re.findall(r"<li>(第 \d+ 行[^<]*)</li>", sent.text)
    assert len(problems) == 2, problems
    assert problems[0].startswith("第 3 行 办理渠道：“窗口办”不是可选值")
    assert problems[1].startswith("第 4 行 更新日期：“明年”不是日期")
    assert snapshot(site.sources) == before
    wrong_kind = submit(editor, "/catalogue/import", {}, page="/catalogue",
                        files={"workbook": ("目录.xlsx", b"not a workbook", "application/octet-stream")})
    assert wrong_kind.status_code == 400 and "无法读取该 XLSX 文件" in wrong_kind.text
    assert snapshot(site.sources) == before


def test_a_good_workbook_is_previewed_then_saved_and_the_catalogue_downloads(site: Site) -> None:
    editor = site.client("bian")
    sent = submit(editor, "/catalogue/import", {}, page="/catalogue",
                  files={"workbook": ("目录.xlsx", workbook([GOOD_ROW]), "application/octet-stream")})
    assert sent.status_code == 303
    assert "sources/catalogue/imported.yml" in editor.get(sent.headers["Location"]).text
    assert not (site.sources / "catalogue" / "imported.yml").exists()
    submit(editor, f"{sent.headers['Location']}/save", {}, page=sent.headers["Location"])
    assert load_catalogue(site.sources / "catalogue").origin["IMP-900"] == "imported.yml"
    download = editor.get("/catalogue.xlsx")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == (TITLES["code"], TITLES["name"], TITLES["aliases"], TITLES["examples"])
    assert len(rows) - 1 == len(load_catalogue(site.sources / "catalogue").services)
    assert any(row[0] == "IMP-900" for row in rows)


def test_a_new_service_from_the_inbox_carries_its_questions(site: Site) -> None:
    editor = site.client("bian")
    opened = submit(editor, "/inbox/new-service", [("text", "小区门口快递驿站乱收费找谁管")])
    assert opened.status_code == 303 and opened.headers["Location"].startswith("/catalogue/new?")
    assert parse_qs(urlsplit(opened.headers["Location"]).query)["q"] == ["小区门口快递驿站乱收费找谁管"]
    page = editor.get(opened.headers["Location"])
    fields = fields_with(form_fields(page.text), code="SZ-NEW-01", name="快递网点投诉登记", topic="市场监管",
                         department="市中区市场监督管理局", phone="12345")
    fields = [f for f in fields if f[0] != "channels"] + [("channels", "一窗办")]
    saved = submit(editor, "/catalogue/new", fields, page=opened.headers["Location"])
    assert saved.status_code == 303, re.findall(r"<li>([^<]*)</li>", saved.text)
    submit(editor, f"{saved.headers['Location']}/save", {}, page=saved.headers["Location"])
    service = next(s for s in load_catalogue(site.sources / "catalogue").services if s.code == "SZ-NEW-01")
    assert service.examples == ("小区门口快递驿站乱收费找谁管",) and service.sample
    assert "小区门口快递驿站乱收费找谁管" not in editor.get("/inbox").text


def test_the_service_centre_record_is_edited_through_the_same_checks(site: Site) -> None:
    from bot.catalogue.centre import read_centre

    editor, before = site.client("bian"), snapshot(site.sources)
    page = editor.get("/catalogue/centre")
    assert page.status_code == 200 and "市中区政务服务中心" in page.text
    fields = form_fields(page.text)
    invented = submit(editor, "/catalogue/centre", fields_with(fields, address="市中区经四路100号"),
                      page="/catalogue/centre")
    assert invented.status_code == 400 and "地址：示例值只能写“以……为准”" in invented.text
    assert snapshot(site.sources) == before
    hours = "以中心窗口公布的办公时间为准（节假日另行通知）"
    good = submit(editor, "/catalogue/centre", fields_with(fields, hours=hours), page="/catalogue/centre")
    assert good.status_code == 303
    shown = editor.get(good.headers["Location"])
    assert "sources/service_centre.yml" in shown.text and "+1 −1" in shown.text
    submit(editor, f"{good.headers['Location']}/save", {}, page=good.headers["Location"])
    record = read_centre(site.sources / "service_centre.yml", site.sources / "catalogue")
    assert record.problems == [] and record.centre.hours == hours
    assert (site.sources / "service_centre.yml").read_text(encoding="utf-8").startswith("# 市中区政务服务中心")
