import base64

from odoo import api, fields, models
from odoo.tools.misc import file_open

from odoo.addons.reemploi_asset.services import lifecycle

IMAGE_PATH = "reemploi_market/static/img/shop/%s.svg"


class ProductTemplate(models.Model):
    _inherit = "product.template"

    reemploi_category_id = fields.Many2one(
        "reemploi.equipment.category",
        string="Equipment category",
        readonly=True,
        index="btree_not_null",
    )
    reemploi_manufacturer = fields.Char(string="Manufacturer", readonly=True)
    reemploi_model = fields.Char(string="Equipment model", readonly=True)
    reemploi_grade_id = fields.Many2one(
        "reemploi.grade",
        string="Grade",
        readonly=True,
        index="btree_not_null",
        help="Grade of every refurbished device sold under this product.",
    )
    # the product itself has no company: the territory's website lists the
    # devices of every operator, each order is made in the operator's company
    reemploi_operator_id = fields.Many2one(
        "res.company",
        string="Selling operator",
        readonly=True,
        index="btree_not_null",
        help="Reuse operator that sells the devices of this product, at its "
        "prices, from its stock.",
    )

    @api.model
    def _reemploi_shop_products(self, devices):
        """{device._shop_product_key(): product.product} for ``devices``,
        creating the missing products of the refurbished shop: one per
        operator, model and grade."""
        keys = {device._shop_product_key(): device for device in devices}
        products = self._reemploi_find_shop_products(keys)
        missing = [key for key in keys if key not in products]
        # sudo: the shop product of a model and grade is shared by every
        # operator; operators find and create it through publishing only
        Template = self.sudo().with_context(active_test=False)
        new = Template.create([self._reemploi_product_values(keys[k]) for k in missing])
        for key, template in zip(missing, new, strict=True):
            products[key] = template.product_variant_id
        return products

    @api.model
    def _reemploi_find_shop_products(self, keys):
        """{key: product.product} of the shop products that exist for these
        ``_shop_product_key()`` keys (none created)."""
        if not keys:
            return {}
        # sudo: the shop product of a model and grade is shared by every
        # operator; operators find and create it through publishing only
        Template = self.sudo().with_context(active_test=False)
        found = Template.search(
            [
                ("reemploi_operator_id", "in", [key[0] for key in keys]),
                ("reemploi_category_id", "in", [key[1] for key in keys]),
                ("reemploi_model", "in", [key[3] for key in keys]),
                ("reemploi_grade_id", "in", [key[4] for key in keys]),
            ]
        )
        products = {
            (
                template.reemploi_operator_id.id,
                template.reemploi_category_id.id,
                template.reemploi_manufacturer or "",
                template.reemploi_model or "",
                template.reemploi_grade_id.id,
            ): template.product_variant_id
            for template in found
        }
        return {key: products[key] for key in keys if key in products}

    @api.model
    def _reemploi_product_values(self, device):
        category = device.category_id
        name = " ".join(
            part
            for part in (device.manufacturer, device.model)
            if part and part.strip()
        )
        values = {
            "name": self.env._(
                "%(model)s — grade %(grade)s",
                model=name or category.name,
                grade=device.grade_id.code,
            ),
            "type": "consu",
            "is_storable": True,
            "tracking": "serial",
            "sale_ok": True,
            "purchase_ok": False,
            # each operator sells its own devices at its own prices; the
            # product has no company so that the territory's website lists
            # it, the serials and the orders are in the operator's company
            "company_id": False,
            "reemploi_operator_id": device.company_id.id,
            "list_price": category._shop_new_product_price(device.grade_id),
            "categ_id": (
                self.env.ref(
                    "reemploi_asset.product_category_reuse", raise_if_not_found=False
                )
                or self.env.ref("product.product_category_all")
            ).id,
            "public_categ_ids": [category._shop_public_category().id],
            "reemploi_category_id": category.id,
            "reemploi_manufacturer": (device.manufacturer or "").strip(),
            "reemploi_model": (device.model or "").strip(),
            "reemploi_grade_id": device.grade_id.id,
        }
        if "allow_out_of_stock_order" in self._fields:
            # website_sale_stock: a device sold is out of stock at once
            values["allow_out_of_stock_order"] = False
        return values

    def _reemploi_sync_published(self):
        """Publish the shop products that have devices for sale, unpublish
        the others: a sold device leaves the shop at once."""
        if not self:
            return
        # sudo: devices are counted, nothing of them is shown
        groups = (
            self.env["reemploi.equipment"]
            .sudo()
            ._read_group(
                [
                    ("shop_product_id.product_tmpl_id", "in", self.ids),
                    ("state", "=", lifecycle.FOR_SALE),
                ],
                ["shop_product_id"],
            )
        )
        available = {product.product_tmpl_id for (product,) in groups}
        # sudo: publishing follows the devices for sale, whoever sold the last
        for template in self.sudo():
            published = template in available
            if template.is_published != published:
                template.is_published = published

    def _reemploi_units(self, company, limit=24):
        """(devices for sale under this product in ``company``, their count).

        Two queries whatever the size of the register."""
        self.ensure_one()
        # sudo: the public buys these devices; the caller shows only
        # reemploi.equipment._shop_unit_values()
        Equipment = self.env["reemploi.equipment"].sudo()
        domain = self._reemploi_units_domain(company)
        units = Equipment.search(domain, limit=limit, order="battery_health desc, id")
        return units, Equipment.search_count(domain)

    def _reemploi_card_values(self):
        """{template id: {"grade", "reconditioned", "second_hand"}} for the
        shop's product cards: the grade and how many of the devices offered
        are sold as reconditioned or as second-hand (décret 2022-190), in
        one search for the whole page."""
        Equipment = self.env["reemploi.equipment"].sudo()
        templates = self.filtered("reemploi_grade_id")
        if not templates:
            return {}
        domain = [
            *Equipment._available_domain(),
            ("shop_product_id", "in", templates.product_variant_ids.ids),
            ("state", "=", lifecycle.FOR_SALE),
        ]
        cards = {
            template.id: {
                "grade": template.reemploi_grade_id.code or "",
                "reconditioned": 0,
                "second_hand": 0,
            }
            for template in templates
        }
        groups = Equipment._read_group(
            domain, ["shop_product_id", "company_id", "reconditioned"], ["__count"]
        )
        for product, company, reconditioned, count in groups:
            template = product.product_tmpl_id
            if template.id in cards and company == template.reemploi_operator_id:
                key = "reconditioned" if reconditioned else "second_hand"
                cards[template.id][key] += count
        return cards

    def _reemploi_units_domain(self, company):
        """The devices of the pool offered under this product on
        ``company``'s shop: published ones, promised to nobody."""
        return [
            *self.env["reemploi.equipment"]._available_domain(),
            ("shop_product_id", "in", self.product_variant_ids.ids),
            ("state", "=", lifecycle.FOR_SALE),
            ("company_id", "=", company.id),
        ]

    @api.model
    def _search_get_detail(self, website, order, options):
        detail = super()._search_get_detail(website, order, options)
        grade = options.get("reemploi_grade")
        if grade:
            detail["base_domain"].append([("reemploi_grade_id", "=", grade)])
        return detail

    # Demo data: pictures of the refurbished shop's products.
    @api.model
    def _demo_set_shop_images(self):
        """Give each shop product without a picture the drawing of its
        category (static/img/shop/<category code>.svg)."""
        templates = self.with_context(active_test=False).search(
            [("reemploi_category_id", "!=", False), ("image_1920", "=", False)]
        )
        images = {}
        for template in templates:
            code = template.reemploi_category_id.code
            if code not in images:
                try:
                    with file_open(IMAGE_PATH % code, "rb") as file:
                        images[code] = base64.b64encode(file.read())
                except FileNotFoundError:
                    images[code] = False
            if images[code]:
                template.image_1920 = images[code]
        return True
