import psycopg2

from odoo import Command, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.reemploi_asset.services.grading import CHECK_CODES

from .common import LAPTOP_CHECKS, MarketCase, QueryCountMixin


def shop_order(case, partner, devices, values=None, line_values=None):
    """An order of operator X for ``devices`` (a line each, with
    ``line_values``), of ``partner``, with ``values``; made in ``case``'s
    environment (a test case, or its class in setUpClass)."""
    return (
        case.env["sale.order"]
        .with_company(case.company_x)
        .create(
            {
                "partner_id": partner.id,
                "company_id": case.company_x.id,
                **(values or {}),
                "order_line": [
                    Command.create(
                        {
                            "product_id": device.shop_product_id.id,
                            "product_uom_qty": 1,
                            "reemploi_equipment_id": device.id,
                            **(line_values or {}),
                        }
                    )
                    for device in devices
                ],
            }
        )
    )


class ShopCase(MarketCase):
    """Devices of operator X ready for the shop of X's website."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env.ref("website.default_website")
        # the website of operator X, not the territory's
        cls.website.write(
            {"company_id": cls.company_x.id, "reemploi_territory_shop": False}
        )
        cls.laptop.write({"shop_list_price": 300.0, "warranty_months": 12})
        cls.Template = cls.env["product.template"]
        cls.buyer = new_test_user(
            cls.env,
            login="buyer",
            password="buyer",
            groups="base.group_portal",
            name="Camille Acheteuse",
            email="camille@example.org",
            company_id=cls.company_x.id,
            company_ids=[Command.set(cls.company_x.ids)],
        )
        cls.buyer.partner_id.write(
            {
                "street": "2 place Verdun",
                "zip": "38000",
                "city": "Grenoble",
                "country_id": cls.env.ref("base.fr").id,
                "phone": "04 76 00 00 01",
            }
        )

    @classmethod
    def _graded(cls, serial, model="Test-Book 14", scratched=False, **values):
        """A laptop of operator X, erased and graded (A, or lower when
        ``scratched``), with a battery at 87 %."""
        device = cls._received(serial, model=model, **values)
        cls._erase(device)
        device.action_mark_erased()
        defects = cls.env.ref("reemploi_asset.defect_scratch_minor")
        cls._grading(
            device,
            **LAPTOP_CHECKS,
            defect_ids=[Command.set(defects.ids if scratched else [])],
        )
        device.action_grade()
        return device

    @classmethod
    def _published(cls, serial, **kwargs):
        device = cls._graded(serial, **kwargs)
        device.with_user(cls.user_operator_x).action_publish_shop()
        return device

    def _order(self, *devices, partner=None, **values):
        """An order of operator X for ``devices`` (one line each), of
        ``partner`` (the buyer by default), with ``values``."""
        return shop_order(self, partner or self.buyer.partner_id, devices, values)

    @classmethod
    def _territory_shop(cls, *users):
        """The website becomes the coordinating body's (a company that is
        not an operator, "Métropole (test)"), selling every operator's
        devices; ``users`` sign up there, so they are its users too."""
        cls.metropolis = cls.env["res.company"].create(
            {"name": "Métropole (test)", "currency_id": cls.company_x.currency_id.id}
        )
        cls.website.write(
            {"company_id": cls.metropolis.id, "reemploi_territory_shop": True}
        )
        for user in users:
            user.company_ids = [Command.link(cls.metropolis.id)]


@tagged("post_install", "-at_install")
class TestShopPublish(ShopCase):
    def test_not_graded_refused(self):
        device = self._received("SHOP-NG-1")
        with self.assertRaisesRegex(UserError, "SHOP-NG-1.*grade it first"):
            device.with_user(self.user_operator_x).action_publish_shop()
        self.assertEqual(device.state, "received")
        self.assertFalse(device.shop_product_id)

    def test_erasure_not_verified_refused(self):
        device = self._graded("SHOP-NE-1")
        self._erase(device, medium_serial="SHOP-NE-1-D2", verification_result="fail")
        device.medium_count = 2
        with self.assertRaisesRegex(UserError, "SHOP-NE-1.*erasure is not verified"):
            device.with_user(self.user_operator_x).action_publish_shop()
        self.assertEqual(device.state, "graded")

    def test_other_operator_cannot_publish(self):
        device = self._graded("SHOP-OP-1")
        with self.assertRaises(AccessError):
            device.with_user(self.user_operator_y).action_publish_shop()

    def test_one_product_per_model_and_grade(self):
        first = self._published("SHOP-P-1")
        second = self._published("SHOP-P-2")
        other_model = self._published("SHOP-P-3", model="Test-Book 15")
        scratched = self._published("SHOP-P-4", scratched=True)
        self.assertEqual(first.state, "for_sale")
        self.assertEqual(first.shop_product_id, second.shop_product_id)
        self.assertNotEqual(first.shop_product_id, other_model.shop_product_id)
        self.assertNotEqual(first.grade_id, scratched.grade_id)
        self.assertNotEqual(first.shop_product_id, scratched.shop_product_id)
        # the same model and grade at another operator is another product
        elsewhere = self._graded("SHOP-P-5", company=self.company_y)
        elsewhere.with_user(self.user_operator_y).action_publish_shop()
        self.assertEqual(elsewhere.grade_id, first.grade_id)
        self.assertNotEqual(first.shop_product_id, elsewhere.shop_product_id)
        self.assertEqual(elsewhere.shop_product_id.reemploi_operator_id, self.company_y)
        self.assertFalse(elsewhere.shop_product_id.company_id)
        template = first.shop_product_id.product_tmpl_id
        self.assertEqual(template.tracking, "serial")
        self.assertTrue(template.is_storable)
        self.assertTrue(template.is_published)
        self.assertEqual(template.reemploi_grade_id, first.grade_id)
        self.assertEqual(template.list_price, 300.0)
        self.assertIn(first.grade_id.code, template.name)
        self.assertEqual(template.public_categ_ids, self.laptop.public_categ_id)
        self.assertEqual(first.battery_health, 87.0)
        self.assertEqual(first.warranty_months, 12)

    def test_bench_grading_to_sale_in_one_form(self):
        """At the bench: the exceptions first, "Everything else works", the
        cosmetic check, then one button validates, grades and publishes at
        the price the form shows."""
        device = self._received("SHOP-BENCH-1", model="Test-Book 14")
        self._erase(device)
        operator = self.user_operator_x
        action = device.with_user(operator).action_new_grading()
        form = Form(
            self.env[action["res_model"]]
            .with_user(operator)
            .with_company(self.company_x)
            .with_context(**action["context"])
        )
        form.check_audio = "ko"
        grading = form.save()
        grading.action_rest_ok()
        self.assertEqual(grading.check_power, "ok")
        self.assertEqual(grading.check_camera, "ok")
        self.assertEqual(grading.check_audio, "ko")
        self.assertFalse(grading.functions_tested)
        form = Form(grading)
        form.check_audio = "ok"
        form.cosmetic_checked = True
        form.save()
        self.assertTrue(grading.functions_tested)
        self.assertEqual(grading.grade_id, self.grade_a)
        self.assertEqual(grading.shop_price, 300.0)
        action = grading.action_done_grade_publish()
        self.assertEqual(grading.state, "done")
        # from the form, the technician is told what became of the device
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("on sale at", action["params"]["message"])
        self.assertIn("300", action["params"]["message"])
        self.assertEqual(device.state, "for_sale")
        self.assertEqual(device.grade_id, self.grade_a)
        self.assertTrue(device.shop_product_id)
        self.assertTrue(device.reconditioned)
        # a done session takes no bulk check any more
        with self.assertRaisesRegex(UserError, "not a draft"):
            grading.with_user(operator).action_rest_ok()
        # the next device of that model and grade: the product's own price
        device.shop_product_id.product_tmpl_id.list_price = 275.0
        other = self._received("SHOP-BENCH-2", model="Test-Book 14")
        self._erase(other)
        grading = self._grading(other, validate=False, cosmetic_checked=True)
        grading.action_rest_ok()
        self.assertEqual(grading.grade_id, self.grade_a)
        self.assertEqual(grading.shop_price, 275.0)

    def test_operator_added_later_gets_its_warehouse(self):
        """Odoo makes a warehouse for the first company only (and for every
        company in tests): an operator added in Settings gets one when its
        first device goes on the shop."""
        self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_x.id)]
        ).write({"active": False})
        device = self._graded("SHOP-WH-1")
        device.with_user(self.user_operator_x).action_publish_shop()
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_x.id)]
        )
        self.assertEqual(len(warehouse), 1)
        self.assertEqual(
            device.lot_id.quant_ids.filtered(lambda q: q.quantity > 0).location_id,
            warehouse.lot_stock_id,
        )

    def test_bench_nothing_to_report_and_publish_in_one_tap(self):
        device = self._received("SHOP-BENCH-4", model="Test-Book 14")
        self._erase(device)
        operator = self.user_operator_x
        grading = self._grading(device, validate=False, cosmetic_checked=False)
        grading = grading.with_user(operator)
        grading.action_rest_ok()
        result = grading.with_context(
            reemploi_nothing_to_report=True, reemploi_bench=True
        ).action_done_grade_publish()
        self.assertTrue(grading.cosmetic_checked)
        self.assertEqual(device.state, "for_sale")
        # opened from the grading bench: back to it, saying what was done
        self.assertEqual(result["tag"], "reemploi_bench_scan")
        self.assertIn("SHOP-BENCH-4", result["params"]["done"])
        self.assertIn("300", result["params"]["done"])
        self.assertEqual(device.grade_id, self.grade_a)
        # a tapped cosmetic defect is not overridden by the key
        other = self._received("SHOP-BENCH-5", model="Test-Book 14")
        self._erase(other)
        scratch = self.env.ref("reemploi_asset.defect_scratch_minor")
        grading = self._grading(
            other, validate=False, cosmetic_checked=False,
            defect_ids=[Command.set(scratch.ids)],
        ).with_user(operator)
        grading.with_context(reemploi_nothing_to_report=True).action_done_grade_publish()
        self.assertFalse(grading.cosmetic_checked)
        self.assertEqual(grading.defect_ids, scratch)
        self.assertEqual(other.grade_id, self.grade_b)

    def test_bench_publish_refused_without_verified_erasure(self):
        device = self._received("SHOP-BENCH-3", model="Test-Book 14")
        grading = self._grading(device, validate=False, cosmetic_checked=True)
        with self.assertRaisesRegex(UserError, "SHOP-BENCH-3"):
            grading.with_user(self.user_operator_x).action_done_grade_publish()
        self.assertNotEqual(device.state, "for_sale")

    def test_price_shown_before_publishing(self):
        """The form shows the price the device will have on the shop: the
        category's reference price for a new product, then the price the
        operator gave the product of that model and grade."""
        device = self._graded("SHOP-PR-1")
        form = Form(device.with_user(self.user_operator_x))
        self.assertEqual(form.shop_price, 300.0)
        self.assertEqual(form.shop_currency_id, self.company_x.currency_id)
        first = self._published("SHOP-PR-2")
        first.shop_product_id.product_tmpl_id.list_price = 260.0
        device.invalidate_recordset(["shop_price"])
        self.assertEqual(Form(device.with_user(self.user_operator_x)).shop_price, 260.0)
        device.with_user(self.user_operator_x).action_publish_shop()
        self.assertEqual(device.shop_product_id, first.shop_product_id)
        self.assertEqual(device.shop_price, 260.0)

    def test_price_follows_the_grade(self):
        """A lower grade sells for less: the grade's shop price percentage of
        the category's reference price, the same on the form before
        publishing and on the shop after."""
        scratched = self._graded("SHOP-PR-3", model="Test-Book 17", scratched=True)
        grade = scratched.grade_id
        grade.sudo().shop_price_percent = 70.0
        form = Form(scratched.with_user(self.user_operator_x))
        self.assertEqual(form.shop_price, 210.0)
        scratched.with_user(self.user_operator_x).action_publish_shop()
        self.assertEqual(scratched.shop_product_id.lst_price, 210.0)
        with self.assertRaises(ValidationError):
            grade.sudo().shop_price_percent = 0.0

    def test_serial_in_stock_of_the_operator(self):
        device = self._published("SHOP-S-1")
        self.assertEqual(device.lot_id.product_id, device.shop_product_id)
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", device.lot_id.id), ("location_id.usage", "=", "internal")]
        )
        self.assertEqual(sum(quants.mapped("quantity")), 1.0)
        self.assertEqual(quants.company_id, self.company_x)
        self.assertEqual(
            device.shop_product_id.with_company(self.company_x).qty_available, 1
        )

    def test_stock_of_the_category_product_moves_to_the_shop_product(self):
        device = self._graded("SHOP-S-2")
        generic = device.lot_id
        self.assertEqual(generic.product_id, self.laptop.product_id)
        stock = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_x.id)], limit=1
        )
        self.env["reemploi.equipment"]._shop_inventory_moves(
            [(generic, False, stock.lot_stock_id)]
        )
        self.assertEqual(generic.product_qty, 1)
        device.with_user(self.user_operator_x).action_publish_shop()
        self.assertEqual(generic.product_qty, 0)
        self.assertEqual(device.lot_id.product_qty, 1)
        self.assertEqual(device.lot_id.name, "SHOP-S-2")

    def test_publishing_again_keeps_one_unit(self):
        device = self._published("SHOP-S-3")
        device.with_user(self.user_operator_x).action_publish_shop()
        self.assertEqual(device.lot_id.product_qty, 1)

    def test_pricelist_by_grade(self):
        grade_a = self._published("SHOP-PL-1")
        scratched = self._published("SHOP-PL-2", scratched=True)
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Par grade",
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 20.0,
                            "reemploi_grade_id": scratched.grade_id.id,
                        }
                    )
                ],
            }
        )
        self.assertEqual(
            pricelist._get_product_price(grade_a.shop_product_id, 1.0), 300.0
        )
        # the product's own price is the category's reference price times
        # its grade's shop price percentage; the pricelist takes 20 % off
        factor = scratched.grade_id.shop_price_percent / 100.0
        self.assertEqual(
            scratched.shop_product_id.lst_price, round(300.0 * factor)
        )
        self.assertEqual(
            pricelist._get_product_price(scratched.shop_product_id, 1.0),
            round(300.0 * factor) * 0.8,
        )

    def test_public_reads_published_products_only(self):
        device = self._published("SHOP-PUB-1")
        template = device.shop_product_id.product_tmpl_id
        # the website of operator X has its own public user
        visitor = self.website.user_id
        self.assertEqual(visitor.company_id, self.company_x)
        template.with_user(visitor).check_access("read")
        template.is_published = False
        with self.assertRaises(AccessError):
            template.with_user(visitor).check_access("read")


@tagged("post_install", "-at_install")
class TestShopSale(ShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device_1 = cls._published("SHOP-O-1")
        cls.device_2 = cls._published("SHOP-O-2")
        cls.product = cls.device_1.shop_product_id

    def test_confirmation_sells_and_delivers_the_serial(self):
        order = self._order(self.device_2)
        order.action_confirm()
        self.assertEqual(self.device_2.state, "sold")
        self.assertEqual(self.device_1.state, "for_sale")
        move_lines = order.picking_ids.move_ids.move_line_ids
        self.assertEqual(move_lines.lot_id, self.device_2.lot_id)
        self.assertTrue(self.product.product_tmpl_id.is_published)

    def test_last_device_sold_leaves_the_shop(self):
        self._order(self.device_1).action_confirm()
        self._order(self.device_2).action_confirm()
        self.assertFalse(self.product.product_tmpl_id.is_published)

    def test_two_orders_cannot_sell_the_same_device(self):
        first = self._order(self.device_1)
        second = self._order(self.device_1)
        first.action_confirm()
        with self.assertRaisesRegex(UserError, "SHOP-O-1.*already sold"):
            second.action_confirm()
        self.assertEqual(second.state, "draft")

    def test_database_refuses_the_same_device_twice(self):
        first = self._order(self.device_1)
        second = self._order(self.device_1)
        first.action_confirm()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.ExclusionViolation),
            self.env.cr.savepoint(),
        ):
            # what two concurrent confirmations would write
            second.write({"state": "sale"})
            second.flush_recordset()
            second.order_line.flush_recordset()

    def test_one_device_per_line(self):
        order = self._order(self.device_1)
        with self.assertRaisesRegex(ValidationError, "quantity must be 1"):
            order.order_line.product_uom_qty = 2

    def test_donated_device_leaves_the_shop(self):
        self.device_1.action_donate()
        self.assertTrue(self.product.product_tmpl_id.is_published)
        self.device_2.action_donate()
        self.assertFalse(self.product.product_tmpl_id.is_published)

    def test_no_compensation_by_default(self):
        self._order(self.device_1).action_confirm()
        self.assertFalse(
            self.env["reemploi.compensation"].search(
                [("equipment_id", "=", self.device_1.id)]
            )
        )

    def test_compensation_recorded(self):
        self.company_x.reemploi_waste_compensation = True
        order = self._order(self.device_1, self.device_2)
        order.action_confirm()
        compensations = self.env["reemploi.compensation"].search(
            [("sale_order_id", "=", order.id)]
        )
        self.assertEqual(compensations.equipment_id, self.device_1 | self.device_2)
        self.assertEqual(set(compensations.mapped("state")), {"pending"})
        scrap = self._received("SHOP-SCRAP-1")
        compensation = compensations[0].with_user(self.user_operator_x)
        compensation.recycled_equipment_id = scrap
        compensation.action_collect()
        with self.assertRaisesRegex(UserError, "SHOP-SCRAP-1.*not recycled yet"):
            compensation.action_recycle()
        self._erase(scrap)
        scrap.action_recycle()
        compensation.action_recycle()
        self.assertEqual(compensation.state, "recycled")
        self.assertTrue(compensation.date_recycled)
        # counted in the report
        counts = dict(
            self.env["reemploi.compensation"]._read_group(
                [("company_id", "=", self.company_x.id)], ["state"], ["__count"]
            )
        )
        self.assertEqual(counts, {"pending": 1, "recycled": 1})
        # operators see their own company's, coordinators all
        self.assertFalse(
            self.env["reemploi.compensation"]
            .with_user(self.user_operator_y)
            .search([("id", "in", compensations.ids)])
        )
        self.assertEqual(
            self.env["reemploi.compensation"]
            .with_user(self.user_coordinator)
            .search([("id", "in", compensations.ids)]),
            compensations,
        )
        with self.assertRaises(AccessError):
            compensations.with_user(self.user_operator_y).read(["state"])
        with self.assertRaises(AccessError):
            compensations.with_user(self.user_operator_x).unlink()


class ShopHttpCase(ShopCase, HttpCase):
    def _add_to_cart(self, device):
        return self.url_open(
            "/shop/reemploi/add",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "equipment_id": str(device.id),
            },
        )

    def _cart(self):
        return self.env["sale.order"].search(
            [("partner_id", "=", self.buyer.partner_id.id), ("state", "=", "draft")],
            order="id desc",
            limit=1,
        )


@tagged("post_install", "-at_install")
class TestShopPages(ShopHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device_1 = cls._published("SHOP-H-1")
        cls.device_2 = cls._published("SHOP-H-2")
        cls.scratched = cls._published("SHOP-H-3", model="Test-Book 15", scratched=True)
        cls.template = cls.device_1.shop_product_id.product_tmpl_id

    def test_product_page(self):
        page = self.url_open(self.template.website_url).text
        grade = self.device_1.grade_id
        self.assertIn(grade.code, page)
        self.assertIn(grade.name, page)
        self.assertIn(f"{self.laptop.co2e_kg:.0f} kg CO2e avoided", page)
        self.assertIn("Warranty: 12 months", page)
        self.assertIn('Battery <span class="o_reemploi_battery">87</span>', page)
        self.assertIn("SHOP-H-1", page)
        self.assertIn("SHOP-H-2", page)
        self.assertNotIn("SHOP-H-3", page)
        # the terms that apply, not Odoo's sample promises
        self.assertIn("o_reemploi_product_terms", page)
        self.assertNotIn("30-day money-back guarantee", page)
        self.assertNotIn("2-3 Business Days", page)

    def test_reconditioned_only_when_every_function_tested(self):
        """Décret 2022-190: "reconditionné" needs every function test and
        the erasure recorded; otherwise the device is second-hand."""
        self.assertFalse(self.device_1.reconditioned)
        device = self._published_reconditioned("SHOP-H-4")
        self.assertTrue(device.reconditioned)
        page = self.url_open(self.template.website_url).text
        units = {
            serial: block
            for block in page.split('class="list-group-item')[1:]
            for serial in ("SHOP-H-1", "SHOP-H-4")
            if f'o_reemploi_serial">{serial}<' in block
        }
        self.assertIn("o_reemploi_reconditioned", units["SHOP-H-4"])
        self.assertNotIn("o_reemploi_second_hand", units["SHOP-H-4"])
        self.assertIn("o_reemploi_second_hand", units["SHOP-H-1"])
        self.assertNotIn("o_reemploi_reconditioned", units["SHOP-H-1"])
        # a failed test, even later graded, is not reconditioned
        failed = self._received("SHOP-H-5", model="Test-Book 14")
        self._erase(failed)
        failed.action_mark_erased()
        self._grading(
            failed,
            **{f"check_{code}": "ok" for code in CHECK_CODES if code != "audio"},
            check_audio="ko",
        )
        failed.action_grade()
        self.assertFalse(failed.reconditioned)

    def _published_reconditioned(self, serial):
        """A Test-Book 14 with every function tested and its erasure
        verified, on the shop."""
        device = self._received(serial, model="Test-Book 14")
        self._erase(device)
        device.action_mark_erased()
        self._grading(
            device,
            **{f"check_{code}": "ok" for code in CHECK_CODES if code != "camera"},
            check_camera="na",
            battery_design_capacity=50.0,
            battery_full_capacity=43.5,
        )
        device.action_grade()
        device.with_user(self.user_operator_x).action_publish_shop()
        return device

    @staticmethod
    def _card(page, name):
        """The part of the shop's page under the title of product ``name``,
        up to the next product's title."""
        blocks = page.split("o_wsale_products_item_title")[1:]
        return next(block for block in blocks if name in block.split("</h6>")[0])

    def test_card_tells_reconditioned_or_second_hand(self):
        """The shop's cards give the grade and say whether the devices are
        sold as reconditioned or second-hand, as their units do."""
        card = self._card(self.url_open("/shop").text, self.template.name)
        self.assertIn(
            f'o_reemploi_card_grade">{self.device_1.grade_id.code}<', card
        )
        self.assertIn("o_reemploi_second_hand", card)
        self.assertNotIn("o_reemploi_reconditioned", card)
        values = self.template._reemploi_card_values()[self.template.id]
        self.assertEqual((values["reconditioned"], values["second_hand"]), (0, 2))
        # a device with every function tested and its erasure verified:
        # reconditioned; its product shows both kinds
        device = self._published_reconditioned("SHOP-H-6")
        self.assertTrue(device.reconditioned)
        values = self.template._reemploi_card_values()[self.template.id]
        self.assertEqual((values["reconditioned"], values["second_hand"]), (1, 2))
        card = self._card(self.url_open("/shop").text, self.template.name)
        self.assertIn("o_reemploi_reconditioned", card)
        self.assertIn("o_reemploi_second_hand", card)

    def test_search_by_serial_opens_the_device(self):
        """A serial typed in the shop's search opens its product's page with
        the device first and marked; a serial not on sale is a plain
        search."""
        response = self.url_open("/shop?search=shop-h-2")
        self.assertIn(self.template.website_url, response.url)
        block = response.text.split("o_reemploi_unit_searched")[1][:2000]
        self.assertIn('o_reemploi_serial">SHOP-H-2<', block)
        self._order(self.device_2).action_confirm()
        response = self.url_open("/shop?search=SHOP-H-2")
        self.assertNotIn(self.template.website_url, response.url)
        self.assertNotIn("o_reemploi_unit_searched", response.text)

    def test_filters(self):
        grade = self.device_1.grade_id
        other = self.scratched.shop_product_id.product_tmpl_id
        page = self.url_open(f"/shop?grade={grade.id}").text
        self.assertIn(self.template.name, page)
        self.assertNotIn(other.name, page)
        page = self.url_open(f"/shop?grade={self.scratched.grade_id.id}").text
        self.assertNotIn(self.template.name, page)
        self.assertIn(other.name, page)
        category = self.laptop.public_categ_id
        page = self.url_open(f"/shop/category/{category.id}").text
        self.assertIn(self.template.name, page)
        other.list_price = 150.0
        page = self.url_open("/shop?min_price=10&max_price=200").text
        self.assertIn(other.name, page)
        self.assertNotIn(self.template.name, page)

    def test_add_chosen_device_and_checkout(self):
        self.authenticate("buyer", "buyer")
        response = self._add_to_cart(self.device_2)
        self.assertTrue(response.url.endswith("/shop/cart"))
        self.assertIn("SHOP-H-2", response.text)
        order = self._cart()
        self.assertEqual(order.order_line.reemploi_equipment_id, self.device_2)
        self.assertEqual(order.order_line.product_uom_qty, 1)
        # the same device twice stays one line of one device
        self._add_to_cart(self.device_2)
        self.assertEqual(len(order.order_line), 1)
        self.assertEqual(order.order_line.product_uom_qty, 1)
        self.assertEqual(self.url_open("/shop/checkout").status_code, 200)
        # the payment confirms the order
        order.action_confirm()
        self.assertEqual(self.device_2.state, "sold")
        page = self.url_open(self.template.website_url).text
        self.assertNotIn("SHOP-H-2", page)
        self.assertIn("SHOP-H-1", page)

    def test_sold_device_cannot_be_added(self):
        self._order(self.device_1).action_confirm()
        self.authenticate("buyer", "buyer")
        response = self._add_to_cart(self.device_1)
        self.assertIn("is available any more", response.text)
        self.assertFalse(self._cart().order_line)

    def test_tour_buyer_picks_a_serial(self):
        self._published("SHOP-TOUR-1", model="TOUR-A")
        self._published("SHOP-TOUR-2", model="TOUR-A")
        self._published("SHOP-TOUR-3", model="TOUR-B", scratched=True)
        self.start_tour("/shop", "reemploi_shop_buy", login="buyer")
        order = self._cart()
        self.assertEqual(order.order_line.reemploi_equipment_id.serial, "SHOP-TOUR-2")


@tagged("post_install", "-at_install")
class TestShopQueries(QueryCountMixin, ShopHttpCase):
    """The shop and a product page do not grow with the register."""

    def _populate(self, count, prefix, models):
        devices = self.env["reemploi.equipment"]
        for index in range(count):
            devices |= self._graded(
                f"{prefix}-{index}", model=models[index % len(models)]
            )
        devices.action_publish_shop()
        return devices

    def test_shop_and_product_page_constant(self):
        # five products: the first page (four products) is full from the start
        models = [f"Q-Model-{n}" for n in range(1, 6)]
        devices = self._populate(10, "QS1", models)
        template = devices[0].shop_product_id.product_tmpl_id
        urls = ("/shop?ppg=4", template.website_url)
        counts = {url: self._query_count(url) for url in urls}
        self._populate(120, "QS2", [f"Q-Model-{n}" for n in range(1, 41)])
        # the product page now lists 5 devices instead of 2
        product = template.product_variant_id.with_company(self.company_x)
        self.assertEqual(product.qty_available, 5)
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self._query_count(url), counts[url])
