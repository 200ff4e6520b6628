from contextlib import contextmanager
from datetime import timedelta

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import api, fields, models

from ..services import ratelimit

RATE_PER_MINUTE = 120  # average requests per minute and API key
BURST = 60  # requests an idle key may send at once


@contextmanager
def limit_cursor(env):
    """A short transaction of its own in which a limit shared by concurrent
    requests is decided and recorded, committed when the block ends.

    READ COMMITTED, not Odoo's REPEATABLE READ: once a statement has waited
    for a row lock (or an advisory lock) held by a concurrent request, the
    next statement sees what that request committed, instead of failing
    with a serialization error that would make Odoo replay the request. In
    tests (registry in test mode) this is the test's cursor, as for every
    request."""
    with env.registry.cursor() as cr:
        if not env.registry.in_test_mode():
            # a new cursor: no transaction yet; the next cursor made on this
            # connection sets REPEATABLE READ again
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
        yield cr


class ReemploiApiRate(models.Model):
    """Token bucket of one API key of the partner API.

    The buckets live in the database, not in the memory of a worker: every
    worker of every server behind the proxy counts the same requests, and a
    restart forgets nothing. Each request takes a token in a transaction of
    its own (:func:`limit_cursor`), a few milliseconds long, so that a
    request refused or failed later still counts, and concurrent requests of
    one key only wait for each other during that short update.
    """

    _name = "reemploi.api.rate"
    _description = "Partner API rate limit"
    _log_access = False

    bucket = fields.Char(required=True, readonly=True)
    tokens = fields.Float(readonly=True)
    updated = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("bucket_unique", "unique(bucket)", "One rate limit per API key."),
    ]

    @api.model
    def _limits(self):
        """(capacity, tokens per second) from the system parameters."""
        # sudo: reads the two rate-limit settings, nothing else
        ICP = self.env["ir.config_parameter"].sudo()
        per_minute = float(
            ICP.get_param("reemploi_market.api_rate_limit", RATE_PER_MINUTE)
        )
        burst = int(ICP.get_param("reemploi_market.api_rate_burst", BURST))
        return max(1, burst), max(per_minute, 0.001) / 60.0

    @api.model
    def _take(self, bucket):
        """Take a token from ``bucket``; return a ratelimit.Decision."""
        capacity, rate = self._limits()
        with limit_cursor(self.env) as cr:
            cr.execute(
                """
                INSERT INTO reemploi_api_rate (bucket) VALUES (%s)
                ON CONFLICT (bucket) DO NOTHING
                """,
                [bucket],
            )
            cr.execute(
                """
                SELECT tokens,
                       EXTRACT(EPOCH FROM (
                           (clock_timestamp() AT TIME ZONE 'UTC') - updated))
                  FROM reemploi_api_rate WHERE bucket = %s FOR UPDATE
                """,
                [bucket],
            )
            tokens, elapsed = cr.fetchone()
            decision = ratelimit.take(tokens, float(elapsed or 0.0), capacity, rate)
            cr.execute(
                """
                UPDATE reemploi_api_rate
                   SET tokens = %s, updated = clock_timestamp() AT TIME ZONE 'UTC'
                 WHERE bucket = %s
                """,
                [decision.tokens, bucket],
            )
        return decision

    @api.autovacuum
    def _gc_buckets(self):
        """A bucket idle for a day is full again: forget it."""
        limit = fields.Datetime.now() - timedelta(days=1)
        self.search([("updated", "<", limit)]).unlink()
