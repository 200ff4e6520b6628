"""A collection round moves on only through its buttons, and a check-in is
validated only by its Validate button, whoever calls: the ORM, JSON-RPC."""

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.reemploi_asset.tests.test_integrity_rpc import RpcMixin

from .test_collection import CollectionCase


@tagged("post_install", "-at_install")
class TestRoundAndCheckinGuards(CollectionCase, HttpCase, RpcMixin):
    def test_round_state_only_through_its_buttons(self):
        round_ = self._round(self.lot)
        driver_round = round_.with_user(self.user_driver_x)
        for state in ("planned", "in_progress", "done", "cancel"):
            with (
                self.subTest(state=state),
                self.assertRaisesRegex(UserError, "buttons"),
            ):
                driver_round.write({"state": state})
        self.assertEqual(round_.state, "draft")
        with self.assertRaisesRegex(UserError, "created as a draft"):
            self._round(self.lot, state="done")
        # over JSON-RPC too
        self.authenticate("driver_x", "driver_x")
        answer = self._call_kw(
            "reemploi.collection.round", "write", [[round_.id], {"state": "done"}]
        )
        self.assertIn("error", answer)
        self.assertEqual(round_.state, "draft")
        # the buttons still work
        driver_round.action_plan()
        self.assertEqual(round_.state, "planned")
        self.assertEqual(self.lot.state, "scheduled")

    def test_checkin_validated_only_by_its_button(self):
        self._round(self.lot).with_user(self.user_driver_x).action_plan()
        checkin = self._checkin()
        for vals in (
            {"state": "done"},
            {"date_done": "2026-01-01 10:00:00"},
            {"user_done_id": self.user_driver_x.id},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "Validate"):
                checkin.write(vals)
        self.assertEqual(checkin.state, "draft")
        self.authenticate("driver_x", "driver_x")
        answer = self._call_kw(
            "reemploi.lot.checkin", "write", [[checkin.id], {"state": "done"}]
        )
        self.assertIn("error", answer)
        checkin.invalidate_recordset()
        self.assertEqual(checkin.state, "draft")
        self.assertNotEqual(self.lot.state, "received")
        self.assertEqual(self.device_1.state, "collected")
