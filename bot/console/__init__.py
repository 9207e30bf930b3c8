"""The staff console: a web app with accounts and roles for callbacks, conversation review and the report.

`python -m bot.console` serves it (127.0.0.1:8090 by default, CONSOLE_PORT); `app.create_app()` is
the Sanic app. Accounts are made with `python -m bot.staff users add …` (bot/staff). Pages are
rendered on the server (Jinja2, bot/console/templates) in Chinese; there is no script in them.

- `access`: every route's required role; `sessions`: signed cookies and CSRF tokens (itsdangerous);
  `secrets`: the signing secret; `settings`: the environment read once;
- `callbacks`: the queue's states and office-hours due times; `conversations`: the tracker store
  read for review; `report`: `make report`'s figures and charts for a date range;
- `pages/`: one blueprint per page group; `render`: the templates.
See docs/staff.md.
"""
