from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.reemploi_asset.models.labels import selection_labels, state_word

from ..services import collection
from ..services.lot_lifecycle import COLLECTED, MATCHED, SCHEDULED

# Context value with which _set_state writes a round's state. It is an
# object, not a flag: no RPC, import or URL can send it.
STATE_WRITE = object()

DRAFT = "draft"
PLANNED = "planned"
IN_PROGRESS = "in_progress"
DONE = "done"
CANCEL = "cancel"

# target state -> states it may be reached from
TRANSITIONS = {
    PLANNED: {DRAFT},
    IN_PROGRESS: {PLANNED},
    DONE: {IN_PROGRESS},
    CANCEL: {DRAFT, PLANNED},
    DRAFT: {CANCEL},
}


class ReemploiCollectionRound(models.Model):
    """One operator's trip to collect lots of one area on one day."""

    _name = "reemploi.collection.round"
    _description = "Collection round"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
        index="trigram",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    date = fields.Date(required=True, tracking=True)
    area = fields.Char(
        help="Postcode or commune of the pickup sites, e.g. 38000 Grenoble."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Driver",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        default=lambda self: self.env.user,
    )
    lot_ids = fields.One2many(
        "reemploi.lot",
        "round_id",
        string="Lots",
        domain="[('company_id', '=', company_id), ('state', 'in', ('matched', "
        "'scheduled')), ('round_id', '=', False)]",
    )
    state = fields.Selection(
        [
            (DRAFT, "Draft"),
            (PLANNED, "Planned"),
            (IN_PROGRESS, "In progress"),
            (DONE, "Done"),
            (CANCEL, "Cancelled"),
        ],
        default=DRAFT,
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    note = fields.Html()
    lot_count = fields.Integer(string="Number of lots", compute="_compute_totals")
    device_count = fields.Integer(string="Devices", compute="_compute_totals")
    weight_kg = fields.Float(
        string="Weight (kg)", compute="_compute_totals", digits=(16, 1)
    )
    checkin_ids = fields.One2many(
        "reemploi.lot.checkin", "round_id", string="Check-ins"
    )
    picking_count = fields.Integer(string="Receipts", compute="_compute_totals")
    pickup_ids = fields.One2many("reemploi.lot.pickup", "round_id", string="Pickups")

    @api.depends("lot_ids.device_count", "lot_ids.weight_kg", "lot_ids.picking_id")
    def _compute_totals(self):
        for round_ in self:
            round_.lot_count = len(round_.lot_ids)
            round_.device_count = sum(round_.lot_ids.mapped("device_count"))
            round_.weight_kg = sum(round_.lot_ids.mapped("weight_kg"))
            round_.picking_count = len(round_.lot_ids.picking_id)

    @api.constrains("company_id", "lot_ids")
    def _check_lots(self):
        for round_ in self:
            others = round_.lot_ids.filtered(
                lambda lot, r=round_: lot.company_id != r.company_id
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "Round %(round)s collects for %(operator)s only: lots "
                        "%(lots)s are assigned to another operator.",
                        round=round_.name,
                        operator=round_.company_id.name,
                        lots=", ".join(others.mapped("name")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # sudo: the sequence is shared by every operator; only the next
        # reference is drawn
        Sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("state", DRAFT) != DRAFT:
                raise UserError(
                    self.env._(
                        "A collection round is created as a draft, then planned, "
                        "started and closed with the buttons of its form."
                    )
                )
            vals["name"] = Sequence.next_by_code("reemploi.collection.round") or "/"
        rounds = super().create(vals_list)
        rounds._check_lot_states()
        return rounds

    def write(self, vals):
        if (
            "state" in vals
            and self.env.context.get("reemploi_round_state") is not STATE_WRITE
        ):
            raise UserError(
                self.env._(
                    "Round %(round)s: its state changes only through the buttons "
                    "of its form (plan, start, close, cancel), which schedule and "
                    "collect its lots.",
                    round=self[:1].name,
                )
            )
        if "lot_ids" in vals:
            locked = self.filtered(lambda r: r.state not in (DRAFT, PLANNED))
            if locked:
                raise UserError(
                    self.env._(
                        "Round %(round)s has started: its lots cannot change.",
                        round=locked[0].name,
                    )
                )
            before = self.lot_ids
        result = super().write(vals)
        if "lot_ids" in vals:
            self._check_lot_states(self.lot_ids - before)
            (before - self.lot_ids)._release_receipts()
            self.filtered(lambda r: r.state == PLANNED)._plan_lots()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        for round_ in self:
            if round_.state not in (DRAFT, CANCEL):
                raise UserError(
                    self.env._(
                        "Round %(round)s is planned: cancel it instead of deleting it.",
                        round=round_.name,
                    )
                )

    def _check_lot_states(self, lots=None):
        """Only lots waiting for their collection join a round."""
        lots = self.lot_ids if lots is None else lots
        wrong = lots.filtered(lambda lot: lot.state not in (MATCHED, SCHEDULED))
        if wrong:
            raise UserError(
                self.env._(
                    "Lot %(lot)s is %(state)s: only lots matched with the "
                    "operator and not collected yet can join a round.",
                    lot=wrong[0].name,
                    state=state_word(wrong[0]),
                )
            )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _state_labels(self):
        return selection_labels(self, "state")

    def _set_state(self, target):
        labels = self._state_labels()
        for round_ in self:
            if round_.state not in TRANSITIONS[target]:
                raise UserError(
                    self.env._(
                        "Round %(round)s is %(current)s and cannot become %(target)s.",
                        round=round_.name,
                        current=labels[round_.state].lower(),
                        target=labels[target].lower(),
                    )
                )
        return self.with_context(reemploi_round_state=STATE_WRITE).write(
            {"state": target}
        )

    def _plan_lots(self):
        """Schedule the lots of planned rounds and prepare their receipts."""
        for round_ in self:
            round_.lot_ids.filtered(lambda lot: lot.state == MATCHED).action_schedule()
            round_.lot_ids._create_receipt_pickings()

    def action_plan(self):
        for round_ in self:
            if not round_.lot_ids:
                raise UserError(
                    self.env._(
                        "Round %(round)s has no lot: add the lots to collect "
                        "before planning it.",
                        round=round_.name,
                    )
                )
        self._set_state(PLANNED)
        self._plan_lots()
        return True

    def action_start(self):
        return self._set_state(IN_PROGRESS)

    def _lots_to_check_in(self):
        return self.lot_ids.filtered(lambda lot: lot.state in (SCHEDULED, COLLECTED))

    def action_done(self):
        for round_ in self:
            waiting = round_._lots_to_check_in()
            if waiting:
                raise UserError(
                    self.env._(
                        "Round %(round)s still has lots to check in: %(lots)s.",
                        round=round_.name,
                        lots=", ".join(waiting.mapped("name")),
                    )
                )
        return self._set_state(DONE)

    def action_cancel(self):
        """Cancel the round: its lots stay scheduled and can join another
        round; their receipts, with nothing received yet, are cancelled."""
        for round_ in self:
            collected = round_.lot_ids.filtered(
                lambda lot: lot.state not in (MATCHED, SCHEDULED)
            )
            if collected:
                raise UserError(
                    self.env._(
                        "Round %(round)s has lots already collected: %(lots)s. "
                        "Check them in instead of cancelling the round.",
                        round=round_.name,
                        lots=", ".join(collected.mapped("name")),
                    )
                )
        self._set_state(CANCEL)
        lots = self.lot_ids
        lots.write({"round_id": False})
        lots._release_receipts()
        return True

    def action_reset_to_draft(self):
        return self._set_state(DRAFT)

    def _close_if_checked_in(self):
        """A round in progress is done once each of its lots is received."""
        for round_ in self.filtered(lambda r: r.state == IN_PROGRESS):
            if not round_._lots_to_check_in():
                round_.action_done()

    def _ensure_pickups(self):
        """One pickup (a stop) per lot still to collect, in the lots' order."""
        self.ensure_one()
        lots = self.lot_ids.filtered(lambda lot: lot.state == SCHEDULED)
        taken = self.pickup_ids.lot_id
        vals_list = [
            {"round_id": self.id, "lot_id": lot.id, "sequence": index}
            for index, lot in enumerate(self.lot_ids, start=1)
            if lot in lots - taken
        ]
        return self.env["reemploi.lot.pickup"].create(vals_list)

    def action_open_pickup(self):
        """Start the round if needed and open it on the driver's phone."""
        self.ensure_one()
        if self.state == PLANNED:
            self.action_start()
        if self.state != IN_PROGRESS:
            raise UserError(
                self.env._(
                    "Round %(round)s is not planned: plan it before starting it.",
                    round=self.name,
                )
            )
        self._ensure_pickups()
        return {
            "type": "ir.actions.client",
            "tag": "reemploi_round_pickup",
            "name": self.env._("Round %(round)s", round=self.name),
            "params": {"round_id": self.id},
            "context": {"active_id": self.id},
        }

    def get_pickup_screen(self):
        """Everything the round screen shows: the round and its stops."""
        self.ensure_one()
        if self.state == IN_PROGRESS:
            self._ensure_pickups()
        return {
            "id": self.id,
            "name": self.name,
            "date": fields.Date.to_string(self.date),
            "driver": self.user_id.name or "",
            "operator": self.company_id.name,
            "state": self.state,
            "stops": [pickup.get_stop_data() for pickup in self.pickup_ids],
        }

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "stock.action_picking_tree_all"
        )
        action["domain"] = [("id", "in", self.lot_ids.picking_id.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Proposals
    # ------------------------------------------------------------------
    @api.model
    def _propose(self, company=None, start=None, max_lots=collection.DEFAULT_MAX_LOTS):
        """Draft rounds for the company's matched lots that no round takes
        yet, grouped by area and availability (see services/collection.py)."""
        company = company or self.env.company
        start = start or fields.Date.context_today(self)
        lots = self.env["reemploi.lot"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", MATCHED),
                ("round_id", "=", False),
            ]
        )
        slots = [
            collection.LotSlot(lot.id, lot.collection_area, lot.date_from, lot.date_to)
            for lot in lots
        ]
        proposals = collection.propose_rounds(slots, start, max_lots)
        return self.create(
            [
                {
                    "company_id": company.id,
                    "date": proposal.date,
                    "area": proposal.area,
                    "lot_ids": [Command.link(key) for key in proposal.keys],
                }
                for proposal in proposals
            ]
        )

    def action_propose_rounds(self):
        rounds = self._propose()
        if not rounds:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "message": self.env._(
                        "No matched lot waits for a round: nothing to propose."
                    ),
                    "type": "info",
                },
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Proposed rounds"),
            "res_model": self._name,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", rounds.ids)],
        }
