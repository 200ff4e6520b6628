from datetime import timedelta

from odoo import Command, fields

from odoo.addons.reemploi_asset.tests.common import ReemploiCase

# the checks of a laptop graded for the shop: battery and keyboard fine,
# the battery at 87 % of its design capacity
LAPTOP_CHECKS = {
    "check_battery": "ok",
    "check_keyboard": "ok",
    "battery_design_capacity": 50.0,
    "battery_full_capacity": 43.5,
}


class MarketCase(ReemploiCase):
    """ReemploiCase's operators, donors and coordinator, plus lots."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Lot = cls.env["reemploi.lot"]
        cls.desktop = cls.env.ref("reemploi_asset.category_desktop")
        cls.site_a = cls.env["res.partner"].create(
            {
                "name": "Site A — magasin",
                "type": "delivery",
                "parent_id": cls.donor_a.id,
                "street": "1 rue du Lac",
                "zip": "38000",
                "city": "Grenoble",
            }
        )

    @classmethod
    def _lot_values(cls, donor=None, devices=None, quantities=None, today=None):
        # the window is relative to the day the test runs: declaring a lot
        # refuses a window already over
        today = today or fields.Date.today()
        lines = [Command.create({"equipment_id": d.id}) for d in devices or ()]
        lines += [
            Command.create({"category_id": category.id, "quantity": quantity})
            for category, quantity in (quantities or {}).items()
        ]
        return {
            "partner_id": (donor or cls.donor_a).id,
            "site_id": cls.site_a.id if not donor or donor == cls.donor_a else False,
            "pickup_address": "1 rue du Lac\n38000 Grenoble",
            "date_from": today + timedelta(days=2),
            "date_to": today + timedelta(days=30),
            "floor": 1,
            "has_lift": True,
            "contact_name": "Jeanne Accueil",
            "contact_phone": "04 76 00 00 00",
            "line_ids": lines,
        }

    @classmethod
    def _lot(cls, donor=None, devices=None, quantities=None, **values):
        """A complete draft lot, ready to be declared."""
        vals = cls._lot_values(donor, devices, quantities, values.pop("today", None))
        vals.update(values)
        return cls.env["reemploi.lot"].create(vals)

    @classmethod
    def _matched_lot(cls, company=None, **kwargs):
        lot = cls._lot(**kwargs)
        lot.action_declare()
        lot.action_match(company or cls.company_x)
        return lot


class QueryCountMixin:
    """For HttpCase: the SQL queries of one GET of a page, caches warm."""

    def _query_count(self, url):
        self.url_open(url)  # warm the caches
        before = self.cr.sql_log_count
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return self.cr.sql_log_count - before
