from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.reemploi_asset.services import lifecycle
from odoo.addons.reemploi_market.services import lot_lifecycle

from ..services import scoring

# models whose stored values the view reads: flushed before reading it
SOURCE_MODELS = (
    "reemploi.custody.event",
    "reemploi.equipment",
    "reemploi.equipment.category",
    "reemploi.lot",
    "res.partner",
)


class ReemploiReceivedDevice(models.Model):
    """One row per device that an operator actually received: the only
    source of the goals, badges and leaderboards.

    A device counts once, from its first reception (the custody event of
    its move to "received"), whatever happened afterwards: received twice
    or in two lots, it is still one device. It counts for nothing while it
    is only declared or collected, when it went missing, when it was
    archived, or while the lot it came with is not received by the operator
    (a cancelled lot gives its devices back to the donor: they leave it).
    """

    _name = "reemploi.received.device"
    _inherit = ["reemploi.sql.view.mixin"]
    _description = "Device received by an operator"
    _auto = False
    _order = "date_received desc, id desc"
    _rec_name = "equipment_id"

    equipment_id = fields.Many2one("reemploi.equipment", string="Device", readonly=True)
    date_received = fields.Datetime(string="Received on", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Donor organisation",
        readonly=True,
        help="Commercial entity of the device's owner.",
    )
    contact_partner_id = fields.Many2one(
        "res.partner",
        string="Lot contact",
        readonly=True,
        help="The donor's staff member in charge of the lot the device came with.",
    )
    receiver_user_id = fields.Many2one("res.users", string="Received by", readonly=True)
    company_id = fields.Many2one("res.company", string="Operator", readonly=True)
    lot_id = fields.Many2one("reemploi.lot", string="Lot", readonly=True)
    lot_done = fields.Boolean(
        string="Lot processed",
        readonly=True,
        help="The lot went through the operator's processing (processed or reported).",
    )
    category_id = fields.Many2one(
        "reemploi.equipment.category", string="Category", readonly=True
    )
    weight_kg = fields.Float(string="Weight (kg)", readonly=True, digits=(16, 1))
    co2e_avoided_kg = fields.Float(
        string="CO2e avoided (kg)", readonly=True, digits=(16, 1)
    )
    reused = fields.Boolean(readonly=True)
    recycled = fields.Boolean(readonly=True)

    def _query(self):
        return SQL(
            """
            WITH reception AS (
                SELECT DISTINCT ON (event.equipment_id)
                       event.equipment_id, event.date, event.user_id,
                       event.company_id
                  FROM reemploi_custody_event event
                 WHERE event.event_type = 'state'
                   AND event.to_state = %(received)s
              ORDER BY event.equipment_id, event.sequence
            )
            SELECT device.id AS id,
                   device.id AS equipment_id,
                   reception.date AS date_received,
                   reception.user_id AS receiver_user_id,
                   COALESCE(reception.company_id, device.company_id) AS company_id,
                   owner.commercial_partner_id AS partner_id,
                   lot.contact_partner_id AS contact_partner_id,
                   lot.id AS lot_id,
                   COALESCE(lot.state IN %(done_states)s, FALSE) AS lot_done,
                   device.category_id AS category_id,
                   COALESCE(category.weight_kg, 0.0) AS weight_kg,
                   COALESCE(device.co2e_avoided_kg, 0.0) AS co2e_avoided_kg,
                   device.state IN %(reused_states)s AS reused,
                   device.state IN %(recycled_states)s AS recycled
              FROM reemploi_equipment device
              JOIN reception ON reception.equipment_id = device.id
         LEFT JOIN res_partner owner ON owner.id = device.owner_id
         LEFT JOIN reemploi_lot lot ON lot.id = device.reemploi_lot_id
         LEFT JOIN reemploi_equipment_category category
                ON category.id = device.category_id
             WHERE device.active
               AND device.state != %(missing)s
               AND (lot.id IS NULL OR lot.state IN %(received_states)s)
            """,
            received=lifecycle.RECEIVED,
            missing=lifecycle.MISSING,
            # what became of the device: lifecycle.py owns the outcomes
            recycled_states=tuple(lifecycle.states_of(lifecycle.OUTCOME_RECYCLED)),
            reused_states=tuple(sorted(lifecycle.REUSED_STATES)),
            # lots whose devices all went through the operator's processing,
            # and those whose devices it received
            done_states=tuple(sorted(lot_lifecycle.DONE_STATES)),
            received_states=tuple(sorted(lot_lifecycle.RECEIVED_STATES)),
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """The view reads other models' tables: the changes the ORM still
        holds for them must reach the database first."""
        for model in SOURCE_MODELS:
            self.env[model].flush_model()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    @api.model
    def _scope_domain(self, user, scope="organisation"):
        """Devices that count for ``user`` (scope "user": those of the lots
        whose contact it is, or that it received) or for its organisation
        (its donor organisation for a portal user, its operator company for
        an internal user)."""
        if scope == "user":
            return [
                "|",
                ("receiver_user_id", "=", user.id),
                ("contact_partner_id", "=", user.partner_id.id),
            ]
        if user.share:
            return [("partner_id", "=", user.commercial_partner_id.id)]
        return [("company_id", "=", user.company_id.id)]

    @api.model
    def _period_domain(self, date_from=None, date_to=None):
        """Devices first received between the two dates (both included)."""
        domain = []
        if date_from:
            domain.append(
                ("date_received", ">=", datetime.combine(date_from, time.min))
            )
        if date_to:
            after = datetime.combine(date_to + timedelta(days=1), time.min)
            domain.append(("date_received", "<", after))
        return domain

    @api.model
    def _figures(self, domain):
        """Figures of the devices of ``domain`` (see services/scoring.py,
        empty_figures()), in two queries.

        The rows are read as sudo: callers decide whose figures they show.
        """
        # sudo: goals and leaderboards compare organisations whose devices
        # the user may not read one by one; only totals leave this method
        Devices = self.sudo()
        figures = scoring.empty_figures()
        groups = Devices._read_group(
            domain,
            ["reused", "recycled"],
            ["__count", "weight_kg:sum", "co2e_avoided_kg:sum"],
        )
        count = sum(group[2] for group in groups)
        if not count:
            return figures
        figures.update(
            {
                scoring.DEVICES: count,
                scoring.WEIGHT: round(sum(group[3] or 0.0 for group in groups), 1),
                scoring.CO2E_AVOIDED: round(
                    sum(group[4] or 0.0 for group in groups), 1
                ),
                "reused": sum(group[2] for group in groups if group[0]),
                "recycled": sum(group[2] for group in groups if group[1]),
            }
        )
        lots = Devices._read_group(
            domain + [("lot_id", "!=", False)],
            ["lot_id"],
            ["date_received:min", "recycled:bool_or", "lot_done:bool_and"],
        )
        figures["lots"] = [
            {"date": first, "recycled": any_recycled, "done": done}
            for _lot, first, any_recycled, done in lots
        ]
        return figures
