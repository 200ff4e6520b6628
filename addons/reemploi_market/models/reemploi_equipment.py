from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.reemploi_asset.models.reemploi_equipment_pool_mixin import PoolHold
from odoo.addons.reemploi_asset.services import lifecycle

from ..services import webhooks


class ReemploiEquipment(models.Model):
    _inherit = "reemploi.equipment"

    reemploi_lot_id = fields.Many2one(
        "reemploi.lot",
        string="Lot",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Lot in which the donor declared the device for reuse.",
    )

    def _custody_fields(self):
        # the lot carries the custody: the operator holds the devices of the
        # lots matched to it
        return super()._custody_fields() | {"reemploi_lot_id"}

    def _transition(self, target, note=None, document_ref=None, location=None):
        """What the market adds to a device's state change: the webhooks'
        deliveries are queued (sent after the commit, see
        reemploi.webhook.delivery), and a device that is no longer for sale
        leaves the shop at once."""
        previous = {equipment.id: equipment.state for equipment in self}
        result = super()._transition(
            target, note=note, document_ref=document_ref, location=location
        )
        self.env["reemploi.webhook.delivery"]._enqueue(
            webhooks.DEVICE_STATE_CHANGED, self, previous
        )
        if target != lifecycle.FOR_SALE:
            self.shop_product_id.product_tmpl_id._reemploi_sync_published()
        return result

    def _webhook_scope(self):
        """(operator, donor organisation) that may hear of this device."""
        self.ensure_one()
        return self.company_id, self.owner_id.commercial_partner_id

    def _webhook_data(self, previous_state):
        """Values of this device in the webhooks' payloads."""
        self.ensure_one()
        return {
            "id": self.id,
            "qr_token": self.qr_token,
            "serial": self.serial or None,
            "asset_tag": self.asset_tag or None,
            "source_ref": self.source_ref or None,
            "category": self.category_id.code,
            "state": self.state,
            "previous_state": previous_state,
            "owner_id": self.owner_id.commercial_partner_id.id or None,
            "operator_id": self.company_id.id or None,
            "lot_id": self.reemploi_lot_id.id or None,
        }

    shop_product_id = fields.Many2one(
        "product.product",
        string="Shop product",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Product of the refurbished shop (model and grade) under which "
        "the device is sold.",
    )
    warranty_months = fields.Integer(
        string="Warranty (months)",
        compute="_compute_warranty_months",
        store=True,
        readonly=False,
        help="Warranty given to the buyer; the category's by default.",
    )
    battery_health = fields.Float(
        string="Battery health (%)",
        compute="_compute_battery_health",
        store=True,
        readonly=False,
        digits=(16, 0),
        help="Remaining battery capacity in percent of its design capacity, "
        "measured by the last validated grading.",
    )

    reconditioned = fields.Boolean(
        string="Sold as reconditioned",
        compute="_compute_reconditioned",
        # stored: the shop's cards count their devices by it in one query
        store=True,
        help='Décret 2022-190: the shop calls the device "reconditionné" '
        "only when its last validated grading tested every function (OK or "
        "not applicable, none failed) and its data erasure is verified; "
        "otherwise it is sold as second-hand.",
    )
    shop_price = fields.Monetary(
        string="Shop price",
        compute="_compute_shop_price",
        currency_field="shop_currency_id",
        help="Price of the device on the shop: that of its shop product "
        "(model and grade), or for a new one the category's reference price "
        "times the grade's shop price percentage.",
    )
    shop_currency_id = fields.Many2one(
        "res.currency", compute="_compute_shop_price", string="Shop currency"
    )

    @api.depends(
        "shop_product_id.lst_price",
        "company_id",
        "category_id.shop_list_price",
        "grade_id.shop_price_percent",
        "manufacturer",
        "model",
        "grade_id",
    )
    def _compute_shop_price(self):
        ready = self.filtered(lambda e: e.grade_id and e.company_id)
        products = self.env["product.template"]._reemploi_find_shop_products(
            {
                device._shop_product_key()
                for device in ready
                if not device.shop_product_id
            }
        )
        for equipment in self:
            product = equipment.shop_product_id or (
                equipment in ready and products.get(equipment._shop_product_key())
            )
            equipment.shop_currency_id = equipment._shop_currency()
            equipment.shop_price = equipment._shop_price_of(
                product, equipment.grade_id
            )

    def _shop_currency(self):
        """The currency of the device's prices on the shop: its operator's
        (the user's company's for no device yet, as in a new grading)."""
        return self.company_id.currency_id or self.env.company.currency_id

    def _shop_price_of(self, product, grade):
        """The shop's price of this device graded ``grade``: its shop
        product's (``product``, if it has one), else the price its category
        gives a new product of that grade; 0 for no device yet."""
        if product:
            return product.lst_price
        if self.category_id:
            return self.category_id._shop_new_product_price(grade)
        return 0.0

    @api.depends(
        "grading_ids.state",
        "grading_ids.date",
        "grading_ids.functions_tested",
        "erasure_verified",
    )
    def _compute_reconditioned(self):
        for device in self:
            grading = device._last_done_grading()
            device.reconditioned = bool(
                grading and grading.functions_tested and device.erasure_verified
            )

    @api.depends("category_id.warranty_months")
    def _compute_warranty_months(self):
        for equipment in self:
            equipment.warranty_months = equipment.category_id.warranty_months

    @api.depends("grading_ids.state", "grading_ids.battery_health")
    def _compute_battery_health(self):
        for equipment in self:
            grading = equipment._last_done_grading()
            equipment.battery_health = grading.battery_health if grading else 0.0

    # ------------------------------------------------------------------
    # Publishing on the shop
    # ------------------------------------------------------------------
    def action_publish_shop(self):
        """Put graded devices with a verified erasure on the refurbished
        shop: sale state, product of their model and grade, serial in the
        operator's stock."""
        for equipment in self:
            # the shop offers devices of the pool: graded at least, not gone
            if equipment.state not in lifecycle.POOL_STATES or not equipment.grade_id:
                raise UserError(
                    self.env._(
                        "%(device)s cannot be published on the shop: grade it "
                        "first (a validated grading applied to the device).",
                        device=equipment.display_name,
                    )
                )
            if not equipment.company_id:
                raise UserError(
                    self.env._(
                        "%(device)s cannot be published on the shop: it is not "
                        "held by a reuse operator.",
                        device=equipment.display_name,
                    )
                )
        to_sell = self.filtered(lambda e: e.state != lifecycle.FOR_SALE)
        # the register's own preconditions: verified erasure, allowed step
        to_sell._transition(lifecycle.FOR_SALE)
        self._check_erasure_verified(lifecycle.FOR_SALE)
        products = self.env["product.template"]._reemploi_shop_products(self)
        for equipment in self:
            equipment.shop_product_id = products[equipment._shop_product_key()]
        self._shop_put_in_stock()
        self.shop_product_id.product_tmpl_id._reemploi_sync_published()
        return True

    def _shop_product_key(self, grade=None):
        """(operator, category, manufacturer, model, grade) of the shop
        product; ``grade`` instead of the device's own (a grading's)."""
        self.ensure_one()
        return (
            self.company_id.id,
            self.category_id.id,
            (self.manufacturer or "").strip(),
            (self.model or "").strip(),
            (grade or self.grade_id).id,
        )

    def _shop_put_in_stock(self):
        """Give each device a serial of its shop product and one unit of it
        in the stock of its operator's warehouse (inventory moves)."""
        # sudo: serials and inventory moves are the stock side of publishing
        # these devices, which the user may publish; stock adjustments are
        # otherwise reserved to stock managers
        devices = self.sudo()
        Quant = self.env["stock.quant"].sudo()
        moves = []
        stale = devices.filtered(
            lambda e: e.lot_id and e.lot_id.product_id != e.shop_product_id
        )
        if stale:
            # the device entered the stock under its category's product: that
            # unit leaves the stock and comes back as the shop product
            for quant in Quant.search(
                [
                    ("lot_id", "in", stale.lot_id.ids),
                    ("location_id.usage", "=", "internal"),
                    ("quantity", ">", 0),
                ]
            ):
                moves.append((quant.lot_id, quant.location_id, False))
        todo = devices.filtered(lambda e: e.lot_id.product_id != e.shop_product_id)
        # sudo: the operator publishing its own devices (checked above) may
        # lack stock rights; only their serials are created, in its company
        lots = (
            self.env["stock.lot"]
            .sudo()
            .create(
                [
                    {
                        "name": device.serial or device.asset_tag or f"RE-{device.id}",
                        "product_id": device.shop_product_id.id,
                        "company_id": device.company_id.id,
                    }
                    for device in todo
                ]
            )
        )
        for device, lot in zip(todo, lots, strict=True):
            device.lot_id = lot
        in_stock = Quant.search(
            [
                ("lot_id", "in", devices.lot_id.ids),
                ("location_id.usage", "=", "internal"),
                ("quantity", ">", 0),
            ]
        ).lot_id
        # the operator's own warehouse, made if it has none yet
        warehouses = {
            company: company._reemploi_warehouse() for company in devices.company_id
        }
        for device in devices.filtered(lambda e: e.lot_id not in in_stock):
            warehouse = warehouses[device.company_id]
            moves.append((device.lot_id, False, warehouse.lot_stock_id))
        self._shop_inventory_moves(moves)

    @api.model
    def _shop_inventory_moves(self, moves):
        """Validate one inventory move per (serial, from, to): a location or
        False for the product's inventory adjustment location."""
        if not moves:
            return
        by_company = {}
        for lot, source, destination in moves:
            product = lot.product_id.with_company(lot.company_id)
            source = source or product.property_stock_inventory
            destination = destination or product.property_stock_inventory
            by_company.setdefault(lot.company_id, []).append(
                {
                    "name": self.env._("Refurbished shop"),
                    "product_id": product.id,
                    "product_uom": product.uom_id.id,
                    "product_uom_qty": 1,
                    "company_id": lot.company_id.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "is_inventory": True,
                    "picked": True,
                    "move_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_id": product.uom_id.id,
                                "quantity": 1,
                                "location_id": source.id,
                                "location_dest_id": destination.id,
                                "lot_id": lot.id,
                                "company_id": lot.company_id.id,
                            }
                        )
                    ],
                }
            )
        for company, vals_list in by_company.items():
            # sudo: one unit of each published device put in its operator's
            # stock, in that company
            Move = self.env["stock.move"].sudo().with_company(company)
            Move.create(vals_list)._action_done()

    def _shop_unit_values(self):
        """Public values of the devices offered on a product page: no donor,
        no history, what a buyer needs to pick one."""
        return [
            {
                "id": device.id,
                "serial": device.serial or device.asset_tag or "",
                "grade": device.grade_id.code or "",
                "reconditioned": device.reconditioned,
                "battery_health": device.battery_health,
                "has_battery": device.category_id.has_battery,
                "warranty_months": device.warranty_months,
                "ram_gb": device.ram_gb,
                "storage_gb": device.storage_gb,
                "cpu": device.cpu or "",
            }
            for device in self
        ]

    # The devices that operators promised to demands leave the pool.
    demand_match_ids = fields.Many2many(
        "reemploi.demand.match",
        "reemploi_demand_match_equipment_rel",
        "equipment_id",
        "match_id",
        string="Demand allocations",
        readonly=True,
        copy=False,
    )

    def _pool_holds(self):
        # a device promised to a demand by an accepted demand match
        return [
            *super()._pool_holds(),
            PoolHold(
                "demand_match_ids",
                (("state", "=", "accepted"),),
                "partner_id.commercial_partner_id",
            ),
        ]
