import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every
from odoo.tools.sql import create_index

from ..services import custody_chain, lifecycle
from ..services.lifecycle import STATE_SELECTION
from . import bulk

_logger = logging.getLogger(__name__)


class ReemploiCustodyEvent(models.Model):
    """Append-only chain of custody of a device.

    Each event is sealed with the hash of the previous event of the same
    device (see ``services/custody_chain.py``). Events are never written in
    place nor deleted, by nobody, except when the module is uninstalled.
    """

    _name = "reemploi.custody.event"
    _description = "Chain of custody event"
    _order = "equipment_id, sequence"
    _rec_name = "event_type"

    # no index of its own: unique(equipment_id, sequence) starts with it
    equipment_id = fields.Many2one(
        "reemploi.equipment",
        required=True,
        ondelete="restrict",
        readonly=True,
    )
    sequence = fields.Integer(required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True)
    event_type = fields.Selection(
        [
            ("registered", "Registered"),
            ("state", "State change"),
            ("erasure", "Erasure"),
            ("grading", "Grading"),
            ("transfer", "Transfer"),
            ("note", "Note"),
            ("correction", "Administrator correction"),
        ],
        required=True,
        readonly=True,
    )
    from_state = fields.Selection(STATE_SELECTION, readonly=True)
    to_state = fields.Selection(STATE_SELECTION, readonly=True)
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Owner", readonly=True)
    company_id = fields.Many2one("res.company", string="Operator", readonly=True)
    location = fields.Char(string="Where", readonly=True)
    document_ref = fields.Char(string="Document", readonly=True)
    note = fields.Char(readonly=True)
    previous_hash = fields.Char(readonly=True)
    hash = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "sequence_unique",
            "unique(equipment_id, sequence)",
            "Two custody events of a device cannot share a sequence number.",
        ),
    ]

    def init(self):
        # the events that entered some states since a date, and their
        # devices, read from the index alone: the monthly flows and the
        # operators' lead times of the overview (reemploi_market) on
        # millions of events
        create_index(
            self.env.cr,
            "reemploi_custody_event_to_state_date_index",
            self._table,
            ["to_state", "date", "equipment_id"],
        )

    def _payload(self):
        self.ensure_one()
        return {
            "equipment_id": self.equipment_id.id,
            "sequence": self.sequence,
            "date": fields.Datetime.to_string(self.date),
            "event_type": self.event_type,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "user_id": self.user_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "location": self.location,
            "document_ref": self.document_ref,
            "note": self.note,
        }

    @api.model_create_multi
    def create(self, vals_list):
        equipment_ids = sorted({vals["equipment_id"] for vals in vals_list})
        # Serialise writers of the same chains: the row lock is held until the
        # transaction ends, so two events can never claim the same predecessor.
        self.env.cr.execute(
            "SELECT id FROM reemploi_equipment WHERE id = ANY(%s) "
            "ORDER BY id FOR UPDATE",
            [equipment_ids],
        )
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (equipment_id) equipment_id, sequence, hash
              FROM reemploi_custody_event
             WHERE equipment_id = ANY(%s)
          ORDER BY equipment_id, sequence DESC
            """,
            [equipment_ids],
        )
        heads = {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}
        events = super().create(self._seal(vals_list, heads))
        events._record_first_dates()
        return events

    @api.model
    def _backfill_first_dates(self):
        """Fill every device's first dates from the events already recorded
        (the migration that brought the fields; set-based generators)."""
        self.flush_model(["equipment_id", "to_state", "date"])
        for column, states in lifecycle.FIRST_DATE_FIELDS.items():
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE reemploi_equipment e
                       SET %(column)s = first.date
                      FROM (SELECT equipment_id, min(date) AS date
                              FROM reemploi_custody_event
                             WHERE to_state IN %(states)s
                          GROUP BY equipment_id) AS first
                     WHERE e.id = first.equipment_id
                       AND e.%(column)s IS DISTINCT FROM first.date
                    """,
                    column=SQL.identifier(column),
                    states=tuple(states),
                )
            )
        self.env["reemploi.equipment"].invalidate_model(
            list(lifecycle.FIRST_DATE_FIELDS)
        )

    def _record_first_dates(self):
        """Keep on each device the first date its chain reached collection,
        erasure and sale (lifecycle.FIRST_DATE_FIELDS): an earlier date
        wins, as the minimum of its events would."""
        changed = False
        for column, states in lifecycle.FIRST_DATE_FIELDS.items():
            rows = [
                (event.equipment_id.id, event.date)
                for event in self
                if event.to_state in states
            ]
            if not rows:
                continue
            changed = True
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE reemploi_equipment e
                       SET %(column)s = v.date
                      FROM (VALUES %(rows)s) AS v(id, date)
                     WHERE e.id = v.id
                       AND (e.%(column)s IS NULL OR e.%(column)s > v.date)
                    """,
                    column=SQL.identifier(column),
                    rows=SQL(", ").join(
                        SQL("(%s, %s::timestamp)", *row) for row in rows
                    ),
                )
            )
        if changed:
            self.env["reemploi.equipment"].invalidate_model(
                list(lifecycle.FIRST_DATE_FIELDS)
            )

    def _seal(self, vals_list, heads):
        """Number, date, sign and chain each event's values to the head of its
        device's chain (``heads``: {equipment_id: (sequence, hash)}, updated)."""
        now = fields.Datetime.now()
        date = fields.Datetime.to_string(now)
        sealed = []
        for vals in vals_list:
            equipment_id = vals["equipment_id"]
            sequence, previous = heads.get(equipment_id, (0, custody_chain.GENESIS))
            vals = {
                key: value
                for key, value in vals.items()
                if key not in ("sequence", "date", "user_id", "previous_hash", "hash")
            }
            vals.update(
                {
                    "sequence": sequence + 1,
                    "date": now,
                    "user_id": self.env.uid,
                    "previous_hash": previous,
                }
            )
            for key in ("note", "location", "document_ref"):
                if vals.get(key):
                    vals[key] = str(vals[key])
            vals["hash"] = custody_chain.event_hash(dict(vals, date=date), previous)
            heads[equipment_id] = (sequence + 1, vals["hash"])
            sealed.append(vals)
        return sealed

    @api.model
    def _insert_first_events(self, vals_list):
        """Seal and insert the first event of devices that have none yet (new
        devices of an import), with one set-based INSERT.

        Same seal as :meth:`create`, without the ORM's per-record work: the
        devices were inserted in this transaction, so no other writer can
        hold their chains. Nothing depends on custody events through the
        ORM (they are never written again), so only the cache is reset.
        """
        if not vals_list:
            return
        sealed = self._seal(vals_list, {})
        bulk.insert_rows(self, sealed)
        self.invalidate_model()

    def write(self, vals):
        raise UserError(
            self.env._(
                "Custody events are append-only evidence and cannot be changed; "
                "record a new event instead."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("Custody events are append-only evidence and cannot be deleted.")
        )

    @api.model
    def _verify_chains(self, equipment=None):
        """Verify the chains of ``equipment`` (default: every device).

        Return ``{equipment_id: message}`` for each broken chain, naming the
        first broken link. Reads the stored rows directly so that nothing in
        the ORM cache can hide a change made in the database.
        """
        if equipment is None:
            self.env.cr.execute(
                "SELECT DISTINCT equipment_id FROM reemploi_custody_event ORDER BY 1"
            )
            equipment_ids = [row[0] for row in self.env.cr.fetchall()]
        else:
            equipment_ids = sorted(equipment.ids)
        broken = {}
        reasons = {
            "sequence": self.env._("its sequence number"),
            "previous_hash": self.env._("its link to the previous event"),
            "hash": self.env._("its hash"),
        }
        # a batch of devices at a time: memory holds a batch, not the table
        for batch in split_every(1000, equipment_ids, list):
            self.env.cr.execute(
                """
                SELECT id, equipment_id, sequence, date, event_type, from_state,
                       to_state, user_id, partner_id, company_id, location,
                       document_ref, note, previous_hash, hash
                  FROM reemploi_custody_event
                 WHERE equipment_id = ANY(%s)
              ORDER BY equipment_id, sequence
                """,
                [batch],
            )
            columns = [desc[0] for desc in self.env.cr.description]
            chains = {}
            for row in self.env.cr.fetchall():
                event = dict(zip(columns, row, strict=True))
                event["date"] = fields.Datetime.to_string(event["date"])
                chains.setdefault(event["equipment_id"], []).append(event)
            for equipment_id, events in chains.items():
                failure = custody_chain.first_broken_link(events)
                if not failure:
                    continue
                index, reason = failure
                event = events[index]
                broken[equipment_id] = self.env._(
                    "The custody chain of %(device)s (id %(device_id)s) is broken "
                    "at event #%(sequence)s (id %(id)s, %(date)s): %(reason)s does "
                    "not match. The stored history was changed outside the "
                    "application: restore it from a backup and investigate.",
                    # sudo: only the name of the device is read for the message
                    device=self.env["reemploi.equipment"]
                    .sudo()
                    .browse(equipment_id)
                    .display_name,
                    device_id=equipment_id,
                    sequence=event["sequence"],
                    id=event["id"],
                    date=event["date"],
                    reason=reasons[reason],
                )
        for message in broken.values():
            _logger.warning(message)
        return broken
