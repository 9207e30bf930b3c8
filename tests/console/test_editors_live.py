"""The editors' loop end to end, on a running assistant (issue 21's "done when"):

1. in Debian's chromium an editor finds a question the assistant handed on to 12345 in the inbox
   and adds it to a knowledge topic; an admin publishes (fine-tuning, grading, the keeper's
   hand-over) while residents keep asking through REST; the assistant then answers the question,
   and no request failed;
2. a catalogue-only change (a service's place) is live without training;
3. the cluster (two instances behind nginx, PostgreSQL, Redis) is switched between two releases one
   instance at a time under a REST load through nginx: no request fails.
Everything runs on copies: the sources, the release folder, the databases. Slow (a fine-tuning:
10–15 minutes on a loaded machine). Screenshots go to test-output/console/; with
CONSOLE_DOC_SCREENSHOTS=1 they replace the ones docs/editors.md shows.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bot import paths
from bot.model import model_path
from bot.publish import job as jobs
from bot.publish.build import adopt
from bot.publish.instances import RunningInstances
from bot.publish.releases import Release, Releases
from bot.publish.switch import api_token, model_id_at, switch
from tests.console.conftest import PASSWORDS, Client, Console, make_accounts, signed_in, start_console
from tests.console.test_console_browser import screenshot, unlabelled_fields
from tests.console.test_editor_pages import fields_with, form_fields, submit
from tests.fakes.load import Load
from tools.publish_stacks import ClusterStack, SingleStack

pytestmark = [pytest.mark.server, pytest.mark.browser]
# Questions about 遍访民企 in words of no training example. The test takes the first one the live
# model does not answer (hands on to 12345 or asks back: either message is one an editor finds in the
# inbox): which of them a model misses moves with each retraining of the data (session 17's model
# handed on the second; session 18's, dc2095c3, answers the first five and hands on the last two),
# and the router's topic index finds 遍访民企 for most wordings. None missed fails the test (`question`).
CANDIDATES = ("小老板的烦心事有没有人上门听一听", "小微企业主的心里话说给谁听",
              "做买卖的私营老板遇到坎儿，有没有领导来家访", "私人小作坊主心里憋屈，公家来不来人瞅瞅",
              "搞民营的小老板遇上难题，谁来家里坐坐", "做生意的小老板憋了一肚子话，当官的肯来坐坐听听吗",
              "老板们的糟心事谁来家里听",
              # session 26: the model and router of 2a03937 answered or offered something for all of the above
              "摆摊的跟开店的有啥憋屈谁来听", "干实业的苦处有没有人来瞧瞧")
TOPIC, TOPIC_TITLE = "business_visit_private", "遍访民企"
HANDED_ON = "不在我的服务范围"
NOT_ANSWERED = (HANDED_ON, "我不太确定您想问什么")


def not_answered(reply: str) -> bool:
    """The question handed on or asked back, and not answered with its topic."""
    return TOPIC_TITLE not in reply and any(text in reply for text in NOT_ANSWERED)
NEW_PLACE = "市中区政务服务中心二楼人才服务专区"
PUBLISH_TIMEOUT = 3600
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def question(live: Live) -> str:
    """The first candidate the adopted model does not answer (asked before anything is published)."""
    for candidate in CANDIDATES:
        if not_answered(ask(live.stack.url, candidate)):
            return candidate
    pytest.fail(f"the model answers every candidate with {TOPIC_TITLE}: add a wording it misses")


def ask(url: str, message: str, sender: str | None = None) -> str:
    body = json.dumps({"sender": sender or f"resident-{uuid.uuid4().hex[:8]}", "message": message}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json", "Connection": "close"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return "\n".join(message.get("text") or "" for message in json.loads(response.read()))


QUESTIONS = ("经纬人才计划讲的是啥", "人才公寓如何申请", "临时救助在哪申请", "你好")


def rest_load(url: str, clients: int = 2, pause: float = 0.3) -> Load:
    """Residents asking through REST all the time, each request a new conversation on a new
    connection (under the per-conversation rate limit); every failure counts."""
    return Load(lambda turn: ask(url, QUESTIONS[turn % len(QUESTIONS)]), clients, pause)


@dataclass
class Live:
    folder: Path
    sources: Path
    releases: Releases
    stack: SingleStack
    console: Console
    staff_url: str
    instances_file: Path
    made: dict[str, str] = field(default_factory=dict)  # what the tests published, by name

    def client(self, name: str, role: str) -> Client:
        return signed_in(self.console, name, role)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("editors-live")
    sources = folder / "sources"
    shutil.copytree(paths.SOURCES, sources)
    releases = Releases(folder / "releases")
    releases.go_live(adopt(releases, sources, model_path()))
    staff_url = f"sqlite:///{folder / 'staff.db'}"
    make_accounts(staff_url, ("bian", "editor"), ("wang", "admin"))
    instances_file = folder / "instances.json"
    stack = SingleStack(releases, folder / "single", instances_file, staff_url=staff_url)
    stack.start()
    console = None
    try:
        console = start_console(staff_url, f"sqlite:///{stack.servers.tracker_db}", "console-editors-live",
                                EDITOR_SOURCES=str(sources), PUBLISH_RELEASES=str(releases.folder),
                                PUBLISH_INSTANCES_FILE=str(instances_file))
        yield Live(folder, sources, releases, stack, console, staff_url, instances_file)
    finally:
        if console is not None:
            console.stop()
        stack.stop()


def wait_for_job(releases: Releases, job_id: str, timeout: float = PUBLISH_TIMEOUT) -> jobs.Job:
    deadline = time.monotonic() + timeout
    while True:
        job = jobs.Jobs(releases).load(job_id)
        if job is not None and job.finished:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still running after {timeout} s"
        time.sleep(3)


def test_an_editor_places_a_question_and_the_published_assistant_answers_it(chromium, live: Live,
                                                                           question: str) -> None:
    url = live.stack.url  # the resident's question (`question`) was handed on or asked back
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(f"{live.console.url}/inbox")
        page.get_by_label("用户名").fill("bian")
        page.get_by_label("密码").fill(PASSWORDS["editor"])
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/inbox$"))
        assert unlabelled_fields(page) == []
        group = page.locator("section.group", has=page.get_by_role("heading", name=question))
        expect(group).to_be_visible()
        expect(group.get_by_text(re.compile("^(转12345|未能理解)$"))).to_be_visible()  # why it is here
        screenshot(page, "editors-inbox.png")
        group.get_by_label("加入知识库话题").select_option(TOPIC)
        group.get_by_role("button", name="加入话题").click()
        expect(page.get_by_role("heading", name="确认修改")).to_be_visible()
        expect(page.locator("pre.diff .added", has_text=f"- {question}")).to_be_visible()
        screenshot(page, "editors-diff.png")
        page.get_by_role("button", name="保存修改").click()
        expect(page.locator("p.notice")).to_contain_text("已保存到数据文件")
        expect(page.get_by_role("heading", name=question)).to_have_count(0)
        page.get_by_role("button", name="退出登录").click()

        page.goto(f"{live.console.url}/publish")
        page.get_by_label("用户名").fill("wang")
        page.get_by_label("密码").fill(PASSWORDS["admin"])
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_text("增量训练（--finetune）")).to_be_visible()
        screenshot(page, "editors-publish.png")
        with rest_load(url) as load:
            page.get_by_role("button", name="发布", exact=True).click()
            expect(page).to_have_url(re.compile(r"/publish/jobs/"))
            job_id = page.url.rsplit("/", 1)[1]
            deadline = time.monotonic() + PUBLISH_TIMEOUT
            shot = False
            while not (job := jobs.Jobs(live.releases).load(job_id)) or not job.finished:
                assert time.monotonic() < deadline
                if not shot and job and any(s.key == "train" and s.state == "running" and s.progress
                                            for s in job.steps):
                    page.reload()
                    screenshot(page, "editors-job.png")
                    shot = True
                time.sleep(3)
        page.reload()
        expect(page.locator("main p[role=status]").first).to_contain_text("已完成")
        screenshot(page, "editors-job-done.png")
    finally:
        context.close()
    assert job.state == jobs.SUCCEEDED, (job.error, job.log[-10:])
    assert job.plan_kind == "finetune" and job.seconds
    assert load.errors == [], load.errors[:5]
    assert load.ok > 50
    answer = ask(url, question)
    assert TOPIC_TITLE in answer and not any(text in answer for text in NOT_ANSWERED), answer
    release = live.releases.live
    assert release.id == job.release and model_id_at(url, api_token()) == release.manifest.model_id
    live.made["finetuned"] = release.id


def test_a_catalogue_only_change_is_live_without_training_and_rolls_back(live: Live) -> None:
    url = live.stack.url
    before = live.releases.live
    assert NEW_PLACE not in ask(url, "人才落户在哪办")
    editor = live.client("bian", "editor")
    fields = form_fields(editor.get("/catalogue/services/SZ-TAL-01").text)
    proposed = submit(editor, "/catalogue/services/SZ-TAL-01", fields_with(fields, place=NEW_PLACE),
                      page="/catalogue/services/SZ-TAL-01")
    assert proposed.status_code == 303
    submit(editor, f"{proposed.headers['Location']}/save", {}, page=proposed.headers["Location"])
    admin = live.client("wang", "admin")
    assert "仅服务目录（不训练）" in admin.get("/publish").text
    started = submit(admin, "/publish/start", {}, page="/publish")
    job = wait_for_job(live.releases, started.headers["Location"].rsplit("/", 1)[1], timeout=1800)
    assert job.state == jobs.SUCCEEDED, (job.error, job.log[-10:])
    assert job.plan_kind == "catalogue" and next(s for s in job.steps if s.key == "train").state == "skipped"
    after = live.releases.live
    assert after.id != before.id and after.manifest.model_id == before.manifest.model_id
    assert model_id_at(url, api_token()) == before.manifest.model_id  # the same model kept serving
    assert NEW_PLACE in ask(url, "人才落户在哪办")
    # One click back: the release before is live again, and so is the place it gave.
    assert f"回滚到上一版本 {before.id}" in admin.get("/publish").text
    rolled = submit(admin, "/publish/rollback", {}, page="/publish")
    job = wait_for_job(live.releases, rolled.headers["Location"].rsplit("/", 1)[1], timeout=600)
    assert job.state == jobs.SUCCEEDED and live.releases.live.id == before.id, (job.error, job.log[-5:])
    assert NEW_PLACE not in ask(url, "人才落户在哪办")
    assert live.releases.previous.id == after.id


def two_models(live: Live, question: str) -> tuple[Release, Release]:
    """The adopted release and one with another model (the first test's; else made here)."""
    releases = live.releases.all()
    adopted = releases[-1]
    other = next((r for r in releases if r.manifest.model_id != adopted.manifest.model_id), None)
    if other is None:
        from bot.editing import changes
        from bot.editing.tree import SourceTree

        tree = SourceTree(live.sources)
        change = changes.topic_examples(tree, TOPIC, [question])
        tree.save(change, tree.base(list(change.files)))
        job = jobs.publish(live.releases, live.sources, "test", running=RunningInstances.load(live.instances_file))
        assert job.state == jobs.SUCCEEDED, job.error
        other = live.releases.live
    return adopted, other


@pytest.mark.postgres
@pytest.mark.redis
def test_the_cluster_swaps_one_instance_at_a_time_and_fails_no_request(live: Live, question: str) -> None:
    adopted, newer = two_models(live, question)
    live.stack.stop()  # the cluster takes its place (and the machine's two cores)
    cluster = ClusterStack(live.releases, live.folder / "cluster", live.instances_file, staff_url=live.staff_url)
    cluster.start()
    try:
        running = RunningInstances.load(live.instances_file)
        token = api_token()
        assert {model_id_at(u, token) for u in running.instance_urls} == {live.releases.live.manifest.model_id}
        steps: list[str] = []
        with rest_load(cluster.url, clients=3, pause=0.1) as load:
            switch(live.releases, adopted, running, say=steps.append)
            assert {model_id_at(u, token) for u in running.instance_urls} == {adopted.manifest.model_id}
            back = ask(cluster.url, question)
            assert not_answered(back), back
            switch(live.releases, newer, running, say=steps.append)
        assert {model_id_at(u, token) for u in running.instance_urls} == {newer.manifest.model_id}
        assert sum("PUT /model" in s for s in steps) == 4, steps
        assert load.errors == [], load.errors[:5]
        assert load.ok > 50
        assert TOPIC_TITLE in ask(cluster.url, question)
    finally:
        cluster.stop()
