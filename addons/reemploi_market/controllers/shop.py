from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.reemploi_asset.services import http_input
from odoo.addons.website_sale.controllers.main import WebsiteSale


class ReemploiShop(WebsiteSale):
    """The refurbished catalogue: filter by grade, pick a device."""

    def _reemploi_grade(self, post):
        return http_input.parse_id(post.get("grade"))

    @http.route()
    def shop(
        self,
        page=0,
        category=None,
        search="",
        min_price=0.0,
        max_price=0.0,
        ppg=False,
        **post,
    ):
        """A serial number typed in the search (read on a label, in a
        donor's report) opens the page of the device's product, where the
        device is listed: Odoo's search reads product names only."""
        device = self._reemploi_unit_by_serial(search)
        if device:
            product = device.shop_product_id.product_tmpl_id
            return request.redirect(
                f"{product.website_url}?{url_encode({'serial': device.serial})}"
                "#reemploi-device"
            )
        return super().shop(
            page=page,
            category=category,
            search=search,
            min_price=min_price,
            max_price=max_price,
            ppg=ppg,
            **post,
        )

    def _reemploi_unit_by_serial(self, search):
        """The device on sale on this website whose serial number is
        ``search`` (case and spaces aside), else an empty recordset."""
        Equipment = request.env["reemploi.equipment"]
        serial = " ".join(str(search or "").split())
        if not 3 <= len(serial) <= 64:
            return Equipment
        # sudo: only a device offered on this shop is looked up, and only
        # its product's page is answered
        Product = request.env["product.template"].sudo()
        for device in Equipment.sudo().search(
            [("serial", "=ilike", serial), ("shop_product_id", "!=", False)], limit=5
        ):
            template = Product.search(
                [
                    ("id", "=", device.shop_product_id.product_tmpl_id.id),
                    *request.website.sale_product_domain(),
                ]
            )
            if template and request.website._reemploi_sells(
                template.reemploi_operator_id
            ):
                domain = template._reemploi_units_domain(template.reemploi_operator_id)
                if Equipment.sudo().search_count([*domain, ("id", "=", device.id)]):
                    return device
        return Equipment

    def _get_search_options(self, **post):
        options = super()._get_search_options(**post)
        options["reemploi_grade"] = self._reemploi_grade(post)
        return options

    def _shop_get_query_url_kwargs(
        self, category, search, min_price, max_price, **post
    ):
        kwargs = super()._shop_get_query_url_kwargs(
            category, search, min_price, max_price, **post
        )
        kwargs["grade"] = self._reemploi_grade(post)
        return kwargs

    def _get_additional_extra_shop_values(self, values, **post):
        extra = super()._get_additional_extra_shop_values(values, **post)
        # sudo: the grades are the public grading standard
        extra["reemploi_grades"] = (
            request.env["reemploi.grade"].sudo().search([("scale", "=", "overall")])
        )
        extra["reemploi_grade_id"] = self._reemploi_grade(post)
        extra["reemploi_cards"] = (
            values["products"].sudo()._reemploi_card_values()
            if values.get("products")
            else {}
        )
        # the categories of the devices offered, not every category of the
        # database (Odoo's sample furniture in a demo one)
        offered = request.env["product.public.category"].search(
            [("product_tmpl_ids", "any", request.website.sale_product_domain())]
        )
        extra["categories"] = values["categories"].filtered(
            lambda category: category in offered.parents_and_self
        )
        return extra

    def _prepare_product_values(self, product, category, search, **kwargs):
        values = super()._prepare_product_values(product, category, search, **kwargs)
        # sudo: the grade and the category are the public standard; the
        # devices are shown through _shop_unit_values() only
        template = product.sudo()
        if template.reemploi_grade_id:
            if not request.website._reemploi_sells(template.reemploi_operator_id):
                # another operator's product, sold on its own website
                raise NotFound()
            units, count = template._reemploi_units(template.reemploi_operator_id)
            # the device looked up by its serial number comes first
            wanted = self._reemploi_unit_by_serial(kwargs.get("serial"))
            if wanted and wanted.shop_product_id.product_tmpl_id == template:
                units = wanted.sudo() | units
            values["reemploi"] = {
                "grade": template.reemploi_grade_id,
                "category": template.reemploi_category_id,
                "units": units._shop_unit_values(),
                "unit_count": count,
                "serial": wanted.serial if wanted else "",
            }
        return values

    @http.route(
        "/shop/reemploi/add",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def reemploi_add_device(self, equipment_id, **post):
        """Add one chosen refurbished device to the cart."""
        record_id = http_input.parse_id(str(equipment_id))
        if record_id is None:
            raise NotFound()
        # sudo: only the product of a device offered on the shop is read
        device = request.env["reemploi.equipment"].sudo().browse(record_id)
        if not device.exists() or not device.shop_product_id.is_published:
            raise NotFound()
        website = request.website
        operator = device.company_id
        order = website.sale_get_order(force_create=True)
        # the order is made in the company of the operator that sells the
        # device (its stock, its prices, its invoice), one operator per order
        if website._reemploi_sells(operator) and order.company_id != operator:
            if order.order_line:
                return self._reemploi_refuse(
                    device,
                    request.env._(
                        "Your cart holds devices sold by %(other)s: an order "
                        "holds the devices of one operator only. Order them "
                        "first, or empty your cart, to buy this device from "
                        "%(operator)s.",
                        other=order.company_id.name,
                        operator=operator.name,
                    ),
                )
            # an empty cart (made in the website's company, or of another
            # operator) goes to this one
            order.write(
                website._reemploi_order_company_values(
                    operator, order.partner_id, order.pricelist_id, order.team_id
                )
            )
        try:
            order._cart_update(
                product_id=device.shop_product_id.id,
                add_qty=1,
                reemploi_equipment_id=device.id,
            )
        except UserError as error:
            return self._reemploi_refuse(device, error.args[0])
        request.session["website_sale_cart_quantity"] = order.cart_quantity
        return request.redirect("/shop/cart")

    def _reemploi_refuse(self, device, message):
        """Back to the device's product page, with the reason."""
        query = url_encode({"reemploi_error": message})
        return request.redirect(
            f"{device.shop_product_id.product_tmpl_id.website_url}?{query}"
        )
