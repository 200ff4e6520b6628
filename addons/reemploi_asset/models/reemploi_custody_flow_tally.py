import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from ..services import lifecycle
from .reemploi_tally_mixin import MONTH_BUCKET_FUNCTION

FLOW_SELECTION = [
    ("collected", "Collected"),
    (lifecycle.SOLD, "Sold"),
    (lifecycle.DONATED, "Donated"),
    (lifecycle.RECYCLED, "Recycled"),
]
# a point in time closer than this to the end of a month may be in the next
# or the previous month in some time zone
MARGIN = "interval '14 hours'"


class ReemploiCustodyFlowTally(models.Model):
    """The devices entering each flow (lifecycle.MONTHLY_FLOWS: collected,
    sold, donated, recycled) month by month, a device once a month, kept by
    the database as custody events are recorded.

    A device counts in a month when one of its events of the flow is the
    first of that month: its event before it (``previous``) is in another
    month. Months depend on the reader's time zone, so each row keeps its
    events' month as ``reemploi_month_bucket()`` does (``period``) and,
    only when the previous event may be in the same month or not depending
    on the time zone, the previous event's quarter of an hour
    (``previous_period``); rows whose previous event is in the same month in
    every time zone are not kept. :meth:`_monthly` reads them in the
    reader's time zone and gives the same figures as counting the distinct
    devices of the events (``count(DISTINCT equipment_id)`` by month).

    Custody events are only ever inserted: a statement-level trigger (with a
    transition table) recounts the devices whose chain got events of a flow,
    from the earliest new one, as signed rows (an event inserted before
    others changes which of them is the first of its month). Writers of a
    device's chain are serialised (``reemploi.custody.event.create()``
    locks the device; set-based inserts write the first events of new
    devices), so each statement sees the chain's earlier events.
    Append-only like the other kept counts; the mixin's ``_compact()`` folds
    the rows (hourly).
    """

    _name = "reemploi.custody.flow.tally"
    _inherit = "reemploi.tally.mixin"
    _description = "Devices entering each flow, by month"
    _auto = False

    # the group's columns, for the mixin's compaction; the table and its
    # trigger on the custody events are this model's own (init())
    _tally_columns = (
        ("flow", "varchar", None),
        ("period", "timestamp", None),
        ("previous_period", "timestamp", None),
    )

    flow = fields.Selection(FLOW_SELECTION, string="Flow", readonly=True)
    period = fields.Datetime(string="Month", readonly=True)
    previous_period = fields.Datetime(string="Previous event", readonly=True)

    @api.model
    def _flow_sql(self, alias):
        """The flow of a custody event's ``to_state`` (NULL when in none)."""
        return SQL(
            "CASE %s END",
            SQL(" ").join(
                SQL(
                    "WHEN %s.to_state IN %s THEN %s",
                    SQL.identifier(alias),
                    states,
                    flow,
                )
                for flow, states in lifecycle.MONTHLY_FLOWS.items()
            ),
        )

    @api.model
    def _counted_sql(self, events):
        """SELECT of the rows of the tally for ``events`` (a subquery of
        ``flow, date, previous, since, n``: each event's previous one of the
        same flow and device, the events before ``since`` left out, ``n``
        the sign)."""
        return SQL(
            """
            SELECT flow, reemploi_month_bucket(date),
                   CASE WHEN previous IS NULL
                          OR date_trunc('month', previous + %(margin)s)
                           < date_trunc('month', date - %(margin)s)
                        THEN NULL
                        ELSE reemploi_quarter_hour(previous)
                   END,
                   sum(n)
              FROM (%(events)s) AS events
             WHERE date >= since
               AND (previous IS NULL
                    OR date_trunc('month', previous - %(margin)s)
                    <> date_trunc('month', date + %(margin)s))
          GROUP BY 1, 2, 3
            HAVING sum(n) <> 0
            """,
            margin=SQL(MARGIN),
            events=events,
        )

    def init(self):
        cr = self.env.cr
        cr.execute(MONTH_BUCKET_FUNCTION)
        cr.execute("SELECT to_regclass('reemploi_custody_flow_tally') IS NULL")
        missing = cr.fetchone()[0]
        cr.execute(
            """
            CREATE TABLE IF NOT EXISTS reemploi_custody_flow_tally (
                id serial PRIMARY KEY,
                flow varchar NOT NULL,
                period timestamp NOT NULL,
                previous_period timestamp,
                device_count integer NOT NULL
            )
            """
        )
        states = tuple(
            state for states in lifecycle.MONTHLY_FLOWS.values() for state in states
        )
        insert = SQL(
            "INSERT INTO reemploi_custody_flow_tally "
            "(flow, period, previous_period, device_count)"
        )
        window = SQL(
            "lag(date) OVER (PARTITION BY equipment_id, flow ORDER BY date, id)"
        )
        cr.execute(
            SQL(
                """
                CREATE OR REPLACE FUNCTION reemploi_custody_flow_tally()
                RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    WITH added AS (
                        SELECT n.id, n.equipment_id, %(flow_n)s AS flow, n.date
                          FROM new_rows n
                         WHERE n.to_state IN %(states)s
                    ), chains AS (
                        SELECT equipment_id, flow, min(date) AS since
                          FROM added
                      GROUP BY equipment_id, flow
                    ), events AS (
                        SELECT e.id, e.equipment_id, c.flow, e.date, c.since,
                               a.id IS NOT NULL AS added
                          FROM chains c
                          JOIN reemploi_custody_event e
                            ON e.equipment_id = c.equipment_id
                           AND e.to_state IN %(states)s
                           AND %(flow_e)s = c.flow
                     LEFT JOIN added a ON a.id = e.id
                    )
                    %(insert)s
                    %(counted)s;
                    RETURN NULL;
                END
                $$;
                DROP TRIGGER IF EXISTS reemploi_custody_flow_tally_insert
                    ON reemploi_custody_event;
                CREATE TRIGGER reemploi_custody_flow_tally_insert
                    AFTER INSERT ON reemploi_custody_event
                    REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION reemploi_custody_flow_tally();
                """,
                flow_n=self._flow_sql("n"),
                flow_e=self._flow_sql("e"),
                states=states,
                insert=insert,
                # the chains' events from the earliest new one, counted with
                # the new events (+1) and as they were without them (-1)
                counted=self._counted_sql(
                    SQL(
                        """
                        SELECT flow, date, %(window)s AS previous, since, 1 AS n
                          FROM events
                     UNION ALL
                        SELECT flow, date, %(window)s, since, -1
                          FROM events
                         WHERE NOT added
                        """,
                        window=window,
                    )
                ),
            )
        )
        if missing:
            # the events recorded before the table existed, in the same
            # transaction as the trigger
            cr.execute(
                SQL(
                    "%s %s",
                    insert,
                    self._counted_sql(
                        SQL(
                            """
                            SELECT flow, date, %(window)s AS previous,
                                   timestamp '-infinity' AS since, 1 AS n
                              FROM (SELECT e.id, e.equipment_id, e.date,
                                           %(flow_e)s AS flow
                                      FROM reemploi_custody_event e
                                     WHERE e.to_state IN %(states)s) AS events
                            """,
                            window=window,
                            flow_e=self._flow_sql("e"),
                            states=states,
                        )
                    ),
                )
            )

    @api.model
    def _monthly(self, since):
        """{(first day of the month, flow): devices} of the custody events
        dated from ``since`` (the start of a month, UTC), by month in the
        time zone of the context as ``_read_group`` groups dates: the same
        as counting the distinct devices of the events."""
        self.env["reemploi.custody.event"].flush_model()
        tz = self.env.context.get("tz")

        def month(column):
            column = SQL.identifier(column)
            if tz in pytz.all_timezones_set:
                return SQL(
                    "date_trunc('month', timezone(%s, timezone('UTC', %s)))",
                    tz,
                    column,
                )
            return SQL("date_trunc('month', %s)", column)

        period_month = month("period")
        previous_month = month("previous_period")
        self.env.cr.execute(
            SQL(
                """
                SELECT %(period_month)s, flow, sum(device_count)
                  FROM reemploi_custody_flow_tally
                 WHERE period >= %(since)s
                   AND (previous_period IS NULL
                        OR previous_period < %(since)s
                        OR %(previous_month)s <> %(period_month)s)
              GROUP BY 1, 2
                """,
                period_month=period_month,
                previous_month=previous_month,
                since=since,
            )
        )
        return {
            (month.date(), flow): count
            for month, flow, count in self.env.cr.fetchall()
            if count
        }
