"""A publish (or rollback) as a background job whose progress the console shows.

One job at a time (an exclusive lock on build/releases/.publish.lock, held by the job's process).
The job writes its state to build/releases/jobs/<id>.json after every step and every few lines of
training output; the console's publish page reads it. Steps:

    validate → plan → build (+ train) → grade (a drop blocks) → switch → done

Nothing becomes live before the switch: a job that fails or is blocked leaves the running
assistant and the `live` link as they were (the candidate's folder is kept for inspection until
the next publish prunes it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.publish import build, grade
from bot.publish.instances import RunningInstances
from bot.publish.plan import Inputs, plan
from bot.publish.releases import Release, Releases, new_id, now_text, write_json
from bot.publish.switch import switch

STEP_NAMES = {"validate": "校验数据", "plan": "确定发布方式", "build": "构建候选版本", "train": "训练模型",
              "grade": "评测候选版本", "switch": "切换线上实例", "rollback": "回滚"}
RUNNING, SUCCEEDED, FAILED, BLOCKED, NOTHING = "running", "succeeded", "failed", "blocked", "nothing"
STATE_NAMES = {RUNNING: "进行中", SUCCEEDED: "已完成", FAILED: "失败", BLOCKED: "评测下降，已阻止发布",
               NOTHING: "没有需要发布的改动"}
LOG_LINES = 40


@dataclass
class Step:
    key: str
    state: str = "waiting"  # waiting, running, done, skipped, failed
    detail: str = ""
    progress: float | None = None
    started: float | None = None
    ended: float | None = None

    @property
    def name(self) -> str:
        return STEP_NAMES.get(self.key, self.key)


@dataclass
class Job:
    id: str
    kind: str  # publish | rollback
    actor: str
    started: str
    state: str = RUNNING
    steps: list[Step] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    plan_kind: str | None = None
    plan_reasons: list[str] = field(default_factory=list)
    release: str | None = None
    error: str = ""
    seconds: float | None = None  # from the start to "answering with the new release"

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state)

    @property
    def finished(self) -> bool:
        return self.state != RUNNING


class JobBusy(RuntimeError):
    """Another publish or rollback is running."""


class Jobs:
    """The jobs' state files beside the releases."""

    def __init__(self, releases: Releases) -> None:
        self.folder = releases.folder / "jobs"
        self.lock_file = releases.folder / ".publish.lock"

    def path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def save(self, job: Job) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json(self.path(job.id), asdict(job))

    def load(self, job_id: str) -> Job | None:
        path = self.path(job_id)
        if not job_id.replace("-", "").isalnum() or not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        data["steps"] = [Step(**step) for step in data.get("steps", [])]
        return Job(**data)

    def recent(self, count: int = 10) -> list[Job]:
        found = sorted(self.folder.glob("*.json"), reverse=True)[:count] if self.folder.is_dir() else []
        return [job for job in (self.load(path.stem) for path in found) if job]

    def busy(self) -> bool:
        """Whether a job holds the lock right now."""
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise JobBusy("另一个发布或回滚正在进行") from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def new_job_id() -> str:
    return f"{new_id()}-{os.getpid() % 10000:04d}"


class Runner:
    """Runs one job, saving its state as it goes."""

    def __init__(self, jobs: Jobs, job: Job) -> None:
        self.jobs = jobs
        self.job = job
        self._saved = 0.0
        self.started = time.monotonic()

    def step(self, key: str) -> Step:
        found = next((s for s in self.job.steps if s.key == key), None)
        if found is None:
            found = Step(key)
            self.job.steps.append(found)
        return found

    def begin(self, key: str, detail: str = "") -> None:
        step = self.step(key)
        step.state, step.detail, step.started = "running", detail, time.time()
        self.say(f"【{step.name}】{detail}".rstrip())

    def end(self, key: str, detail: str = "", state: str = "done") -> None:
        step = self.step(key)
        step.state, step.ended = state, time.time()
        if detail:
            step.detail = detail
        if state == "done":
            step.progress = 1.0
        self.save(force=True)

    def say(self, line: str, force: bool = True) -> None:
        self.job.log = (self.job.log + [line])[-LOG_LINES:]
        self.save(force)

    def progress(self, key: str, line: str, share: float | None) -> None:
        step = self.step(key)
        if step.state != "running":
            for other in self.job.steps:
                if other.state == "running":
                    other.state, other.ended, other.progress = "done", time.time(), 1.0
            self.begin(key)
        if share is not None:
            step.progress = share
        step.detail = line[-160:]
        self.say(line[-300:], force=False)

    def save(self, force: bool = True) -> None:
        if force or time.monotonic() - self._saved > 1.0:
            self.jobs.save(self.job)
            self._saved = time.monotonic()

    def finish(self, state: str, error: str = "") -> Job:
        self.job.state, self.job.error = state, error
        for step in self.job.steps:
            if step.state == "running":
                step.state = "failed" if state == FAILED else "done"
            elif step.state == "waiting":
                step.state = "skipped"
        self.save()
        return self.job


def _audit(actor: str, action: str, target: str, detail: str) -> None:
    """The console's audit log, when the job runs for a console user (STAFF_DATABASE_URL)."""
    try:
        from bot.requests.store import default_url
        from bot.staff.accounts import AccountStore

        store = AccountStore(default_url())
        try:
            store.record(actor, action, target, detail)
        finally:
            store.close()
    except Exception:  # the audit log is the console's; a publish from the command line has none
        pass


def publish(releases: Releases, sources: Path, actor: str, job_id: str | None = None, full: bool = False,
            running: RunningInstances | None = None, grade_folder: Path = grade.EVAL_FOLDER) -> Job:
    jobs = Jobs(releases)
    job = Job(job_id or new_job_id(), "publish", actor, now_text(),
              steps=[Step(k) for k in ("validate", "plan", "build", "train", "grade", "switch")])
    runner = Runner(jobs, job)
    runner.save()
    try:
        with jobs.exclusive():
            return _publish(runner, releases, sources, actor, full, running, grade_folder)
    except Exception as error:  # the job's file must say why, whatever failed
        runner.say(traceback.format_exc()[-1500:])
        _audit(actor, "publish_failed", job.id, str(error)[:500])
        return runner.finish(FAILED, str(error))


def _publish(runner: Runner, releases: Releases, sources: Path, actor: str, full: bool,
             running: RunningInstances | None, grade_folder: Path) -> Job:
    from bot.editing.tree import validate

    job = runner.job
    runner.begin("validate", "运行与命令行相同的校验（知识库、服务目录）")
    problems = validate(sources)
    if problems:
        runner.end("validate", "；".join(problems[:5]), "failed")
        return runner.finish(FAILED, "数据校验未通过：" + "；".join(problems[:5]))
    runner.end("validate", "全部通过")

    runner.begin("plan")
    if releases.live is None:
        runner.say("还没有线上版本：先接管当前模型（make setup 训练的模型）作为第一个版本")
        from bot.model import model_path

        adopted = build.adopt(releases, sources, model_path())
        releases.go_live(adopted)
    live = releases.live
    inputs = Inputs.of(sources)
    chosen = plan(live.manifest if live else None, inputs, full=full)
    job.plan_kind, job.plan_reasons = chosen.kind, chosen.reasons + chosen.notes
    runner.end("plan", "；".join(chosen.reasons))
    if chosen.kind is None:
        return runner.finish(NOTHING)

    log = releases.folder / "jobs" / f"{job.id}.log"
    runner.begin("build")
    candidate = build.candidate(releases, sources, chosen, inputs, log, runner.progress)
    job.release = candidate.id
    runner.end("build", f"候选版本 {candidate.id}（{candidate.manifest.kind_name}）")
    if not chosen.trains:
        runner.end("train", "只改了服务目录，沿用线上模型", "skipped")

    runner.begin("grade", "评测线上版本与候选版本（开发集问题与多轮对话）")
    blocked = _grade(runner, candidate, live, running, grade_folder, releases.folder / "jobs" / job.id)
    if blocked:
        _audit(actor, "publish_blocked", candidate.id, "；".join(blocked)[:500])
        return runner.finish(BLOCKED, "；".join(blocked))

    runner.begin("switch")
    switch(releases, candidate, running, say=runner.say)
    candidate.manifest.published_at, candidate.manifest.published_by = now_text(), actor
    candidate.save_manifest()
    job.seconds = round(time.monotonic() - runner.started, 1)
    runner.end("switch", f"已上线，用时 {job.seconds:.0f} 秒")
    removed = releases.prune()
    if removed:
        runner.say(f"清理旧版本：{'、'.join(removed)}")
    _audit(actor, "publish_done", candidate.id, f"{candidate.manifest.kind_name}，{job.seconds:.0f} 秒")
    return runner.finish(SUCCEEDED)


def _grade(runner: Runner, candidate: Release, live: Release | None, running: RunningInstances | None,
           grade_folder: Path, log_dir: Path) -> list[str]:
    """Grade both; the reasons to block (a drop), [] to go on."""
    if live is not None and not live.manifest.grade:
        if running is not None:
            runner.say(f"线上版本没有评测记录：评测正在运行的助手（{running.public_url}）")
            live.manifest.grade = grade.grade_url(running.public_url, grade_folder)
        else:
            runner.say("线上版本没有评测记录，也没有正在运行的实例：单独启动线上版本评测")
            live.manifest.grade = grade.grade_release(live, log_dir / "live", runner.say, grade_folder)
        live.save_manifest()
    candidate.manifest.grade = grade.grade_release(candidate, log_dir / "candidate", runner.say, grade_folder)
    candidate.save_manifest()
    shown = "；".join(f"{name} {g['passed']}/{g['total']}" for name, g in candidate.manifest.grade.items())
    blocked = grade.drops(candidate.manifest.grade, live.manifest.grade if live else {})
    runner.end("grade", f"候选版本：{shown}" + (f"；下降：{'；'.join(blocked)}" if blocked else "；没有下降"),
               "failed" if blocked else "done")
    return blocked


def rollback(releases: Releases, actor: str, job_id: str | None = None,
             running: RunningInstances | None = None) -> Job:
    jobs = Jobs(releases)
    job = Job(job_id or new_job_id(), "rollback", actor, now_text(), steps=[Step("rollback")])
    runner = Runner(jobs, job)
    runner.save()
    try:
        with jobs.exclusive():
            target = releases.previous
            if target is None:
                return runner.finish(FAILED, "没有可回滚的上一版本")
            job.release = target.id
            runner.begin("rollback", f"回滚到 {target.id}（{target.manifest.kind_name}）")
            switch(releases, target, running, say=runner.say)
            job.seconds = round(time.monotonic() - runner.started, 1)
            runner.end("rollback", f"已回滚到 {target.id}，用时 {job.seconds:.0f} 秒")
            _audit(actor, "publish_rollback", target.id, "")
            return runner.finish(SUCCEEDED)
    except Exception as error:
        runner.say(traceback.format_exc()[-1500:])
        return runner.finish(FAILED, str(error))
