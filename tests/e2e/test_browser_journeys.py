"""The three user journeys in a real headless Chromium, driven from outside
against the real multi-process server (browser.py), in French:

1. a donor's agent declares a lot on the portal;
2. an operator checks the lot in on the check-in screen (the serial numbers
   typed as a USB scanner does, then by hand) and grades a device in the
   backend;
3. an association's volunteer orders a laptop at the solidarity price.

The administrator sets the stage over XML-RPC (journeys.Cast); what the
user did in the browser is then read back over XML-RPC, as the people
concerned see it. Screenshots of the last screen of each journey are kept
in ``E2E_ARTIFACTS`` (browser.py).
"""

import unittest

from browser import ARTIFACTS as ARTIFACTS_DIR
from browser import Browser, find_chromium, qr_video
from harness import ServerCase
from journeys import (
    Cast,
    accredited_associations,
    address,
    declare_lot,
    ensure_french,
    erasure_values,
    graded_devices,
    open_shop,
    start_round,
)

LANG = "fr_FR"


class BrowserJourneyCase(ServerCase):
    @classmethod
    def setUpClass(cls):
        if not find_chromium():
            # tests/run.py counts a skipped test as a failure
            raise unittest.SkipTest("no Chromium: install Debian's chromium")
        super().setUpClass()
        cls.cast = Cast(cls.server)
        cls.admin = cls.cast.admin
        ensure_french(cls.admin)
        cls.admin(
            "res.users",
            "write",
            cls.admin(
                "res.users",
                "search",
                [("login", "in", list(cls.cast.passwords))],
            ),
            {"lang": LANG, "tz": "Europe/Paris"},
        )

    def browser(self, login, **kwargs):
        """A new Chromium signed in as ``login``; closed after the test,
        and failing it on any JavaScript error left unseen."""
        browser = Browser(name=self.id().rsplit(".", 1)[-1], **kwargs)
        self.addCleanup(browser.close)
        self.addCleanup(browser.check_console)
        browser.login(self.server.front_url, login, self.cast.passwords[login])
        return browser

    def donor_devices(self, *serials):
        """Devices of the donor's register (an import's work), to be
        decommissioned."""
        ids = self.admin(
            "reemploi.equipment",
            "create",
            [
                {
                    "serial": serial,
                    "manufacturer": "Lenovo",
                    "model": "ThinkPad T480",
                    "category_id": self.cast.category_id,
                    "owner_id": self.cast.donor_id,
                }
                for serial in serials
            ],
        )
        self.admin("reemploi.equipment", "action_to_decommission", ids)
        return ids


class TestDonorDeclaresLot(BrowserJourneyCase):
    def test_donor_declares_a_lot_on_a_phone(self):
        token = self.cast.token.upper()
        mine, other = f"WEB-{token}-1", f"WEB-{token}-2"
        device_ids = self.donor_devices(mine, other)
        # on a phone: the agent declares from the storeroom
        browser = self.browser(
            self.cast.donor_login, width=360, height=740, mobile=True
        )

        browser.goto(f"{self.server.front_url}/my")
        # the cards move once the counters are in: wait for them
        browser.wait_until(
            "!document.querySelector('.o_portal_doc_spinner')", "the portal counters"
        )
        browser.click('a[href$="/my/lots"]', "Nos lots")
        browser.click("a.o_reemploi_lot_new")
        browser.wait(".o_reemploi_lot_form")
        # a user ticks a device by tapping its label
        browser.click(".o_reemploi_lot_devices label", text=mine)
        browser.wait(".o_reemploi_lot_devices li:has(label) input:checked")
        self.assertFalse(
            browser.find(".o_reemploi_lot_devices li:has(input:checked)", text=other)
        )
        browser.fill("input[data-category='monitor']", "2")
        pickup = f"Hôtel de ville, 11 boulevard Jean Pain, 38000 Grenoble ({token})"
        browser.fill("textarea[name='pickup_address']", pickup)
        browser.fill("textarea[name='access_notes']", "Quai de livraison, sonner")
        self.assertFalse(browser.overflows(), "the form is wider than the phone")
        browser.click("button.o_reemploi_lot_declare")
        browser.wait(".o_reemploi_lot_page .o_reemploi_lot_state", text="Déclaré")
        browser.wait(".o_reemploi_lot_lines", text=mine)
        browser.screenshot("donor-lot-declared")

        # what the donor's organisation now has on record
        donor = self.cast.rpc(self.cast.donor_login)
        lots = donor(
            "reemploi.lot",
            "search_read",
            [("pickup_address", "=", pickup)],
            fields=["state", "partner_id", "line_ids", "device_count"],
        )
        self.assertEqual(len(lots), 1, lots)
        lot = lots[0]
        self.assertEqual(lot["state"], "declared")
        self.assertEqual(lot["partner_id"][0], self.cast.donor_id)
        lines = donor(
            "reemploi.lot.line",
            "read",
            lot["line_ids"],
            ["equipment_id", "category_id", "quantity"],
        )
        monitor = donor(
            "reemploi.equipment.category", "search", [("code", "=", "monitor")]
        )
        self.assertEqual(
            sorted(
                (
                    line["equipment_id"] and line["equipment_id"][0],
                    line["category_id"][0],
                    line["quantity"],
                )
                for line in lines
            ),
            sorted([(device_ids[0], self.cast.category_id, 1), (False, monitor[0], 2)]),
            lines,
        )


class TestOperatorChecksInAndGrades(BrowserJourneyCase):
    def _round(self, serials):
        """The donor's devices in a lot matched to the operator, on a round
        that has set off; returns (device ids, round id)."""
        device_ids = self.donor_devices(*serials)
        coordinator = self.cast.rpc(self.cast.coordinator_login)
        operator = self.cast.rpc(self.cast.operator_login)
        lot_id = declare_lot(self.cast.rpc(self.cast.donor_login), device_ids)
        coordinator("reemploi.lot", "action_propose", [lot_id])
        proposal = coordinator(
            "reemploi.lot", "read", [lot_id], ["current_proposal_id"]
        )
        operator(
            "reemploi.match.proposal",
            "action_accept",
            [proposal[0]["current_proposal_id"][0]],
        )
        return device_ids, start_round(operator, lot_id)

    def _open_checkin(self, browser, round_id):
        """The round of the day, and the check-in screen of its lot."""
        browser.goto(
            f"{self.server.front_url}/odoo/action-reemploi_market."
            f"reemploi_collection_round_action/{round_id}"
        )
        browser.click(
            ".o_field_widget[name='lot_ids'] .o_data_row button.o_reemploi_open_checkin"
        )

    def test_operator_checks_in_and_grades(self):
        token = self.cast.token.upper()
        serials = [f"OPS-{token}-{n}" for n in (1, 2, 3)]
        device_ids, round_id = self._round(serials)
        operator = self.cast.rpc(self.cast.operator_login)
        browser = self.browser(self.cast.operator_login)
        self._open_checkin(browser, round_id)
        browser.wait(".o_reemploi_checkin .o_reemploi_checkin_line[data-kind='device']")
        self.assertEqual(
            browser.text(".o_reemploi_checkin_counts"),
            "3 Attendus 0 Réceptionné 3 Manquant 0 En plus",
        )
        # a USB scanner types the code and presses Enter
        browser.fill("input.o_reemploi_checkin_input", serials[0])
        browser.press("Enter")
        browser.wait(".o_reemploi_checkin_result[data-result='received']", serials[0])
        # typed by hand, loosely, and sent with the button
        browser.fill(
            "input.o_reemploi_checkin_input", serials[1].lower().replace("-", " ")
        )
        browser.click("button.o_reemploi_checkin_add")
        browser.wait(".o_reemploi_checkin_received", "2")
        browser.click("button.o_reemploi_checkin_validate")
        browser.click(".modal-footer .btn-primary")
        browser.wait(".o_reemploi_checkin_done", "Réception validée")
        browser.wait(".o_reemploi_checkin_missing", "1")
        browser.screenshot("operator-checkin-validated")
        states = operator("reemploi.equipment", "read", device_ids, ["state"])
        self.assertEqual(
            [d["state"] for d in states], ["received", "received", "missing"]
        )

        # the first device on the bench: the erasure station's report (a
        # verified NIST purge) is on record, the operator closes the erasure
        # and grades the device from its form
        operator(
            "reemploi.erasure",
            "create",
            erasure_values(device_ids[0], self.cast.company_id, serials[0]),
        )
        browser.goto(
            f"{self.server.front_url}/odoo/action-reemploi_asset."
            f"reemploi_equipment_action/{device_ids[0]}"
        )
        browser.click("button[name='action_mark_erased']", "Effacement terminé")
        browser.wait(".o_statusbar_status button.o_arrow_button_current", "Effacé")
        browser.click("button[name='action_new_grading']", "Commencer une évaluation")
        browser.wait(".o_form_view div[name='check_power']")
        for check in (
            "check_power",
            "check_boot",
            "check_screen",
            "check_storage",
            "check_keyboard",
            "check_battery",
        ):
            browser.click(f"div[name='{check}'] input[data-value='ok']")
        browser.fill("div[name='battery_design_capacity'] input", "50")
        browser.fill("div[name='battery_full_capacity'] input", "45")
        browser.press("Tab")
        browser.click(".o_reemploi_nothing_to_report", "Rien à signaler")
        browser.wait(".o_reemploi_nothing_to_report.btn-success")
        browser.wait("div[name='grade_id']", "A")
        browser.click(
            "button[name='action_done_and_grade']", "Valider et appliquer le grade"
        )
        browser.wait_until(
            "!document.querySelector(\"button[name='action_done_and_grade']\")",
            "the grading validated",
        )
        browser.screenshot("operator-grading-done")
        device = operator(
            "reemploi.equipment", "read", [device_ids[0]], ["state", "grade_id"]
        )[0]
        self.assertEqual(device["state"], "graded")
        grade = operator("reemploi.grade", "read", [device["grade_id"][0]], ["code"])
        self.assertEqual(grade[0]["code"], "A")
        gradings = operator(
            "reemploi.grading",
            "search_read",
            [("equipment_id", "=", device_ids[0])],
            fields=["state", "check_power", "battery_health"],
        )
        self.assertEqual(len(gradings), 1, gradings)
        self.assertEqual(gradings[0]["state"], "done")
        self.assertEqual(gradings[0]["check_power"], "ok")

    def test_operator_scans_a_label_with_the_phone_camera(self):
        """On a phone, the camera films a device's QR label: the device is
        received."""
        token = self.cast.token.upper()
        device_ids, round_id = self._round([f"CAM-{token}-1", f"CAM-{token}-2"])
        operator = self.cast.rpc(self.cast.operator_login)
        label = operator(
            "reemploi.equipment", "read", [device_ids[1]], ["traceability_url"]
        )[0]["traceability_url"]
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        video = qr_video(label, ARTIFACTS_DIR / f"label-{token}.y4m")
        browser = self.browser(
            self.cast.operator_login,
            width=360,
            height=740,
            mobile=True,
            camera=video,
        )
        self._open_checkin(browser, round_id)
        browser.click("button.o_reemploi_checkin_camera")
        browser.wait(
            ".o_reemploi_checkin_result[data-result='received']", f"CAM-{token}-2"
        )
        browser.screenshot("operator-camera-scan")
        states = operator(
            "reemploi.lot.checkin.line",
            "search_read",
            [("equipment_id", "in", device_ids)],
            fields=["equipment_id", "received_qty"],
        )
        received = {line["equipment_id"][0] for line in states if line["received_qty"]}
        self.assertEqual(received, {device_ids[1]})


class TestAssociationOrders(BrowserJourneyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.admin
        cast = cls.cast
        cls.laptop = open_shop(admin, cast.company_id)
        cls.association_name = f"Le Lien E2E {cast.token}"
        (organisation,), (cls.association_id,) = accredited_associations(
            admin, [cls.association_name], f"W38E2E{cast.token}"
        )
        cls.quota_id = admin(
            "reemploi.quota",
            "create",
            {
                "association_id": cls.association_id,
                "category_id": cls.laptop,
                "date_from": "2020-01-01",
                "date_to": "2099-12-31",
                "limit_qty": 2,
            },
        )
        contact = admin(
            "res.partner",
            "create",
            dict(
                address(admin),
                name=f"Bénévole {cast.token}",
                parent_id=organisation,
                email=f"benevole-{cast.token}@example.org",
            ),
        )
        cls.volunteer_login = cast._user(
            "volunteer",
            ["reemploi_social.group_reemploi_association"],
            partner_id=contact,
            company_id=cast.company_id,
            company_ids=[(6, 0, [cast.company_id])],
            lang=LANG,
        )

    def test_association_orders_at_solidarity_price(self):
        token = self.cast.token.upper()
        model = f"Latitude E2E{token}"
        serial = f"SOL-{token}-1"
        operator = self.cast.rpc(self.cast.operator_login)
        device_ids = graded_devices(
            operator,
            self.cast.company_id,
            self.laptop,
            self.cast.donor_id,
            [serial],
            model,
        )
        operator("reemploi.equipment", "action_publish_shop", device_ids)
        browser = self.browser(self.volunteer_login)

        browser.goto(f"{self.server.front_url}/shop?search={model.replace(' ', '+')}")
        browser.wait(".o_reemploi_solidarity h2", self.association_name)
        browser.wait(".o_reemploi_quotas .o_reemploi_quota_left", "2")
        browser.click(".oe_product a", model)
        # the solidarity ceiling of a laptop, not the shop's price
        browser.wait(".oe_price", "150")
        browser.click(f"button.o_reemploi_add_unit[data-serial='{serial}']")
        browser.wait(".o_reemploi_quotas li", "1 dans votre panier")
        browser.click("form.o_reemploi_solidarity_confirm button[type='submit']")
        browser.wait("#portal_sale_content")
        browser.screenshot("association-order-confirmed")

        volunteer = self.cast.rpc(self.volunteer_login)
        orders = volunteer(
            "sale.order",
            "search_read",
            [("order_line.reemploi_equipment_id", "in", device_ids)],
            fields=["state", "amount_untaxed", "reemploi_association_id"],
        )
        self.assertEqual(len(orders), 1, orders)
        self.assertEqual(orders[0]["state"], "sale")
        self.assertEqual(orders[0]["amount_untaxed"], 150.0)
        self.assertEqual(orders[0]["reemploi_association_id"][0], self.association_id)
        quota = self.admin("reemploi.quota", "read", [self.quota_id], ["used_qty"])
        self.assertEqual(quota[0]["used_qty"], 1)
        device = operator("reemploi.equipment", "read", device_ids, ["state"])
        self.assertEqual(device[0]["state"], "sold")
