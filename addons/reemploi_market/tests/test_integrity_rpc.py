"""The state, donor and operator of a lot (and the lot of a device) change
only through the lot's workflow buttons or an administrator's logged
correction, whatever the caller sends over JSON-RPC or XML-RPC."""

import xmlrpc.client

from odoo.tests import HttpCase, tagged

from odoo.addons.reemploi_asset.tests.test_integrity_rpc import RpcMixin

from .common import MarketCase


@tagged("post_install", "-at_install")
class TestLotIntegrityRpc(MarketCase, HttpCase, RpcMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls._device("LOT-RPC-1")
        cls.matched = cls._matched_lot(devices=cls.device)
        cls.draft = cls._lot(quantities={cls.laptop: 2})
        cls.declared = cls._lot(quantities={cls.monitor: 1})
        cls.declared.action_declare()

    def _snapshot(self, lot):
        lot.invalidate_recordset()
        return (lot.state, lot.partner_id, lot.company_id)

    def test_operator_json_rpc_cannot_write_custody_fields(self):
        before = self._snapshot(self.matched)
        self.authenticate("op_x", "op_x")
        for vals in (
            {"state": "processed"},
            {"partner_id": self.donor_b.id},
            {"company_id": self.company_y.id},
        ):
            answer = self._call_kw("reemploi.lot", "write", [[self.matched.id], vals])
            self.assertIn("error", answer)
            self.assertEqual(self._snapshot(self.matched), before)
        answer = self._call_kw(
            "reemploi.lot", "write", [[self.matched.id], {"state": "processed"}]
        )
        self.assertIn("workflow buttons", answer["error"]["data"]["message"])

    def test_operator_json_rpc_cannot_move_a_device_out_of_its_lot(self):
        self.authenticate("op_x", "op_x")
        answer = self._call_kw(
            "reemploi.equipment",
            "write",
            [[self.device.id], {"reemploi_lot_id": self.declared.id}],
        )
        self.assertIn("error", answer)
        self.device.invalidate_recordset()
        self.assertEqual(self.device.reemploi_lot_id, self.matched)

    def test_operator_json_rpc_cannot_create_a_processed_lot(self):
        self.authenticate("op_x", "op_x")
        values = self._lot_values()
        values.update(
            {
                "date_from": str(values["date_from"]),
                "date_to": str(values["date_to"]),
                "line_ids": [],
                "state": "processed",
                "company_id": self.company_x.id,
            }
        )
        count = self.Lot.search_count([])
        answer = self._call_kw("reemploi.lot", "create", [values])
        self.assertIn("error", answer)
        self.assertEqual(self.Lot.search_count([]), count)

    def test_operator_json_rpc_transition_still_works(self):
        self.authenticate("op_x", "op_x")
        answer = self._call_kw("reemploi.lot", "action_schedule", [[self.matched.id]])
        self.assertIn("result", answer)
        self.assertEqual(self._snapshot(self.matched)[0], "scheduled")
        answer = self._call_kw("reemploi.lot", "action_collect", [[self.matched.id]])
        self.assertIn("result", answer)
        self.assertEqual(self._snapshot(self.matched)[0], "collected")
        self.device.invalidate_recordset()
        self.assertEqual(self.device.state, "collected")
        self.assertFalse(self.env["reemploi.custody.event"]._verify_chains(self.device))

    def test_donor_json_rpc_refused(self):
        self.authenticate("donor_a", "donor_a")
        for lot in (self.draft, self.declared):
            before = self._snapshot(lot)
            for vals in (
                {"state": "reported"},
                {"partner_id": self.donor_b.id},
                {"company_id": self.company_x.id},
            ):
                answer = self._call_kw("reemploi.lot", "write", [[lot.id], vals])
                self.assertIn("error", answer)
                self.assertEqual(self._snapshot(lot), before)
        # the donor's own workflow still works
        answer = self._call_kw("reemploi.lot", "action_declare", [[self.draft.id]])
        self.assertIn("result", answer)
        self.assertEqual(self._snapshot(self.draft)[0], "declared")

    def test_coordinator_json_rpc(self):
        self.authenticate("coordinator", "coordinator")
        before = self._snapshot(self.matched)
        for vals in ({"state": "reported"}, {"company_id": self.company_y.id}):
            answer = self._call_kw("reemploi.lot", "write", [[self.matched.id], vals])
            self.assertIn("error", answer)
            self.assertEqual(self._snapshot(self.matched), before)
        # before the match, the coordinator picks the operator, then confirms
        answer = self._call_kw(
            "reemploi.lot",
            "write",
            [[self.declared.id], {"company_id": self.company_y.id}],
        )
        self.assertIn("result", answer)
        answer = self._call_kw("reemploi.lot", "action_match", [[self.declared.id]])
        self.assertIn("result", answer)
        self.assertEqual(
            self._snapshot(self.declared),
            ("matched", self.donor_a, self.company_y),
        )

    def test_operator_xml_rpc_refused(self):
        before = self._snapshot(self.matched)
        for vals in (
            {"state": "processed"},
            {"partner_id": self.donor_b.id},
            {"company_id": self.company_y.id},
        ):
            with self.assertRaisesRegex(xmlrpc.client.Fault, "workflow buttons"):
                self._execute_kw(
                    self.user_operator_x,
                    "reemploi.lot",
                    "write",
                    [[self.matched.id], vals],
                )
            self.assertEqual(self._snapshot(self.matched), before)

    def test_administrator_correction(self):
        self.authenticate("op_x", "op_x")
        answer = self._call_kw(
            "reemploi.lot",
            "action_admin_correct",
            [[self.matched.id], {"company_id": self.company_y.id}, "wrong operator"],
        )
        self.assertIn("error", answer)
        self.assertEqual(self._snapshot(self.matched)[2], self.company_x)
        self.authenticate("admin", "admin")
        answer = self._call_kw(
            "reemploi.lot",
            "action_admin_correct",
            [
                [self.matched.id],
                {"company_id": self.company_y.id},
                "Matched to the wrong operator",
            ],
        )
        self.assertIn("result", answer)
        self.assertEqual(self._snapshot(self.matched)[2], self.company_y)
        notes = self.matched.message_ids.filtered(
            lambda message: "Matched to the wrong operator" in (message.body or "")
        )
        self.assertEqual(len(notes), 1)
