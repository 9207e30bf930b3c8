"""Publishing (admins): what a publish would do, the job's progress, the releases, rollback.

The job runs as a process of its own (`python -m bot.publish publish`, bot/publish/job.py), so a
training of several minutes neither blocks the console nor dies with one of its workers; the page
reads the job's state file and refreshes itself while the job runs.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request

from bot import paths
from bot.console import render
from bot.console.access import requires
from bot.model import quiet_env
from bot.publish.job import Jobs, new_job_id
from bot.publish.releases import KIND_NAMES
from bot.staff.roles import ADMIN

blueprint = Blueprint("publish")


def _plan(app):
    from bot.publish.plan import Inputs, plan

    live = app.ctx.releases.live
    try:
        return plan(live.manifest if live else None, Inputs.of(app.ctx.tree.root)), ""
    except Exception as error:  # invalid sources: the job would refuse them too
        return None, f"数据源目前无法校验通过：{str(error)[:300]}"


def _overview(app):
    releases = app.ctx.releases
    jobs = Jobs(releases)
    chosen, problem = _plan(app)
    return {"live": releases.live, "previous": releases.previous, "plan": chosen, "plan_problem": problem,
            "jobs": jobs.recent(8), "busy": jobs.busy(), "releases": releases.all()[:8]}


@blueprint.get("/publish")
@requires(ADMIN)
async def overview(request: Request):
    data = await asyncio.to_thread(_overview, request.app)
    running = next((job for job in data["jobs"] if not job.finished), None) if data["busy"] else None
    return render.page(request, "publish.html", title="发布", section="publish", kinds=KIND_NAMES,
                       refresh=bool(running), running=running, **data)


@blueprint.get("/publish/jobs/<job_id:str>")
@requires(ADMIN)
async def job_page(request: Request, job_id: str):
    job = await asyncio.to_thread(Jobs(request.app.ctx.releases).load, job_id[:40])
    if job is None:
        raise NotFound(f"job {job_id}")
    return render.page(request, "job.html", title="发布进度", section="publish", job=job, kinds=KIND_NAMES,
                       refresh=not job.finished)


def _start(app, command: str, actor: str, extra: list[str]) -> str:
    """Start the job as a process of its own; its id."""
    settings, job_id = app.ctx.settings, new_job_id()
    folder = settings.releases / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    env = quiet_env() | {"PYTHONPATH": str(paths.PROJECT), "STAFF_DATABASE_URL": settings.staff_url}
    if settings.instances_file:
        env["PUBLISH_INSTANCES_FILE"] = str(settings.instances_file)
    with (folder / f"{job_id}.out").open("ab") as out:
        subprocess.Popen([sys.executable, "-m", "bot.publish", "--releases", str(settings.releases),
                          "--sources", str(settings.sources), command, "--actor", actor, "--job", job_id, *extra],
                         cwd=paths.PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True, close_fds=True, umask=0o077)
    return job_id


async def _launch(request: Request, command: str, extra: list[str]):
    app, user = request.app, request.ctx.session.user
    if await asyncio.to_thread(Jobs(app.ctx.releases).busy):
        return render.page(request, "refused.html", status=409, title="正在发布", section="publish",
                           problems=["另一个发布或回滚正在进行，请等它完成。"], back="/publish")
    job_id = await asyncio.to_thread(_start, app, command, user.name, extra)
    await asyncio.to_thread(app.ctx.accounts.record, user.name, f"{command}_start", job_id, " ".join(extra))
    return response.redirect(f"/publish/jobs/{job_id}", status=303)


@blueprint.post("/publish/start")
@requires(ADMIN)
async def start(request: Request):
    return await _launch(request, "publish", ["--full"] if request.form.get("full") == "1" else [])


@blueprint.post("/publish/rollback")
@requires(ADMIN)
async def rollback(request: Request):
    return await _launch(request, "rollback", [])
