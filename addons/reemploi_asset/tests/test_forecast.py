import datetime
import io

import openpyxl

from odoo.tests import BaseCase, HttpCase, tagged

from ..services import forecast
from .common import ReemploiCase

D = datetime.date


@tagged("at_install", "reemploi_unit")
class TestForecastService(BaseCase):
    def test_quarters(self):
        window = forecast.quarters(D(2026, 11, 23), years=1)
        self.assertEqual(window, [(2026, 4), (2027, 1), (2027, 2), (2027, 3)])
        self.assertEqual(forecast.quarter_label((2027, 1)), "2027 T1")
        self.assertEqual(forecast.horizon_end(D(2026, 11, 23), 1), D(2027, 9, 30))

    def test_expected_end(self):
        self.assertEqual(forecast.expected_end(D(2020, 3, 15), 5), D(2025, 3, 15))
        self.assertEqual(forecast.expected_end(D(2020, 3, 15), 4.5), D(2024, 9, 15))
        self.assertIsNone(forecast.expected_end(None, 5))

    def test_matrix_overdue_and_horizon(self):
        items = [
            (D(2020, 1, 1), "laptop", 2),  # overdue: due now
            (D(2027, 2, 10), "laptop", 1),
            (D(2027, 3, 1), "laptop", 1),
            (D(2040, 1, 1), "laptop", 5),  # beyond the horizon
            (None, "monitor", 3),
        ]
        window, keys, counts = forecast.matrix(items, D(2026, 11, 23), years=3)
        self.assertEqual(len(window), 12)
        self.assertEqual(keys, ["laptop"])
        self.assertEqual(counts[(2026, 4), "laptop"], 2)
        self.assertEqual(counts[(2027, 1), "laptop"], 2)
        self.assertEqual(sum(counts.values()), 4)


@tagged("post_install", "-at_install")
class TestForecast(ReemploiCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old = cls._device("FC-OLD", purchase_date=D(2019, 1, 10))
        cls.mid = cls._device("FC-MID", purchase_date=D(2022, 5, 20))
        cls.screen = cls._device(
            "FC-SCR", category=cls.monitor, purchase_date=D(2021, 2, 1)
        )
        cls.other = cls._device("FC-B", owner=cls.donor_b, purchase_date=D(2022, 5, 20))
        cls.start = D(2026, 11, 23)

    def test_policy_of_donor_recomputes_devices(self):
        self.assertEqual(self.mid.expected_end_date, D(2027, 5, 20))
        policy = self.env["reemploi.renewal.policy"].create(
            {"owner_id": self.donor_a.id, "category_id": self.laptop.id, "years": 4}
        )
        self.assertEqual(self.mid.expected_end_date, D(2026, 5, 20))
        self.assertEqual(self.other.expected_end_date, D(2027, 5, 20))
        policy.years = 6
        self.assertEqual(self.mid.expected_end_date, D(2028, 5, 20))
        self.mid.expected_end_override = D(2030, 1, 1)
        self.assertEqual(self.mid.expected_end_date, D(2030, 1, 1))
        policy.unlink()
        self.assertEqual(self.old.expected_end_date, D(2024, 1, 10))

    def test_forecast_counts_per_quarter(self):
        # as donor A: the park of the test's donor, whatever else the database holds
        Equipment = self.Equipment.with_user(self.user_donor_a)
        window, keys, counts = Equipment._forecast(start=self.start, by_owner=False)
        self.assertEqual(window[0], (2026, 4))
        laptop = (self.laptop.name, "")
        # FC-OLD is overdue (2024): due in the current quarter
        self.assertEqual(counts[(2026, 4), laptop], 1)
        self.assertEqual(counts[(2027, 2), laptop], 1)
        # the monitor: 2021 + 8 years, in the last year of the window
        self.assertEqual(counts[(2029, 1), (self.monitor.name, "")], 1)
        self.assertEqual(sum(counts.values()), 3)
        # one year later, the monitor is beyond a one-year horizon
        _window, keys, _counts = Equipment._forecast(start=self.start, years=1)
        self.assertNotIn(self.monitor.name, [key[0] for key in keys])

    def test_donor_sees_own_park_only(self):
        Equipment = self.Equipment.with_user(self.user_donor_b)
        _window, _keys, counts = Equipment._forecast(start=self.start, by_owner=False)
        self.assertEqual(sum(counts.values()), 1)
        data = Equipment._forecast_xlsx(start=self.start, by_owner=False)
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        self.assertEqual(sheet.cell(row=1, column=2).value, "2026 T4")
        self.assertEqual(sheet.cell(row=2, column=1).value, self.laptop.name)
        self.assertEqual(sheet.cell(row=2, column=14).value, 1)

    def test_coordinator_export(self):
        # the coordinator's menu "Export the forecast (XLSX)", as the web
        # client loads its action
        menu = self.env.ref("reemploi_asset.reemploi_forecast_export_menu")
        Menu = self.env["ir.ui.menu"].with_user(self.user_coordinator)
        self.assertIn(menu.id, Menu._visible_menu_ids())
        attachments = self.env["ir.attachment"].search_count([])
        self.user_coordinator.password = "coordinator"
        self.authenticate(self.user_coordinator.login, "coordinator")
        action = self.make_jsonrpc_request(
            "/web/action/load", {"action_id": menu.action.id}
        )
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet.cell(row=1, column=2).value, "Donor")
        # computed by the request, stored nowhere
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        # a user who may not read the register gets no file
        self.authenticate(None, None)
        response = self.url_open(action["url"], allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)

    def test_portal_forecast_page(self):
        self.user_donor_a.password = "donor_a"
        self.authenticate("donor_a", "donor_a")
        page = self.url_open("/my/equipment/forecast")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_reemploi_forecast", page.text)
        response = self.url_open("/my/equipment/forecast.xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        categories = [row[0].value for row in workbook.active.iter_rows(min_row=2)]
        self.assertIn(self.laptop.name, categories)
