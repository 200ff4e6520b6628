import io
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools.pdf import PdfFileReader

from .common_takeback import REPORT_REF, TakebackCase


@tagged("post_install", "-at_install")
class TestTakebackReport(TakebackCase):
    def test_document_lines_and_totals(self):
        document = self.lot._takeback_document()
        self.assertEqual(
            [
                (
                    line["serial"],
                    line["outcome"],
                    line["grade"],
                    line["co2e_avoided_kg"],
                )
                for line in document["lines"]
            ],
            [
                ("L-DON", "donated", "A", 175.0),
                ("L-MISS", "missing", "", 0.0),
                ("L-REC", "recycled", "", 0.0),
                ("L-SOLD", "sold", "A", 175.0),
                # on the shop: in progress, no CO2 avoided yet
                ("00042", "in_progress", "A", 0.0),
            ],
        )
        lines = {line["serial"]: line for line in document["lines"]}
        self.assertEqual(lines["L-SOLD"]["certificate"], "L-SOLD-D1 (purge)")
        self.assertEqual(lines["L-SOLD"]["erasure_result_label"], "Verified")
        self.assertEqual(lines["L-SOLD"]["erasure_method"], "Purge")
        self.assertEqual(lines["L-REC"]["erasure_method"], "Destroy")
        self.assertEqual(lines["L-MISS"]["erasure_result"], "not_verified")
        self.assertEqual(lines["L-MISS"]["certificate"], "")
        self.assertEqual(lines["00042"]["erasure_result"], "no_data")
        totals = document["totals"]
        self.assertEqual((totals.count, totals.weight_kg), (5, 12.5))
        self.assertEqual(totals.co2e_avoided_kg, 350.0)
        self.assertEqual(
            [(label, value.count) for label, value in document["by_outcome"]],
            [
                ("Sold", 1),
                ("Donated", 1),
                ("Recycled", 1),
                ("In progress", 1),
                ("Missing", 1),
            ],
        )

    def test_report_html(self):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            REPORT_REF, self.lot.ids
        )
        html = html.decode()
        self.assertIn(f"Take-back report of lot {self.lot.name}", html)
        for text in (
            "L-SOLD",
            "L-DON",
            "L-REC",
            "L-MISS",
            "00042",
            "L-SOLD-D1 (purge)",
            "L-REC-D1 (destroy)",
            "NIST Purge",
            "No data medium",
            "Not verified",
            "Donated",
            "Recycled",
            "Missing",
            "12.50",
            "350.0",
            "Base Empreinte v23",
        ):
            with self.subTest(text=text):
                self.assertIn(text, html)
        self.assertRegex(html, r"5\s*devices")
        self.assertNotIn("B-SOLD", html)

    def test_report_sends_the_pdf(self):
        # wkhtmltopdf fetches the stylesheets from report.url: the test
        # server does not answer while this transaction is open, a closed
        # port refuses at once (a warning), and the PDF is made without them
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        lot = self.lot.with_user(self.user_operator_x)
        # Odoo renders HTML instead of PDF while tests run, unless asked
        lot.with_context(force_report_rendering=True).action_report()
        self.assertEqual(self.lot.state, "reported")
        attachment = self.lot.takeback_attachment_id
        self.assertEqual(attachment.res_model, "reemploi.lot")
        self.assertEqual(attachment.res_id, self.lot.id)
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.name.endswith(".pdf"))
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        text = "".join(
            page.extract_text()
            for page in PdfFileReader(io.BytesIO(attachment.raw)).pages
        )
        self.assertIn("L-SOLD", text)
        self.assertIn("00042", text)

    def test_other_operator_cannot_report(self):
        with self.assertRaises(AccessError):
            self.lot.with_user(self.user_operator_y).action_report()
        self.assertEqual(self.lot.state, "processed")
        self.assertFalse(self.lot.takeback_attachment_id)
        for user in (self.user_operator_y, self.user_donor_b):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.lot.with_user(user).action_takeback_xlsx()

    def test_xlsx_cell_by_cell(self):
        action = self.lot.with_user(self.user_operator_x).action_takeback_xlsx()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        raw = self.env["ir.attachment"].browse(attachment_id).raw
        sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
        self.assertEqual(sheet.title, "Devices")
        self.assertEqual(sheet["A1"].value, f"Take-back report of lot {self.lot.name}")
        self.assertEqual(sheet["B2"].value, "Donateur A")
        self.assertEqual(sheet["B3"].value, "Opérateur X")
        self.assertEqual(
            [cell.value for cell in sheet[6]],
            [
                "Serial number",
                "Category",
                "Erasure certificate",
                "Erasure",
                "NIST method",
                "Grade",
                "Outcome",
                "Weight (kg)",
                "CO2e avoided (kg)",
            ],
        )
        self.assertEqual(
            [cell.value for cell in sheet[7]],
            [
                "L-DON",
                self.laptop.name,
                "L-DON-D1 (purge)",
                "Verified",
                "Purge",
                "A",
                "Donated",
                2,
                175,
            ],
        )
        self.assertEqual(sheet["A11"].value, "00042")
        self.assertEqual(sheet["A11"].data_type, "s")
        self.assertEqual(sheet["D11"].value, "No data medium")
        self.assertEqual(sheet["H11"].value, 4.5)
        self.assertEqual(sheet["G11"].value, "In progress")
        # totals after a blank row, then one row per outcome
        self.assertIsNone(sheet["A12"].value)
        self.assertEqual(
            [sheet.cell(13, column).value for column in (1, 2, 8, 9)],
            ["Total", 5, 12.5, 350],
        )
        self.assertEqual(
            [sheet.cell(14 + index, 1).value for index in range(5)],
            ["Sold", "Donated", "Recycled", "In progress", "Missing"],
        )
        self.assertEqual(
            [sheet.cell(14 + index, 2).value for index in range(5)], [1, 1, 1, 1, 1]
        )

    def test_period_report(self):
        declared = fields.Date.to_date(self.lot.date_declared)
        data = self.Lot._takeback_period_data(
            self.donor_a, declared - timedelta(days=1), declared
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(REPORT_REF, None, data=data)[0]
            .decode()
        )
        self.assertIn("Take-back report for Donateur A", html)
        self.assertIn("L-SOLD", html)
        self.assertIn(self.lot.name, html)
        self.assertNotIn("B-SOLD", html)
        later = self.Lot._takeback_period_data(
            self.donor_a, declared + timedelta(days=1), declared + timedelta(days=30)
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(REPORT_REF, None, data=later)[0]
            .decode()
        )
        self.assertIn("No device was taken back", html)
        self.assertNotIn("L-SOLD", html)

    def test_period_wizard_of_an_operator(self):
        """An operator's period report lists the lots of its own company only."""
        declared = fields.Date.to_date(self.lot.date_declared)
        for user, serials in (
            (self.user_operator_x, {"L-SOLD"}),
            (self.user_operator_y, set()),
        ):
            with self.subTest(user=user.login):
                Wizard = self.env["reemploi.takeback.wizard"].with_user(user)
                with Form(Wizard) as form:
                    form.partner_id = self.donor_a
                    form.date_from = declared
                    form.date_to = declared
                wizard = form.record
                lots = self.Lot.with_user(user)._takeback_period_lots(
                    wizard.partner_id, wizard.date_from, wizard.date_to
                )
                document = lots._takeback_document(self.donor_a)
                found = {line["serial"] for line in document["lines"]}
                self.assertEqual(found & {"L-SOLD"}, serials)
                action = wizard.action_xlsx()
                self.assertEqual(action["type"], "ir.actions.act_url")
                # the file is the wizard's, deleted with it
                attachment_id = int(action["url"].split("/")[3].split("?")[0])
                attachment = self.env["ir.attachment"].browse(attachment_id)
                self.assertEqual(
                    (attachment.res_model, attachment.res_id), (wizard._name, wizard.id)
                )
                pdf = wizard.action_pdf()
                self.assertEqual(pdf["data"]["donor_id"], self.donor_a.id)


@tagged("post_install", "-at_install")
class TestReuseVolumes(TakebackCase):
    def test_rows_by_outcome(self):
        Report = self.env["reemploi.equipment.report"].with_user(self.user_coordinator)
        rows = Report.search([("lot_id", "=", self.lot.id)])
        self.assertEqual(
            {(row.equipment_id.serial, row.outcome) for row in rows},
            {
                ("L-SOLD", "sold"),
                ("L-DON", "donated"),
                ("L-REC", "recycled"),
                ("L-MISS", "missing"),
                ("00042", "in_progress"),
            },
        )
        self.assertEqual(set(rows.mapped("owner_id")), {self.donor_a})
        self.assertEqual(set(rows.mapped("company_id")), {self.company_x})
        groups = Report._read_group(
            [("owner_id", "in", (self.donor_a | self.donor_b).ids)],
            ["owner_id", "outcome"],
            ["device_count:sum", "weight_kg:sum", "co2e_avoided_kg:sum"],
        )
        self.assertEqual(
            sorted(
                (owner.name, outcome, count, weight, co2)
                for owner, outcome, count, weight, co2 in groups
            ),
            [
                ("Donateur A", "donated", 1, 2.0, 175.0),
                ("Donateur A", "in_progress", 1, 4.5, 0.0),
                ("Donateur A", "missing", 1, 2.0, 0.0),
                ("Donateur A", "recycled", 1, 2.0, 0.0),
                ("Donateur A", "sold", 1, 2.0, 175.0),
                ("Donateur B", "sold", 1, 2.0, 175.0),
            ],
        )
        graded = Report._read_group(
            [("lot_id", "=", self.lot.id)], ["grade_id"], ["__count"]
        )
        self.assertEqual(
            {grade.code or "": count for grade, count in graded}, {"A": 3, "": 2}
        )

    def test_operators_see_their_company(self):
        Report = self.env["reemploi.equipment.report"]
        domain = [("owner_id", "in", (self.donor_a | self.donor_b).ids)]
        self.assertEqual(
            set(Report.with_user(self.user_operator_x).search(domain).mapped("lot_id")),
            {self.lot},
        )
        self.assertEqual(
            set(Report.with_user(self.user_operator_y).search(domain).mapped("lot_id")),
            {self.lot_b},
        )
        with self.assertRaises(AccessError):
            Report.with_user(self.user_donor_a).search(domain)

    def test_operators_find_their_volumes_in_the_menu(self):
        """Operators open their own figures from the Dashboards menu; the
        AGEC indicators stay the coordinators'."""

        def visible(user, xmlid):
            # as the web client loads them: the user's groups, and the read
            # access to the model of the menu's action
            menus = self.env["ir.ui.menu"].with_user(user)
            return self.env.ref(xmlid).id in menus._visible_menu_ids()

        volumes = "reemploi_market.reemploi_equipment_report_menu"
        agec = "reemploi_market.reemploi_agec_stock_menu"
        self.assertTrue(visible(self.user_operator_x, volumes))
        self.assertFalse(visible(self.user_operator_x, agec))
        self.assertTrue(visible(self.user_coordinator, volumes))
        self.assertTrue(visible(self.user_coordinator, agec))
        # sudo: a portal user may not read menus at all; its groups decide
        menus = self.env["ir.ui.menu"].with_user(self.user_donor_a).sudo()
        dashboards = self.env.ref("reemploi_market.reemploi_dashboard_menu_root")
        self.assertNotIn(dashboards.id, menus._visible_menu_ids())
