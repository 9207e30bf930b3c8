"""The report page: the same figures as `make report`, for the days staff choose."""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.request import Request

from bot.console import render, report
from bot.console.access import requires
from bot.console.forms import BadFilter, day_range
from bot.report import page as report_page
from bot.staff.roles import STAFF

blueprint = Blueprint("report")


@blueprint.get("/report")
@requires(STAFF)
async def report_view(request: Request):
    app = request.app
    context = {"title": "运行报告", "section": "report", "since": request.args.get("since") or "",
               "until": request.args.get("until") or ""}
    try:
        since, until = day_range(request.args.get("since"), request.args.get("until"))
    except BadFilter as error:
        return render.page(request, "report.html", status=400, error=str(error), figures=None, **context)
    async with app.ctx.report_lock:
        figures, charts = await asyncio.to_thread(report.build, app.ctx.settings.tracker_url, app.ctx.staff,
                                                  since, until)
    return render.page(request, "report.html", figures=figures, charts=charts,
                       summary=report_page.summary_lines(figures), cards=report_page.figure_cards(figures),
                       rating_rows=report_page.rating_rows(figures), long=report_page.LONG,
                       shown=report_page.SHOWN, **context)
