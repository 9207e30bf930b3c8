"""A logging filter that masks personal numbers and e-mail addresses in every log record, and
takes query strings out of it (bot/privacy/query_strings.py: WeChat's signature, the API's token).

`install()` puts one `MaskingFilter` on the handlers of the root logger and of the loggers that
have their own (Sanic's), and on the `sanic.access` logger (whose request line, `GET
http://host/path?query`, is a field of its own), and makes every new record pass through it, so
records of loggers and handlers created later are masked as well. Rasa's structlog output reaches
the same handlers as one rendered (JSON) string, which the filter masks like any message.
"""

from __future__ import annotations

import logging

from bot.privacy.masking import mask_text
from bot.privacy.query_strings import strip_query_strings

_installed: MaskingFilter | None = None


def scrub(text: str) -> str:
    """`text` as it may be logged: personal numbers masked, no query strings."""
    return strip_query_strings(mask_text(text))


class MaskingFilter(logging.Filter):
    """Rewrites a record's message (with its arguments) and traceback text masked; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)  # Sanic's access log sets it after the record is made
        if isinstance(request, str):
            record.request = strip_query_strings(request)
        if getattr(record, "_masked", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: mask them apart
            message = f"{record.msg} {record.args}"
        record.msg, record.args = scrub(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record._masked = True
        return True


def install() -> MaskingFilter:
    """Masks every log record of this process from now on; calling it again changes nothing."""
    global _installed
    if _installed is not None:
        return _installed
    masking = MaskingFilter()
    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            handler.addFilter(masking)
    logging.getLogger().addFilter(masking)
    logging.getLogger("rasa").addFilter(masking)
    logging.getLogger("sanic.access").addFilter(masking)

    make_record = logging.getLogRecordFactory()

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        masking.filter(record)
        return record

    logging.setLogRecordFactory(masked_record)
    _installed = masking
    return masking
