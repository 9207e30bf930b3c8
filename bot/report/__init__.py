"""The staff's analytics report (`python -m bot.report`, `make report`).

`conversations` reads what the tracker store kept (SQLite or PostgreSQL, personal numbers already
masked by bot/privacy) and the staff database (callback requests, ratings) into `ReportFigures`;
`charts` draws them with matplotlib; `page` writes the HTML. The figures are computed once and
shown in the summary, the charts and the page alike.
"""
