import io
from datetime import date, datetime

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from ..services import social_report
from ..wizards.reemploi_social_report_wizard import REPORT_REF
from .common import SocialCase

OCTOBER = datetime(2026, 10, 15, 9, 0)
NOVEMBER = datetime(2026, 11, 16, 9, 0)
PERIOD = {"date_from": date(2026, 10, 1), "date_to": date(2026, 11, 30)}


@tagged("post_install", "-at_install")
class TestSocialReport(SocialCase):
    """Association A (serves Alpha and Beta) buys two laptops in October and
    is given a desktop in November; association B (serves Gamma) buys a
    laptop in November. A hands its first laptop over to a person of Gamma.
    A draft order, a cancelled order and an ordinary buyer's order do not
    count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["reemploi.social.report"]
        cls.laptop.write({"co2e_kg": 200.0, "weight_kg": 2.5})
        cls.desktop.write(
            {
                "co2e_kg": 300.0,
                "weight_kg": 7.5,
                "shop_list_price": 200.0,
                "warranty_months": 6,
            }
        )
        Commune = cls.env["reemploi.commune"]
        cls.alpha, cls.beta, cls.gamma = Commune.create(
            [
                {"name": "Alpha-sur-Isère", "insee_code": "99002"},
                {"name": "Beta-les-Bains", "insee_code": "99001"},
                {"name": "Gamma", "insee_code": "99003"},
            ]
        )
        cls.communes = cls.alpha | cls.beta | cls.gamma
        cls.association_a.commune_ids = [Command.set((cls.alpha | cls.beta).ids)]
        cls.association_b.write(
            {
                "accreditation_end": date(2027, 12, 31),
                "commune_ids": [Command.set(cls.gamma.ids)],
            }
        )
        cls.quota_a.limit_qty = 10
        cls._quota(cls.association_a, cls.desktop, 5)
        # erasures and gradings are dated: no dependence on the clock
        with freeze_time(datetime(2026, 10, 1, 8, 0)):
            cls.laptop_1 = cls._published("SOC-R-L1")
            cls.laptop_2 = cls._published("SOC-R-L2")
            cls.laptop_3 = cls._published("SOC-R-L3")
            cls.desktop_1 = cls._published("SOC-R-D1", category=cls.desktop)
            cls.draft_device = cls._published("SOC-R-DRAFT")
            cls.cancelled_device = cls._published("SOC-R-CANCEL")
            cls.ordinary_device = cls._published("SOC-R-ORD")
        cls.counted = cls.laptop_1 | cls.laptop_2 | cls.laptop_3 | cls.desktop_1
        cls.all_devices = (
            cls.counted | cls.draft_device | cls.cancelled_device | cls.ordinary_device
        )

    def setUp(self):
        super().setUp()
        with freeze_time(OCTOBER):
            self.order_october = self._confirmed(
                self.user_association_a, self.laptop_1, self.laptop_2
            )
        with freeze_time(NOVEMBER):
            gift = self._solidarity_order(self.user_association_a, self.desktop_1)
            gift.order_line.price_unit = 0.0
            gift.action_confirm()
            self._confirmed(self.user_association_b, self.laptop_3)
            self._solidarity_order(self.user_association_a, self.draft_device)
            cancelled = self._confirmed(self.user_association_a, self.cancelled_device)
            cancelled._action_cancel()
            self._order(self.ordinary_device).action_confirm()
            self.handover = self.env["reemploi.handover"].create(
                {
                    "association_id": self.association_a.id,
                    "equipment_id": self.laptop_1.id,
                    "category_id": self.laptop.id,
                    "need_category_id": self.need_job.id,
                    "commune_id": self.gamma.id,
                }
            )
        self.env.flush_all()

    def _confirmed(self, user, *devices):
        order = self._solidarity_order(user, *devices)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _rows(self, user=None):
        Report = self.Report.with_user(user) if user else self.Report
        return Report.search([("association_id", "in", self._associations().ids)])

    def _associations(self):
        return self.association_a | self.association_b

    def _grouped(self, groupby, user=None):
        Report = self.Report.with_user(user or self.user_coordinator)
        return {
            key: (devices, people, co2e)
            for key, devices, people, co2e in Report._read_group(
                [("association_id", "in", self._associations().ids)],
                [groupby],
                ["devices:sum", "people_reached:sum", "co2e_kg:sum"],
            )
        }

    def _wizard(self, **values):
        vals = dict(PERIOD, commune_ids=[Command.set(self.communes.ids)])
        vals.update(values)
        return (
            self.env["reemploi.social.report.wizard"]
            .with_user(self.user_coordinator)
            .create(vals)
        )

    # ------------------------------------------------------------------
    # Rows
    # ------------------------------------------------------------------
    def test_only_confirmed_solidarity_orders(self):
        rows = self.Report.search([("equipment_id", "in", self.all_devices.ids)])
        self.assertEqual(rows.equipment_id, self.counted)
        self.assertEqual(set(rows.mapped("kind")), {"device"})
        self.assertEqual(sum(rows.mapped("devices")), 4)

    def test_row_of_a_device(self):
        row = self.Report.search([("equipment_id", "=", self.laptop_2.id)])
        self.assertEqual(row.order_id, self.order_october)
        self.assertEqual(row.association_id, self.association_a)
        self.assertEqual(row.company_id, self.company_x)
        self.assertEqual(row.category_id, self.laptop)
        self.assertEqual(row.date, date(2026, 10, 15))
        self.assertEqual(row.month, date(2026, 10, 1))
        # the solidarity ceiling of laptops
        self.assertEqual(row.amount, 150.0)
        self.assertFalse(row.given)
        self.assertEqual(row.people_reached, 0)
        self.assertFalse(row.need_category_id)
        # not handed over yet: the commune A serves with the smallest code
        self.assertEqual(row.commune_id, self.beta)

    def test_gift_has_a_zero_price(self):
        row = self.Report.search([("equipment_id", "=", self.desktop_1.id)])
        self.assertTrue(row.given)
        self.assertEqual(row.given_count, 1)
        self.assertEqual(row.amount, 0.0)
        paid = self.Report.search([("equipment_id", "=", self.laptop_3.id)])
        self.assertFalse(paid.given)
        self.assertEqual(paid.given_count, 0)

    # ------------------------------------------------------------------
    # Totals
    # ------------------------------------------------------------------
    def test_totals_per_commune(self):
        self.assertEqual(
            self._grouped("commune_id"),
            {
                # the handed-over laptop of A and B's laptop
                self.gamma: (2, 1, 400.0),
                self.beta: (2, 0, 500.0),
            },
        )

    def test_totals_per_association(self):
        self.assertEqual(
            self._grouped("association_id"),
            {
                self.association_a: (3, 1, 700.0),
                self.association_b: (1, 0, 200.0),
            },
        )

    def test_totals_per_category(self):
        # CO2e avoided = the category's factor x devices
        self.assertEqual(
            self._grouped("category_id"),
            {
                self.laptop: (3, 1, 3 * 200.0),
                self.desktop: (1, 0, 1 * 300.0),
            },
        )
        weights = dict(
            self.Report._read_group(
                [("association_id", "in", self._associations().ids)],
                ["category_id"],
                ["weight_kg:sum"],
            )
        )
        self.assertEqual(weights, {self.laptop: 7.5, self.desktop: 7.5})

    def test_totals_per_month(self):
        self.assertEqual(
            self._grouped("date:month"),
            {
                date(2026, 10, 1): (2, 1, 400.0),
                date(2026, 11, 1): (2, 0, 500.0),
            },
        )

    def test_people_reached_from_handovers(self):
        row = self.Report.search([("equipment_id", "=", self.laptop_1.id)])
        self.assertEqual(row.people_reached, 1)
        self.assertEqual(row.need_category_id, self.need_job)
        self.assertEqual(row.commune_id, self.gamma)
        self.handover.unlink()
        row.invalidate_recordset()
        self.assertEqual(row.people_reached, 0)
        self.assertEqual(row.commune_id, self.beta)

    def test_anonymised_handover_still_counts_a_person(self):
        self.handover._anonymise()
        rows = self._rows()
        self.assertEqual(sum(rows.mapped("devices")), 4)
        self.assertEqual(sum(rows.mapped("people_reached")), 1)
        anonymous = rows.filtered(lambda r: r.kind == "anonymised_handover")
        self.assertEqual(len(anonymous), 1)
        self.assertFalse(anonymous.equipment_id)
        self.assertFalse(anonymous.company_id)
        self.assertEqual(anonymous.commune_id, self.gamma)
        self.assertEqual(anonymous.month, date(2026, 11, 1))
        self.assertEqual((anonymous.devices, anonymous.co2e_kg), (0, 0.0))
        device = rows.filtered(lambda r: r.equipment_id == self.laptop_1)
        self.assertEqual(device.people_reached, 0)
        self.assertEqual(device.commune_id, self.beta)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_operators_see_their_company(self):
        self.assertEqual(self._rows(self.user_operator_x).equipment_id, self.counted)
        self.assertFalse(self._rows(self.user_operator_y))
        self.assertEqual(self._rows(self.user_coordinator).equipment_id, self.counted)
        self.assertEqual(self._grouped("association_id", user=self.user_operator_y), {})

    def test_associations_and_buyers_have_no_access(self):
        for user in (self.user_association_a, self.buyer):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._rows(user)
        with self.assertRaises(AccessError):
            self.env["reemploi.social.report.wizard"].with_user(
                self.user_operator_x
            ).create(PERIOD)

    # ------------------------------------------------------------------
    # Exports
    # ------------------------------------------------------------------
    def _document(self, wizard):
        return self.Report.with_user(self.user_coordinator)._metropolis_document(
            wizard.date_from, wizard.date_to, wizard.commune_ids
        )

    def test_document_agrees_with_the_pivot(self):
        wizard = self._wizard()
        document = self._document(wizard)
        self.assertEqual(document["totals"].devices, 4)
        self.assertEqual(document["totals"].given, 1)
        self.assertEqual(document["totals"].people_reached, 1)
        self.assertEqual(document["totals"].co2e_kg, 900.0)
        self.assertEqual(document["totals"].co2e_t, 0.9)
        self.assertEqual(document["totals"].weight_kg, 15.0)
        self.assertEqual(document["totals"].amount, 450.0)
        pivot = self._grouped("commune_id")
        self.assertEqual(
            {
                label: (value.devices, value.people_reached, value.co2e_kg)
                for label, value in document["by_commune"]
            },
            {commune.name: figures for commune, figures in pivot.items()},
        )
        self.assertEqual(
            [(month, value.devices) for month, value in document["by_month"]],
            [(date(2026, 10, 1), 2), (date(2026, 11, 1), 2)],
        )

    def test_period_and_communes_filter(self):
        october = self._document(self._wizard(date_to=date(2026, 10, 31)))
        self.assertEqual(october["totals"].devices, 2)
        gamma = self._document(self._wizard(commune_ids=[Command.set(self.gamma.ids)]))
        self.assertEqual(
            [label for label, _value in gamma["by_association"]],
            ["Association A", "Association B"],
        )
        self.assertEqual(gamma["totals"].devices, 2)

    @freeze_time(NOVEMBER)
    def test_xlsx_agrees_with_the_service(self):
        wizard = self._wizard()
        action = wizard.action_xlsx()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        # attached to the wizard, deleted with it
        self.assertEqual(
            (attachment.res_model, attachment.res_id), (wizard._name, wizard.id)
        )
        raw = attachment.raw
        workbook = openpyxl.load_workbook(io.BytesIO(raw))
        self.assertEqual(
            workbook.sheetnames,
            ["Summary", "Communes", "Associations", "Categories", "Months"],
        )
        rows = self.Report.with_user(self.user_coordinator)._metropolis_rows(
            wizard.date_from, wizard.date_to, wizard.commune_ids
        )
        tables = social_report.aggregate(rows)
        summary = workbook["Summary"]
        self.assertEqual(summary["A1"].value, "Devices for associations")
        self.assertEqual(summary["B2"].value, "01/10/2026 → 30/11/2026")
        self.assertEqual(summary["B3"].value, "16/11/2026 09:00")
        self.assertEqual(summary["B4"].value, "Alpha-sur-Isère, Beta-les-Bains, Gamma")
        self.assertEqual(
            [
                (summary.cell(r, 1).value, summary.cell(r, 2).value)
                for r in range(6, 13)
            ],
            [
                ("Devices", tables["totals"].devices),
                ("Given", tables["totals"].given),
                ("People reached", tables["totals"].people_reached),
                ("Amount paid", tables["totals"].amount),
                ("CO2e avoided (kg)", tables["totals"].co2e_kg),
                ("CO2e avoided (t)", tables["totals"].co2e_t),
                ("Weight (kg)", tables["totals"].weight_kg),
            ],
        )
        self.assertEqual(tables["totals"].devices, 4)
        for sheet_name, key in (
            ("Communes", "by_commune"),
            ("Associations", "by_association"),
            ("Categories", "by_category"),
        ):
            with self.subTest(sheet=sheet_name):
                sheet = workbook[sheet_name]
                values = [
                    [cell.value for cell in line] for line in sheet.iter_rows(min_row=2)
                ]
                expected = [[label, *value] for label, value in tables[key]]
                expected.append(["Total", *tables["totals"]])
                self.assertEqual(values, expected)
        months = workbook["Months"]
        self.assertEqual(
            [months.cell(r, 1).value for r in range(2, 5)],
            ["10/2026", "11/2026", "Total"],
        )
        self.assertEqual(months["B2"].value, 2)

    def test_pdf_rendered(self):
        # wkhtmltopdf fetches the stylesheets from report.url: the test
        # server does not answer while this transaction is open, a closed
        # port refuses at once (a warning), and the PDF is made without them
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        wizard = self._wizard()
        action = wizard.action_pdf()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "reemploi_social.report_social")
        Reports = (
            self.env["ir.actions.report"]
            .with_user(self.user_coordinator)
            .with_context(force_report_rendering=True)
        )
        content, kind = Reports._render_qweb_pdf(
            REPORT_REF, res_ids=None, data=action["data"]
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        text = " ".join(
            " ".join(page.extract_text().split())
            for page in PdfFileReader(io.BytesIO(content)).pages
        )
        for expected in (
            "Devices for associations",
            "01/10/2026",
            "30/11/2026",
            "Gamma",
            "Association B",
            "1 people reached",
            "900.0 kg",
            "(0.900 t)",
        ):
            self.assertIn(expected, text)

    def test_html_lists_every_table(self):
        html = (
            self.env["ir.actions.report"]
            .with_user(self.user_coordinator)
            ._render_qweb_html(REPORT_REF, None, data=self._wizard()._data())[0]
            .decode()
        )
        for table in ("commune", "association", "category", "month"):
            self.assertIn(f"o_reemploi_social_by_{table}", html)
        self.assertIn("Beta-les-Bains", html)
        self.assertIn("10/2026", html)
