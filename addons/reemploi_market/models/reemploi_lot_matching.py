from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..services.lot_lifecycle import CANCELLED, DECLARED, MATCHED
from .reemploi_match_proposal import EXPIRED, OPEN_PROPOSAL_STATES, PROPOSED

COORDINATOR = "reemploi_asset.group_reemploi_coordinator"


class ReemploiLot(models.Model):
    """The matching of the lots: proposals of operators (reemploi.match.proposal)."""

    _inherit = "reemploi.lot"

    proposal_ids = fields.One2many(
        "reemploi.match.proposal", "lot_id", string="Proposals", readonly=True
    )
    proposal_count = fields.Integer(compute="_compute_proposal_count")
    current_proposal_id = fields.Many2one(
        "reemploi.match.proposal",
        string="Offered to",
        compute="_compute_proposal_count",
        help="Proposal waiting for the operator's answer.",
    )
    date_matched = fields.Datetime(
        string="Matched on",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the lot was matched with its operator: counts in the "
        "operator's capacity for its period.",
    )
    match_problem = fields.Text(
        string="Why no operator is proposed", readonly=True, copy=False
    )
    # the position of the pickup place (site, else donor), which the
    # matching needs: coordinators fix it here when the address gave none
    pickup_latitude = fields.Float(
        string="Pickup latitude",
        digits=(10, 7),
        compute="_compute_pickup_position",
        inverse="_inverse_pickup_position",
        help="Latitude of the pickup site (or of the donor without a site), "
        "in decimal degrees, e.g. 45.1885 for Grenoble.",
    )
    pickup_longitude = fields.Float(
        string="Pickup longitude",
        digits=(10, 7),
        compute="_compute_pickup_position",
        inverse="_inverse_pickup_position",
        help="Longitude of the pickup site (or of the donor without a site), "
        "in decimal degrees, e.g. 5.7245 for Grenoble.",
    )

    @api.depends("proposal_ids.state")
    def _compute_proposal_count(self):
        for lot in self:
            lot.proposal_count = len(lot.proposal_ids)
            lot.current_proposal_id = lot.proposal_ids.filtered(
                lambda p: p.state == PROPOSED
            )[:1]

    @api.depends(
        "site_id.partner_latitude",
        "site_id.partner_longitude",
        "partner_id.partner_latitude",
        "partner_id.partner_longitude",
    )
    def _compute_pickup_position(self):
        for lot in self:
            place = lot.site_id or lot.partner_id
            lot.pickup_latitude = place.partner_latitude
            lot.pickup_longitude = place.partner_longitude

    def _inverse_pickup_position(self):
        self._check_place_editor()
        for lot in self:
            place = lot.site_id or lot.partner_id
            values = {
                "partner_latitude": lot.pickup_latitude,
                "partner_longitude": lot.pickup_longitude,
            }
            if place and any(place[name] != value for name, value in values.items()):
                # sudo: coordinators keep the places of the lots without
                # write access to contacts; only the two coordinates change
                place.sudo().write(values)
        # the coordinates typed: the lots waiting for them are offered
        self._propose_when_placed()

    def _check_place_editor(self):
        """Only coordinators place the lots' pickup sites."""
        if not (self.env.su or self.env.user.has_group(COORDINATOR)):
            raise AccessError(
                self.env._(
                    "Only the territory coordinators may change the position "
                    "of a pickup site."
                )
            )
        self.check_access("write")

    def _set_state(self, target, **values):
        """Date the match; a lot matched or cancelled closes its proposals."""
        if target == MATCHED:
            values.setdefault("date_matched", fields.Datetime.now())
        result = super()._set_state(target, **values)
        if target in (MATCHED, CANCELLED):
            # sudo: the user may move these lots (checked by super); their
            # open proposals expire with them, whoever moved them
            self.sudo().proposal_ids.filtered(lambda p: p.state in OPEN_PROPOSAL_STATES).write(
                {"state": EXPIRED}
            )
        return result

    def action_propose(self):
        """Rank the operators that can take the lots and offer each lot to
        the first one (see reemploi.match.proposal)."""
        self._check_transition(MATCHED)
        self.check_access("write")
        self.env["reemploi.match.proposal"]._propose(self)
        return True

    def action_locate_pickup_site(self):
        """Place the pickup sites on the map from their address (Odoo's
        geocoder), then propose operators again for the lots declared."""
        self._check_place_editor()
        places = self.mapped(lambda lot: lot.site_id or lot.partner_id)
        # sudo: as in _inverse_pickup_position, only the coordinates change
        places.sudo().action_reemploi_geolocate()
        self._propose_when_placed()
        return True

    def _propose_when_placed(self):
        """Propose operators again for the declared lots that have none,
        now that their pickup place is on the map."""
        declared = self.filtered(
            lambda lot: (
                lot.state == DECLARED
                and not lot.current_proposal_id
                and lot.pickup_latitude
                and lot.pickup_longitude
            )
        )
        if declared:
            self.env["reemploi.match.proposal"]._propose(declared)

    def action_view_proposals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reemploi_market.reemploi_match_proposal_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        return action

    @api.model
    def _cron_propose(self):
        """Scheduled: update the operators' reliability, then propose
        operators for every declared lot not offered to any."""
        self.env["res.company"]._reemploi_update_reliability()
        lots = self.search(
            [
                ("state", "=", DECLARED),
                ("proposal_ids", "not any", [("state", "=", PROPOSED)]),
            ]
        )
        self.env["reemploi.match.proposal"]._propose(lots)
        return True
