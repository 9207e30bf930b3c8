"""The report as one HTML page beside its chart PNGs; every text from users is escaped.

Readable whatever residents typed: a long text shows its beginning and opens to the whole with
<details> (no script), a word with no break point wraps anyway, and dates, times, states and
counts never wrap. Topics show their titles (the knowledge base's, the catalogue's names).
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from bot.report.conversations import ReportFigures
from bot.requests.store import BEIJING, RATING_LEVELS, beijing_time

# A text longer than this shows its first SHOWN characters and opens to the whole.
LONG = 80
SHOWN = 60

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 60em;
       padding: 0 1em; color: #222; line-height: 1.5; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #ddd; padding: .3em .5em; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f6fa; text-align: left; white-space: nowrap; }
td.n { text-align: right; } td.n, td.nowrap { white-space: nowrap; overflow-wrap: normal; }
details summary { cursor: pointer; } details summary .more { color: #1f5fa8; white-space: nowrap; }
details[open] summary .cut { display: none; } details .whole { white-space: pre-line; }
.text { white-space: pre-line; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; } .figure { background: #f3f6fa; padding: .6em 1em; }
.figure b { display: block; font-size: 1.6em; } img { max-width: 100%; } .note { color: #555; }
.scroll { overflow-x: auto; } table.wide { min-width: 44em; }
"""


class Html(str):
    """Markup this module built (escaped inside already): put in a cell as it is."""


def _e(value: object) -> str:
    return value if isinstance(value, Html) else html.escape(str(value))


def long_text(text: str) -> Html:
    """The text, or, when long, its beginning with the whole one a click away (<details>)."""
    if len(text) <= LONG:
        return Html(f'<span class="text">{_e(text)}</span>')
    return Html(f'<details><summary><span class="cut">{_e(text[:SHOWN])}… </span>'
                f'<span class="more">（共 {len(text)} 字，点开看全文）</span></summary>'
                f'<div class="whole">{_e(text)}</div></details>')


def _table(headings: list[str], rows: list[list[object]], numeric: frozenset[int] = frozenset(),
           nowrap: frozenset[int] = frozenset(), wide: bool = False) -> str:
    """A table; `numeric` columns align right, `numeric` and `nowrap` ones never wrap. A `wide` one
    (several text columns) keeps readable columns on a phone and scrolls sideways instead."""
    if not rows:
        return '<p class="note">暂无。</p>'

    def cell(index: int, value: object) -> str:
        kind = " class=n" if index in numeric else " class=nowrap" if index in nowrap else ""
        return f"<td{kind}>{_e(value)}</td>"

    head = "".join(f"<th>{_e(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(cell(i, value) for i, value in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table{" class=wide" if wide else ""}><tr>{head}</tr>{body}</table></div>'


def summary_lines(figures: ReportFigures) -> list[str]:
    """The short summary the command prints (the page's first section says the same)."""
    period = (f"{figures.first:%Y-%m-%d} 至 {figures.last:%Y-%m-%d}" if figures.first and figures.last else "无会话")
    share = figures.satisfied_share
    rated = (f"{len(figures.ratings)} 条，满意率（基本满意及以上）{share:.0%}" if share is not None else "0 条")
    top = "、".join(f"{name}（{count}）" for name, count in figures.top_topics[:3]) or "无"
    return [f"统计区间：{period}",
            f"会话数：{figures.conversations}（用户消息 {figures.user_messages} 条）",
            f"未能回答的提问：{figures.fell_back_turns} 次，{len(figures.fell_back)} 种说法",
            f"转人工：要求人工 {figures.asked_for_person} 次，登记回电请求 {figures.handoffs} 条"
            f"（待回电 {figures.open_requests} 条）",
            f"好差评：{rated}",
            f"问得最多：{top}"]


def figure_cards(figures: ReportFigures) -> list[tuple[str, int]]:
    """The headline counts, as the page's cards show them (the console's report page too)."""
    return [("会话", figures.conversations), ("用户消息", figures.user_messages),
            ("未能回答", figures.fell_back_turns), ("回电请求", figures.handoffs),
            ("好差评", len(figures.ratings))]


def rating_rows(figures: ReportFigures) -> list[list[object]]:
    """[level name, count, share] for each of the five levels."""
    distribution = figures.rating_distribution
    total = sum(distribution.values())
    return [[RATING_LEVELS[level], count, f"{count / total:.0%}" if total else "-"]
            for level, count in distribution.items()]


def _low_rated_rows(figures: ReportFigures) -> list[list[object]]:
    missing = Html('<span class="note">（对话记录中未找到）</span>')
    return [[f"{beijing_time(r.rating.created_at):%Y-%m-%d %H:%M}", RATING_LEVELS[r.rating.level],
             r.topic or "-", long_text(r.question) if r.question else missing,
             long_text(r.answer) if r.answer else missing, long_text(r.rating.comment or "-")]
            for r in figures.low_rated]


def render(figures: ReportFigures, charts: dict[str, Path], generated: datetime) -> str:
    requests = [[r["id"], "待回电" if r["status"] == "open" else "已办结", r["created"], long_text(r["topic"]),
                 long_text(r["description"]), r["phone"]] for r in figures.masked_requests()]
    cards = figure_cards(figures)
    sections = [
        "<h1>市中区政务服务助手 · 运行报告</h1>",
        f'<p class="note">生成于 {generated.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）。'
        "数据来自对话记录库与回电/评价库。报告中的身份证号、手机号、固定电话、银行卡号和电子邮箱按规则打码"
        "（docs/privacy.md）；姓名、住址等写在文字里的个人信息无法自动识别，请勿外传本报告。</p>",
        '<div class="figures">' + "".join(f'<div class="figure"><b>{_e(v)}</b>{_e(k)}</div>' for k, v in cards)
        + "</div>",
        "<h2>摘要</h2><ul>" + "".join(f"<li>{_e(line)}</li>" for line in summary_lines(figures)) + "</ul>",
        "<h2>每日会话数</h2>", f'<img src="{_e(charts["per_day"].name)}" alt="每日会话数">',
        _table(["日期", "会话数"], [[f"{day:%Y-%m-%d}", n] for day, n in figures.conversations_per_day.items()],
               frozenset({1}), frozenset({0})),
        "<h2>问得最多的话题</h2>", f'<img src="{_e(charts["topics"].name)}" alt="问得最多的话题">',
        _table(["话题", "回答次数"], [[name, count] for name, count in figures.top_topics], frozenset({1})),
        "<h2>未能回答的提问（建议补充答案）</h2>",
        _table(["用户原话（已打码）", "次数", "最近一次"],
               [[long_text(f.text), f.count, f"{f.last_seen:%Y-%m-%d %H:%M}"] for f in figures.fell_back],
               frozenset({1}), frozenset({2})),
        "<h2>转人工与回电请求</h2>",
        f"<p>要求人工 {figures.asked_for_person} 次；登记回电请求 {figures.handoffs} 条，"
        f"其中待回电 {figures.open_requests} 条（用 <code>python -m bot.requests list</code> 查看和办结）。</p>",
        _table(["编号", "状态", "登记时间", "事项", "描述", "电话（打码）"], requests,
               frozenset({0}), frozenset({1, 2, 5}), wide=True),
        "<h2>好差评</h2>", f'<img src="{_e(charts["ratings"].name)}" alt="好差评分布">',
        _table(["评价", "条数", "占比"], rating_rows(figures), frozenset({1, 2}), frozenset({0})),
        "<h3>差评的回答（用户的问题与助手的回答）</h3>",
        _table(["评价时间", "评价", "话题", "用户的问题", "助手的回答", "意见"], _low_rated_rows(figures),
               nowrap=frozenset({0, 1}), wide=True),
    ]
    return ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>市中区政务服务助手 · 运行报告</title>"
            f"<style>{STYLE}</style></head><body>" + "\n".join(sections) + "</body></html>\n")
