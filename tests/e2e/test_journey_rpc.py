"""A donor's devices from the inventory file to the take-back report, driven
over XML-RPC by the people who do each step, and the report downloaded from
the portal the way the donor gets it.

The administrator only sets the stage (journeys.Cast): an operator company
with its manager, a donor organisation with its portal user, a territory
coordinator, an equipment category only this operator takes.
"""

import io
import xmlrpc.client

import openpyxl
from harness import HTTP_TIMEOUT, ServerCase
from journeys import Cast, b64, declare_lot, erasure_values, start_round

SERIALS = ("E2E-{t}-1", "E2E-{t}-2", "E2E-{t}-3")
CO2E_KG = 150.0
WEIGHT_KG = 2.5


class TestTakebackJourney(ServerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cast = Cast(cls.server, co2e_kg=CO2E_KG, weight_kg=WEIGHT_KG)
        cls.serials = [s.format(t=cls.cast.token.upper()) for s in SERIALS]
        cls.coordinator = cls.cast.rpc(cls.cast.coordinator_login)
        cls.operator = cls.cast.rpc(cls.cast.operator_login)
        cls.donor = cls.cast.rpc(cls.cast.donor_login)

    # ------------------------------------------------------------ steps
    def _import(self):
        """The coordinator imports the donor's inventory file (CSV)."""
        rows = ["serial;manufacturer;model;category;state"] + [
            f"{serial};Dell;Latitude 7490;{self.cast.category_code};Réformé"
            for serial in self.serials
        ]
        source_id = self.coordinator(
            "reemploi.import.source",
            "create",
            {
                "name": f"Inventaire {self.cast.token}",
                "owner_id": self.cast.donor_id,
                "kind": "file",
                "preset": "generic",
            },
        )
        wizard_id = self.coordinator(
            "reemploi.import.wizard",
            "create",
            {
                "source_id": source_id,
                "file": b64("\r\n".join(rows).encode("utf-8")),
                "filename": "inventaire.csv",
            },
        )
        action = self.coordinator(
            "reemploi.import.wizard", "action_import", [wizard_id]
        )
        run = self.coordinator(
            "reemploi.import.run",
            "read",
            [action["res_id"]],
            ["state", "row_count", "created_count", "rejected_count"],
        )[0]
        self.assertEqual(
            (run["state"], run["row_count"], run["created_count"]),
            ("done", 3, 3),
            run,
        )

    def _donor_devices(self):
        return self.donor(
            "reemploi.equipment",
            "search_read",
            [("serial", "in", self.serials)],
            fields=["serial", "state", "category_id"],
            order="serial",
        )

    def _declare(self, device_ids):
        """The donor declares a lot of its devices."""
        return declare_lot(self.donor, device_ids)

    def _lot(self, rpc, lot_id, *names):
        return rpc("reemploi.lot", "read", [lot_id], list(names))[0]

    def _match(self, lot_id):
        """The coordinator ranks the operators; the operator accepts."""
        self.coordinator("reemploi.lot", "action_propose", [lot_id])
        lot = self._lot(self.coordinator, lot_id, "current_proposal_id", "state")
        self.assertEqual(lot["state"], "declared")
        self.assertTrue(lot["current_proposal_id"], "no operator proposed")
        proposal_id = lot["current_proposal_id"][0]
        # the operator sees the proposal offered to its company
        proposal = self.operator(
            "reemploi.match.proposal", "read", [proposal_id], ["company_id", "state"]
        )[0]
        self.assertEqual(
            (proposal["company_id"][0], proposal["state"]),
            (self.cast.company_id, "proposed"),
        )
        self.operator("reemploi.match.proposal", "action_accept", [proposal_id])
        lot = self._lot(self.operator, lot_id, "state", "company_id")
        self.assertEqual(
            (lot["state"], lot["company_id"][0]), ("matched", self.cast.company_id)
        )

    def _collect(self, lot_id):
        """A collection round, then the check-in of every serial."""
        round_id = start_round(self.operator, lot_id)
        action = self.operator("reemploi.lot", "action_open_checkin", [lot_id])
        checkin_id = action["params"]["checkin_id"]
        for serial in self.serials:
            result = self.operator(
                "reemploi.lot.checkin", "scan_code", [checkin_id], serial
            )
            self.assertEqual(result["result"], "received", result["message"])
        self.operator("reemploi.lot.checkin", "action_validate", [checkin_id])
        self.assertEqual(self._lot(self.operator, lot_id, "state")["state"], "received")
        done = self.operator(
            "reemploi.collection.round", "read", [round_id], ["state"]
        )[0]
        self.assertEqual(done["state"], "done")

    def _erase_and_grade(self, device_ids):
        """Erasure certificate, grading: the last device has a scratch (B)."""
        scratch = self.cast.admin.ref("reemploi_asset.defect_scratch_minor")
        for index, (device_id, serial) in enumerate(
            zip(device_ids, self.serials, strict=True)
        ):
            self.operator(
                "reemploi.erasure",
                "create",
                erasure_values(device_id, self.cast.company_id, serial),
            )
            self.operator("reemploi.equipment", "action_mark_erased", [device_id])
            grading_id = self.operator(
                "reemploi.grading",
                "create",
                {
                    "equipment_id": device_id,
                    "company_id": self.cast.company_id,
                    "check_power": "ok",
                    "check_boot": "ok",
                    "check_screen": "ok",
                    "check_storage": "ok",
                    "check_battery": "ok",
                    "battery_design_capacity": 50.0,
                    "battery_full_capacity": 45.0,
                    "defect_ids": [(6, 0, [scratch] if index == 2 else [])],
                    "cosmetic_checked": True,
                },
            )
            self.operator("reemploi.grading", "action_done", [grading_id])
            self.operator("reemploi.equipment", "action_grade", [device_id])

    def _sell(self, device_ids):
        """Two devices on the shop and sold by an order; the third donated."""
        sold, donated = device_ids[:2], device_ids[2]
        self.operator("reemploi.equipment", "action_publish_shop", sold)
        self.operator("reemploi.equipment", "action_donate", [donated])
        devices = self.operator(
            "reemploi.equipment", "read", sold, ["shop_product_id", "state"]
        )
        self.assertEqual({d["state"] for d in devices}, {"for_sale"})
        order_id = self.operator(
            "sale.order",
            "create",
            {
                "partner_id": self.cast.buyer_id,
                "pricelist_id": self.cast.pricelist_id,
                "company_id": self.cast.company_id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": device["shop_product_id"][0],
                            "product_uom_qty": 1,
                            "reemploi_equipment_id": device["id"],
                        },
                    )
                    for device in devices
                ],
            },
        )
        self.operator("sale.order", "action_confirm", [order_id])
        states = self.operator("reemploi.equipment", "read", device_ids, ["state"])
        self.assertEqual(
            [d["state"] for d in states], ["sold", "sold", "donated"], states
        )
        return order_id

    # ------------------------------------------------------------- test
    def test_takeback_journey(self):
        self._import()
        devices = self._donor_devices()
        self.assertEqual([d["serial"] for d in devices], self.serials)
        self.assertEqual({d["state"] for d in devices}, {"to_decommission"})
        self.assertEqual(
            {d["category_id"][0] for d in devices}, {self.cast.category_id}
        )
        device_ids = [d["id"] for d in devices]
        # the operator does not see the donor's register before the match
        self.assertFalse(
            self.operator("reemploi.equipment", "search", [("id", "in", device_ids)])
        )

        lot_id = self._declare(device_ids)
        lot = self._lot(self.donor, lot_id, "state", "device_count", "co2e_kg")
        self.assertEqual(
            (lot["state"], lot["device_count"], lot["co2e_kg"]),
            ("declared", 3, 3 * CO2E_KG),
        )
        self._match(lot_id)
        self._collect(lot_id)
        self._erase_and_grade(device_ids)
        self._sell(device_ids)
        # a donor never moves a lot through the workflow
        with self.assertRaises(xmlrpc.client.Fault):
            self.donor("reemploi.lot", "action_process", [lot_id])
        self.operator("reemploi.lot", "action_process", [lot_id])
        self.operator("reemploi.lot", "action_report", [lot_id])
        lot = self._lot(self.donor, lot_id, "name", "state", "co2e_avoided_kg")
        self.assertEqual(lot["state"], "reported")
        self.assertEqual(lot["co2e_avoided_kg"], 3 * CO2E_KG)

        session = self.cast.session(self.cast.donor_login)
        base = f"{self.server.url}/my/lots/{lot_id}"
        response = session.get(f"{base}/takeback.xlsx", timeout=HTTP_TIMEOUT)
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet["A1"].value, f"Take-back report of lot {lot['name']}")
        self.assertEqual(sheet["B2"].value, f"Mairie E2E {self.cast.token}")
        self.assertEqual(sheet["B3"].value, f"Opérateur E2E {self.cast.token}")
        category = f"E2E laptop {self.cast.token}"
        self.assertEqual(
            [[cell.value for cell in sheet[row]] for row in (7, 8, 9)],
            [
                [
                    serial,
                    category,
                    f"{serial}-D1 (purge)",
                    "Verified",
                    "Purge",
                    grade,
                    outcome,
                    WEIGHT_KG,
                    CO2E_KG,
                ]
                for serial, grade, outcome in zip(
                    self.serials,
                    ("A", "A", "B"),
                    ("Sold", "Sold", "Donated"),
                    strict=True,
                )
            ],
        )
        # totals after a blank row, then one row per outcome
        self.assertIsNone(sheet["A10"].value)
        self.assertEqual(
            [sheet.cell(11, column).value for column in (1, 2, 8, 9)],
            ["Total", 3, 3 * WEIGHT_KG, 3 * CO2E_KG],
        )
        self.assertEqual(
            [
                (sheet.cell(12 + index, 1).value, sheet.cell(12 + index, 2).value)
                for index in range(5)
            ],
            [
                ("Sold", 2),
                ("Donated", 1),
                ("Recycled", 0),
                ("In progress", 0),
                ("Missing", 0),
            ],
        )
        response = session.get(f"{base}/takeback.pdf", timeout=HTTP_TIMEOUT)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

        # the custody chain of each device still verifies
        for device_id in device_ids:
            result = self.operator(
                "reemploi.equipment", "action_verify_custody", [device_id]
            )
            self.assertEqual(result["params"]["type"], "success", result)
