"""What the machine-facing JSON endpoints of reemploi_asset share (the bench
stations' ``/reemploi/audit``, GLPI's webhooks): their answers, and the
guard that turns an unexpected error into a logged 400, never a 500."""

import logging

import psycopg2

from odoo.http import request

_logger = logging.getLogger(__name__)


def answer(code, message=None, headers=None, **values):
    """A JSON answer with HTTP status ``code``; ``message`` goes under
    ``error`` (4xx) or ``message``."""
    body = dict(values)
    if message:
        body["error" if code >= 400 else "message"] = message
    return request.make_json_response(body, headers=headers, status=code)


def guarded(handler, what, failure):
    """``handler()``'s answer; on an unexpected error, the transaction rolled
    back, the error logged under ``what`` and a 400 with ``failure()`` (the
    caller's message, translated when it is called)."""
    try:
        return handler()
    except psycopg2.OperationalError:
        raise  # concurrent update: the framework tries again
    except Exception:
        _logger.exception("%s: unexpected error", what)
        request.env.cr.rollback()
        return answer(400, failure())
