"""The service catalogue for editors: one service's form, a new service, an XLSX in and out.

Every form goes through the catalogue's own parser and the command line's validator on a scratch
copy (bot/editing), and becomes a pending change shown as a diff before it is saved. An uploaded
workbook is run through bot.catalogue.importer on a scratch copy: any bad row, and nothing is
saved; the page lists every row that is wrong, in Chinese.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from urllib.parse import quote

from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request

from bot.catalogue.importer import MAX_BYTES
from bot.catalogue.schema import AUDIENCES, CHANNELS, FACT_FIELDS
from bot.console import render
from bot.console.access import requires
from bot.console.pages.edits import pending_redirect
from bot.console.service_form import HINTS, CentreForm, ServiceForm, field_name
from bot.editing import changes
from bot.editing.store import NEW_SERVICE
from bot.editing.tree import CENTRE, ChangeRefused
from bot.staff.roles import EDITOR

blueprint = Blueprint("catalogue")
UPLOAD_SUFFIXES = (".xlsx", ".csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _catalogue(tree):
    from bot.catalogue.files import load_catalogue

    return load_catalogue(tree.catalogue_dir, tree.article)


@blueprint.get("/catalogue")
@requires(EDITOR)
async def listing(request: Request):
    catalogue = await asyncio.to_thread(_catalogue, request.app.ctx.tree)
    return render.page(request, "catalogue.html", title="服务目录", section="catalogue", catalogue=catalogue,
                       problems=[str(p) for p in catalogue.problems])


@blueprint.get("/catalogue.xlsx")
@requires(EDITOR)
async def download(request: Request):
    app, user = request.app, request.ctx.session.user
    try:
        data = await asyncio.to_thread(changes.export_catalogue, app.ctx.tree)
    except ChangeRefused as error:
        return render.page(request, "refused.html", status=409, title="无法导出", section="catalogue",
                           problems=error.problems, back="/catalogue")
    await asyncio.to_thread(app.ctx.accounts.record, user.name, "catalogue_export", "catalogue.xlsx")
    disposition = f"attachment; filename=catalogue.xlsx; filename*=UTF-8''{quote('政务服务事项目录.xlsx')}"
    return response.raw(data, content_type=XLSX_TYPE, headers={"Content-Disposition": disposition})


def _form_page(request: Request, form: ServiceForm, code: str | None, status: int = 200, problems=(),
               files: list[str] | None = None, chosen_file: str = "", questions: list[str] | None = None):
    return render.page(request, "service.html", status=status, title=f"编辑事项 {code}" if code else "新增服务事项",
                       section="catalogue", form=form, code=code, problems=list(problems), audiences=AUDIENCES,
                       channels=CHANNELS, fact_fields=FACT_FIELDS, field_name=field_name, hints=HINTS,
                       files=files or [], chosen_file=chosen_file, questions=questions or [])




@blueprint.get("/catalogue/services/<code:str>")
@requires(EDITOR)
async def edit_form(request: Request, code: str):
    catalogue = await asyncio.to_thread(_catalogue, request.app.ctx.tree)
    service = next((s for s in catalogue.services if s.code == code), None)
    if service is None:
        raise NotFound(f"service {code}")
    return _form_page(request, ServiceForm.of(service), code)


@blueprint.post("/catalogue/services/<code:str>")
@requires(EDITOR)
async def edit_save(request: Request, code: str):
    form = ServiceForm.from_request(request.form)
    try:
        change = await asyncio.to_thread(lambda: changes.service_update(request.app.ctx.tree, code, form.raw()))
    except ChangeRefused as error:
        return _form_page(request, form, code, 400, error.problems)
    return await pending_redirect(request, change)


def _files(tree) -> list[str]:
    from bot.catalogue.files import IMPORTED_FILE

    return sorted(p.name for p in tree.catalogue_dir.glob("*.yml") if p.name != IMPORTED_FILE) + ["editors.yml"]


@blueprint.get("/catalogue/new")
@requires(EDITOR)
async def new_form(request: Request):
    questions = [q.strip() for q in request.args.getlist("q") or [] if q.strip()][:changes.MAX_QUESTIONS]
    form = ServiceForm.empty(examples="\n".join(questions))
    files = sorted(set(_files(request.app.ctx.tree)))
    return _form_page(request, form, None, files=files, chosen_file="editors.yml", questions=questions)


@blueprint.post("/catalogue/new")
@requires(EDITOR)
async def new_save(request: Request):
    form = ServiceForm.from_request(request.form)
    file_name = (request.form.get("file") or "").strip()
    questions = [q for q in request.form.getlist("question") or [] if q.strip()]
    files = sorted(set(_files(request.app.ctx.tree)))
    try:
        change = await asyncio.to_thread(lambda: changes.service_new(request.app.ctx.tree, file_name, form.raw()))
    except ChangeRefused as error:
        return _form_page(request, form, None, 400, error.problems, files, file_name, questions)
    decision = {"kind": NEW_SERVICE, "target": form.values.get("code", ""), "texts": questions} if questions else None
    return await pending_redirect(request, change, decision)


@blueprint.post("/catalogue/import")
@requires(EDITOR)
async def upload(request: Request):
    app = request.app
    sent = request.files.get("workbook")
    if sent is None or not sent.body:
        return render.page(request, "import.html", status=400, title="导入服务目录", section="catalogue",
                           problems=["请选择要上传的 .xlsx 文件。"], counts={}, name="")
    name = Path(sent.name or "upload.xlsx").name
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        return render.page(request, "import.html", status=400, title="导入服务目录", section="catalogue",
                           problems=["请上传 .xlsx（或 .csv）文件。"], counts={}, name=name)
    if len(sent.body) > MAX_BYTES:
        return render.page(request, "import.html", status=413, title="导入服务目录", section="catalogue",
                           problems=[f"文件超过 {MAX_BYTES // 1024 // 1024} MB。"], counts={}, name=name)
    with tempfile.TemporaryDirectory(prefix="shizhong-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(sent.body)
        try:
            change, problems, counts = await asyncio.to_thread(changes.catalogue_import, app.ctx.tree, path)
        except ChangeRefused as error:
            change, problems, counts = None, error.problems, {}
    await asyncio.to_thread(app.ctx.accounts.record, request.ctx.session.user.name, "catalogue_import", name[:255],
                            f"{counts.get('rows', 0)} 行，{len(problems)} 处错误")
    if change is None:
        return render.page(request, "import.html", status=400, title="导入服务目录", section="catalogue",
                           problems=problems, counts=counts, name=name)
    return await pending_redirect(request, change)


async def _centre_page(request: Request, form: CentreForm | None, status: int = 200, problems=()):
    from bot.catalogue.centre import FACT_FIELDS as CENTRE_FACTS

    catalogue = await asyncio.to_thread(_catalogue, request.app.ctx.tree)
    handled = list(form.handles) if form else []  # in the record's order, so that saving keeps it
    topics = handled + sorted({service.topic for service in catalogue.services} - set(handled))
    return render.page(request, "centre.html", status=status, title="服务中心记录", section="catalogue", form=form,
                       problems=list(problems), topics=topics, fact_fields=CENTRE_FACTS, field_name=field_name)


@blueprint.get("/catalogue/centre")
@requires(EDITOR)
async def centre_form(request: Request):
    from bot.catalogue.centre import read_centre

    tree = request.app.ctx.tree
    if not (tree.root / CENTRE).is_file():
        raise NotFound("service centre record")
    record = await asyncio.to_thread(read_centre, tree.root / CENTRE, tree.catalogue_dir, tree.article)
    if record.centre is None:
        return await _centre_page(request, None, 409, [str(p) for p in record.problems])
    return await _centre_page(request, CentreForm.of(record.centre))


@blueprint.post("/catalogue/centre")
@requires(EDITOR)
async def centre_save(request: Request):
    form = CentreForm.from_request(request.form)
    try:
        change = await asyncio.to_thread(changes.centre_update, request.app.ctx.tree, form.raw())
    except ChangeRefused as error:
        return await _centre_page(request, form, 400, error.problems)
    return await pending_redirect(request, change)
