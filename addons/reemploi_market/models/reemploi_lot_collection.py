from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..services.lot_lifecycle import COLLECTED, SCHEDULED


class ReemploiLot(models.Model):
    """A lot's collection: its round, its stock receipt, its check-in."""

    _inherit = "reemploi.lot"

    round_id = fields.Many2one(
        "reemploi.collection.round",
        string="Collection round",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
    )
    collection_area = fields.Char(
        string="Area",
        compute="_compute_collection_area",
        store=True,
        help="Postcode and commune of the pickup site: rounds group lots by area.",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Receipt",
        readonly=True,
        copy=False,
        help="Incoming transfer of the devices in the operator's stock.",
    )
    checkin_ids = fields.One2many("reemploi.lot.checkin", "lot_id", string="Check-ins")
    checkin_id = fields.Many2one(
        "reemploi.lot.checkin", string="Check-in", compute="_compute_checkin_id"
    )

    @api.depends("site_id.zip", "site_id.city", "partner_id.zip", "partner_id.city")
    def _compute_collection_area(self):
        for lot in self:
            place = (
                lot.site_id if lot.site_id.zip or lot.site_id.city else lot.partner_id
            )
            lot.collection_area = " ".join(filter(None, (place.zip, place.city)))

    @api.depends("checkin_ids")
    def _compute_checkin_id(self):
        for lot in self:
            lot.checkin_id = lot.checkin_ids[:1]

    # ------------------------------------------------------------------
    # Stock receipt
    # ------------------------------------------------------------------
    def _receipt_picking_type(self):
        self.ensure_one()
        warehouse = self.company_id._reemploi_warehouse()
        if not warehouse.in_type_id:
            raise UserError(
                self.env._(
                    "%(operator)s has no warehouse with a receipt operation: "
                    "configure its warehouse before planning the collection "
                    "of lot %(lot)s.",
                    operator=self.company_id.name,
                    lot=self.name,
                )
            )
        return warehouse.in_type_id

    def _create_receipt_pickings(self):
        """One incoming transfer per lot in its operator's company, one move
        per stock product (the product of each category) with the quantity
        declared. Categories without a stock product stay out of stock."""
        for lot in self.filtered(lambda lot: not lot.picking_id):
            quantities = defaultdict(int)
            for line in lot.line_ids:
                if line.category_id.product_id:
                    quantities[line.category_id.product_id] += line.quantity
            if not quantities:
                continue
            company = lot.company_id
            picking_type = lot.with_company(company)._receipt_picking_type()
            source = picking_type.default_location_src_id
            if not source:
                source = self.env.ref("stock.stock_location_suppliers")
            destination = picking_type.default_location_dest_id
            picking = (
                self.env["stock.picking"]
                .with_company(company)
                .create(
                    {
                        "picking_type_id": picking_type.id,
                        "company_id": company.id,
                        "partner_id": lot.partner_id.id,
                        "origin": lot.name,
                        "scheduled_date": lot.round_id.date or lot.date_from,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "move_ids": [
                            Command.create(
                                lot._receipt_move_values(
                                    product, quantity, source, destination
                                )
                            )
                            for product, quantity in quantities.items()
                        ],
                    }
                )
            )
            picking.action_confirm()
            lot.picking_id = picking

    def _release_receipts(self):
        """Lots leaving their round: their receipts, with nothing received
        yet, are cancelled."""
        pickings = self.picking_id.filtered(lambda p: p.state != "done")
        pickings.action_cancel()
        self.filtered(lambda lot: lot.picking_id in pickings).write(
            {"picking_id": False}
        )

    def _receipt_move_values(self, product, quantity, source, destination):
        self.ensure_one()
        return {
            "name": product.display_name,
            "product_id": product.id,
            "product_uom_qty": quantity,
            "product_uom": product.uom_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "company_id": self.company_id.id,
            "origin": self.name,
        }

    # ------------------------------------------------------------------
    # Check-in
    # ------------------------------------------------------------------
    def _get_checkin(self):
        """The check-in of the lot, created with what was declared; a lot
        checked in has been collected."""
        self.ensure_one()
        if not self.checkin_id and self.state not in (SCHEDULED, COLLECTED):
            raise UserError(
                self.env._(
                    "Lot %(lot)s is %(state)s: only a lot scheduled for "
                    "collection, or collected, is checked in.",
                    lot=self.name,
                    state=self._state_labels()[self.state].lower(),
                )
            )
        if self.state == SCHEDULED:
            self.action_collect()
        return self.checkin_id or self.env["reemploi.lot.checkin"].create(
            {"lot_id": self.id}
        )

    def action_open_checkin(self):
        self.ensure_one()
        return self._get_checkin().action_open_screen()
