"""The state, owner and operator of a device change only through its
lifecycle actions or an administrator's logged correction, whatever the
caller sends over JSON-RPC or XML-RPC."""

import json
import xmlrpc.client

from odoo.tests import HttpCase, get_db_name, tagged

from .common import ReemploiCase


class RpcMixin:
    def _call_kw(self, model, method, args, kwargs=None):
        """Call ``model.method`` over JSON-RPC as the authenticated user;
        return the decoded response (``result`` or ``error``)."""
        payload = {
            "id": 0,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _execute_kw(self, user, model, method, args, kwargs=None):
        """Call ``model.method`` over XML-RPC with the user's password
        (``new_test_user`` pads the login to 8 characters)."""
        password = user.login + "x" * (8 - len(user.login))
        return self.xmlrpc_object.execute_kw(
            get_db_name(), user.id, password, model, method, args, kwargs or {}
        )


@tagged("post_install", "-at_install")
class TestEquipmentIntegrityRpc(ReemploiCase, HttpCase, RpcMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # set up as superuser: the fixture's history goes through the actions
        cls.received = cls._received("RPC-REC")
        cls.in_use = cls._device("RPC-USE", company=cls.company_x)

    def _assert_refused(self, answer, device, expected):
        self.assertIn("error", answer)
        device.invalidate_recordset()
        for name, value in expected.items():
            self.assertEqual(device[name], value)

    def _snapshot(self, device):
        return {
            "state": device.state,
            "owner_id": device.owner_id,
            "company_id": device.company_id,
        }

    def test_operator_json_rpc_cannot_write_custody_fields(self):
        before = self._snapshot(self.received)
        events = len(self.received.custody_event_ids)
        self.authenticate("op_x", "op_x")
        for vals in (
            {"state": "sold"},
            {"owner_id": self.donor_b.id},
            {"company_id": self.company_y.id},
            {"company_id": False},
        ):
            answer = self._call_kw(
                "reemploi.equipment", "write", [[self.received.id], vals]
            )
            self._assert_refused(answer, self.received, before)
        answer = self._call_kw(
            "reemploi.equipment", "write", [[self.received.id], {"state": "sold"}]
        )
        self.assertIn("custody chain", answer["error"]["data"]["message"])
        self.assertEqual(len(self.received.custody_event_ids), events)

    def test_operator_json_rpc_cannot_create_a_sold_device(self):
        self.authenticate("op_x", "op_x")
        answer = self._call_kw(
            "reemploi.equipment",
            "create",
            [
                {
                    "serial": "RPC-NEW",
                    "category_id": self.laptop.id,
                    "owner_id": self.donor_a.id,
                    "company_id": self.company_x.id,
                    "state": "sold",
                }
            ],
        )
        self.assertIn("error", answer)
        self.assertFalse(self.Equipment.search([("serial", "=", "RPC-NEW")]))
        # an import registers devices to decommission
        answer = self._call_kw(
            "reemploi.equipment",
            "create",
            [
                {
                    "serial": "RPC-NEW",
                    "category_id": self.laptop.id,
                    "owner_id": self.donor_a.id,
                    "company_id": self.company_x.id,
                    "state": "to_decommission",
                }
            ],
        )
        self.assertIn("result", answer)
        device = self.Equipment.browse(answer["result"])
        self.assertEqual(device.state, "to_decommission")

    def test_operator_json_rpc_transition_still_works(self):
        self.authenticate("op_x", "op_x")
        answer = self._call_kw(
            "reemploi.equipment", "action_declare", [[self.in_use.id]]
        )
        self.assertIn("result", answer)
        self.in_use.invalidate_recordset()
        self.assertEqual(self.in_use.state, "declared")
        self.assertEqual(self.in_use.custody_event_ids[-1].to_state, "declared")
        self.assertFalse(self.env["reemploi.custody.event"]._verify_chains(self.in_use))

    def test_context_keys_sent_over_rpc_unlock_nothing(self):
        """The lifecycle's context values are objects: a JSON ``true`` under
        the same keys is not them."""
        self.authenticate("op_x", "op_x")
        context = {
            "reemploi_custody_write": True,
            "reemploi_grade_from_grading": True,
        }
        for vals in ({"state": "sold"}, {"grade_id": self.grade_a.id}):
            answer = self._call_kw(
                "reemploi.equipment",
                "write",
                [[self.received.id], vals],
                {"context": context},
            )
            self.assertIn("error", answer)
        self.received.invalidate_recordset()
        self.assertEqual(self.received.state, "received")
        self.assertFalse(self.received.grade_id)
        grading = self._grading(self.received, validate=False)
        answer = self._call_kw(
            "reemploi.grading",
            "write",
            [[grading.id], {"state": "done"}],
            {"context": {"reemploi_grading_transition": True}},
        )
        self.assertIn("error", answer)
        grading.invalidate_recordset()
        self.assertEqual(grading.state, "draft")

    def test_unchanged_values_pass(self):
        """An import or a form re-sending the current values is no change."""
        self.authenticate("op_x", "op_x")
        answer = self._call_kw(
            "reemploi.equipment",
            "write",
            [
                [self.received.id],
                {
                    "owner_id": self.donor_a.id,
                    "company_id": self.company_x.id,
                    "state": "received",
                    "model": "Latitude 7490",
                },
            ],
        )
        self.assertIn("result", answer)
        self.received.invalidate_recordset()
        self.assertEqual(self.received.model, "Latitude 7490")

    def test_donor_and_coordinator_json_rpc_refused(self):
        for login in ("donor_a", "coordinator"):
            self.authenticate(login, login)
            for vals in ({"state": "sold"}, {"owner_id": self.donor_b.id}):
                answer = self._call_kw(
                    "reemploi.equipment", "write", [[self.in_use.id], vals]
                )
                self._assert_refused(
                    answer,
                    self.in_use,
                    {"state": "in_use", "owner_id": self.donor_a},
                )

    def test_operator_xml_rpc_refused(self):
        before = self._snapshot(self.received)
        for vals in (
            {"state": "sold"},
            {"owner_id": self.donor_b.id},
            {"company_id": self.company_y.id},
        ):
            with self.assertRaisesRegex(xmlrpc.client.Fault, "custody chain"):
                self._execute_kw(
                    self.user_operator_x,
                    "reemploi.equipment",
                    "write",
                    [[self.received.id], vals],
                )
            self.received.invalidate_recordset()
            self.assertEqual(self._snapshot(self.received), before)
        self._execute_kw(
            self.user_operator_x,
            "reemploi.equipment",
            "action_mark_missing",
            [[self.received.id]],
        )
        self.received.invalidate_recordset()
        self.assertEqual(self.received.state, "missing")

    def _correct(self, login, values, reason):
        """The correction of the received device asked by ``login`` over
        JSON-RPC, as the correction form's button sends it; its answer."""
        self.authenticate(login, login)
        answer = self._call_kw(
            "reemploi.equipment",
            "action_admin_correct",
            [[self.received.id], values, reason],
        )
        self.received.invalidate_recordset()
        return answer

    def test_operator_cannot_correct(self):
        answer = self._correct("op_x", {"state": "sold"}, "oops")
        self.assertIn("error", answer)
        self.assertEqual(self.received.state, "received")

    def test_administrator_correction_is_logged(self):
        answer = self._correct(
            "admin",
            {"owner_id": self.donor_b.id, "state": "collected"},
            "Wrong donor scanned at the check-in",
        )
        self.assertIn("result", answer)
        self.assertEqual(self.received.owner_id, self.donor_b)
        self.assertEqual(self.received.state, "collected")
        event = self.received.custody_event_ids.sorted("sequence")[-1]
        self.assertEqual(event.event_type, "correction")
        self.assertEqual(event.from_state, "received")
        self.assertEqual(event.to_state, "collected")
        self.assertEqual(event.partner_id, self.donor_b)
        self.assertEqual(event.note, "Wrong donor scanned at the check-in")
        self.assertFalse(
            self.env["reemploi.custody.event"]._verify_chains(self.received)
        )

    def test_correction_needs_a_reason(self):
        answer = self._correct("admin", {"state": "collected"}, "  ")
        self.assertIn("error", answer)
        self.assertEqual(self.received.state, "received")
