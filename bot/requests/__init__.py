"""The staff side's records: callback requests (留言回电) and 好差评 ratings, in one database.

`store` keeps them (SQLite under build/ by default, PostgreSQL when STAFF_DATABASE_URL names one),
`phone` validates and masks the numbers residents leave, `office_hours` says when staff call back,
and `python -m bot.requests list|show|close` is the staff's command line.
"""
