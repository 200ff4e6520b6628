import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .test_collection import CollectionCase

# the smallest valid PNG: what the signature canvas of the phone sends
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4"
        "890000000d4944415478da63f8cfc0f01f0005000201a5e8e0e10000000049454e"
        "44ae426082"
    )
).decode()


class PickupCase(CollectionCase):
    """CollectionCase's lot (CHK-1, CHK-2, INV-003 and two desktops by
    number) in a planned round of operator X, started by its driver."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_x.partner_id.email = "collecte@operateur-x.example"
        cls.donor_a.email = "dsi@donateur-a.example"
        cls.lot.access_notes = "Quai de livraison, badge à l'accueil."
        cls.round = cls._round(cls.lot)
        cls.round.action_plan()

    def _start(self, user=None):
        action = self.round.with_user(user or self.user_driver_x).action_open_pickup()
        return action, self.round.pickup_ids

    def _pickup(self):
        return self._start()[1].with_user(self.user_driver_x)

    def _line(self, pickup, device):
        return pickup.line_ids.filtered(lambda line: line.equipment_id == device)

    def _sign(self, pickup, key="validation-1", reasons=None):
        return pickup.action_validate_stop(key, "Claire Martin", SIGNATURE, reasons)


@tagged("post_install", "-at_install")
class TestPickup(PickupCase):
    def test_start_opens_the_round_on_the_phone(self):
        action, pickups = self._start()
        self.assertEqual(action["tag"], "reemploi_round_pickup")
        self.assertEqual(action["params"], {"round_id": self.round.id})
        self.assertEqual(self.round.state, "in_progress")
        self.assertEqual(pickups.lot_id, self.lot)
        screen = self.round.with_user(self.user_driver_x).get_pickup_screen()
        (stop,) = screen["stops"]
        self.assertEqual(stop["address"], "1 rue du Lac\n38000 Grenoble")
        self.assertEqual(stop["phone"], "04 76 00 00 00")
        self.assertEqual(stop["contact"], "Jeanne Accueil")
        self.assertIn("Quai de livraison", stop["access_notes"])
        self.assertEqual(
            [(line["kind"], line["expected"]) for line in stop["lines"]],
            [("device", 1)] * 3 + [("count", 2)],
        )
        # opened again, the round keeps its stops
        self._start()
        self.assertEqual(len(self.round.pickup_ids), 1)

    def test_the_signature_passes_custody(self):
        pickup = self._pickup()
        self.assertEqual(pickup.scan_code("CHK-1", "scan-1")["result"], "scanned")
        # the asset tag designates the monitor too
        self.assertEqual(pickup.scan_code("inv-003", "scan-2")["result"], "scanned")
        desktops = pickup.line_ids.filtered(lambda line: line.kind == "count")
        pickup.set_count(desktops.id, 2)
        line_2 = self._line(pickup, self.device_2)
        pickup.set_missing(line_2.id, "Gardé par le service")
        stop = self._sign(pickup)
        self.assertEqual(stop["state"], "done")
        self.assertEqual(
            (self.device_1 | self.device_2 | self.device_3).mapped("state"),
            ["collected", "missing", "collected"],
        )
        self.assertEqual(self.lot.state, "collected")
        self.assertEqual(
            (pickup.collected_count, pickup.missing_count, pickup.extra_count),
            (4, 1, 0),
        )
        event = self._last_event(self.device_1)
        self.assertEqual(event.to_state, "collected")
        self.assertEqual(event.document_ref, self.round.name)
        self.assertEqual(event.user_id, self.user_driver_x)
        self.assertIn("Claire Martin", event.note)
        self.assertEqual(self._line(pickup, self.device_1).custody_hash, event.hash)
        missing = self._last_event(self.device_2)
        self.assertEqual(missing.to_state, "missing")
        self.assertIn("Gardé par le service", missing.note)
        self.assertFalse(
            self.env["reemploi.custody.event"]._verify_chains(self.device_1)
        )
        # the receipt: attached to the lot, mailed to the donor and the operator
        receipt = pickup.report_id
        self.assertEqual(
            (receipt.res_model, receipt.res_id), ("reemploi.lot", self.lot.id)
        )
        content = receipt.raw.decode()
        for text in (
            "CHK-1",
            "CHK-3",
            "Gardé par le service",
            "Claire Martin",
            event.hash[:16],
        ):
            self.assertIn(text, content)
        mail = self.env["mail.mail"].search(
            [("model", "=", "reemploi.lot.pickup"), ("res_id", "=", pickup.id)]
        )
        self.assertEqual(mail.recipient_ids, self.donor_a | self.company_x.partner_id)
        self.assertIn(receipt, mail.attachment_ids)

    def test_unscanned_devices_are_missing_with_the_reason_sent(self):
        pickup = self._pickup()
        pickup.scan_code("CHK-1", "scan-1")
        line_3 = self._line(pickup, self.device_3)
        self._sign(pickup, reasons={str(line_3.id): "Écran cassé, gardé"})
        self.assertEqual(self.device_2.state, "missing")
        self.assertEqual(
            self._line(pickup, self.device_2).missing_reason, "not handed over"
        )
        self.assertIn("Écran cassé, gardé", self._last_event(self.device_3).note)
        # the check-in says which devices the pickup found missing; one that
        # turns up all the same is received
        checkin = self._checkin()
        line_2 = checkin.line_ids.filtered(
            lambda line: line.equipment_id == self.device_2
        )
        self.assertIn("missing at the pickup", line_2.label)
        self.assertEqual(checkin.scan_code(self.device_2.serial)["result"], "received")

    def test_extra_devices_join_the_lot(self):
        undeclared = self._device("EXTRA-1")
        pickup = self._pickup()
        result = pickup.scan_code("EXTRA-1", "scan-1")
        self.assertEqual(result["result"], "extra")
        self.assertEqual(
            pickup.scan_code("NOT-IN-REGISTER", "scan-2")["result"], "unknown"
        )
        self.assertEqual(pickup.extra_count, 2)
        self._sign(pickup)
        self.assertEqual(undeclared.state, "collected")
        self.assertEqual(undeclared.reemploi_lot_id, self.lot)
        self.assertEqual(undeclared.company_id, self.company_x)
        self.assertIn("NOT-IN-REGISTER", pickup.report_id.raw.decode())
        # the check-in expects the device signed for at the pickup
        checkin = self._checkin()
        self.assertIn(
            undeclared,
            checkin.line_ids.filtered(lambda line: line.kind == "device").equipment_id,
        )
        self.assertEqual(checkin.scan_code("EXTRA-1")["result"], "received")

    def test_devices_of_others_are_refused(self):
        other_donor = self._device("OTHER-DONOR", owner=self.donor_b)
        other_lot_device = self._device("OTHER-LOT")
        self._matched_lot(devices=other_lot_device)
        collected = self._device("GONE-1")
        collected.action_declare()
        collected.action_receive()
        pickup = self._pickup()
        for code, expected in (
            ("OTHER-DONOR", "belongs to another donor than Donateur A"),
            ("OTHER-LOT", "is declared in another lot"),
            ("GONE-1", "it cannot be collected"),
        ):
            result = pickup.scan_code(code, f"scan-{code}")
            self.assertEqual(result["result"], "refused", code)
            self.assertIn(expected, result["message"])
        self.assertEqual(len(pickup.line_ids), 4)
        self.assertEqual(other_donor.state, "in_use")
        self.assertFalse(other_donor.reemploi_lot_id)

    def test_extras_are_checked_again_at_the_validation(self):
        undeclared = self._device("EXTRA-1")
        pickup = self._pickup()
        pickup.scan_code("EXTRA-1", "scan-1")
        # meanwhile the donor declares it in another lot
        self._matched_lot(devices=undeclared)
        with self.assertRaisesRegex(UserError, "declared in another lot"):
            self._sign(pickup)
        self.assertEqual(pickup.state, "draft")

    def test_the_signature_and_the_signer_are_required(self):
        pickup = self._pickup()
        with self.assertRaisesRegex(UserError, "signs on the screen"):
            pickup.action_validate_stop("k", "Claire Martin", "bm90IGEgcG5n", None)
        with self.assertRaisesRegex(UserError, "name of the donor"):
            pickup.action_validate_stop("k", "  ", SIGNATURE, None)
        self.assertEqual(pickup.state, "draft")
        self.assertEqual(self.device_1.state, "declared")

    def test_a_replayed_scan_counts_once(self):
        pickup = self._pickup()
        first = pickup.scan_code("CHK-1", "scan-1")
        again = pickup.scan_code("CHK-1", "scan-1")
        self.assertEqual((first["result"], again["result"]), ("scanned", "scanned"))
        self.assertEqual(len(pickup.scan_ids), 1)
        # the same device scanned again under a new id is a duplicate
        self.assertEqual(pickup.scan_code("CHK-1", "scan-2")["result"], "duplicate")
        # an unknown code sent twice adds one line
        pickup.scan_code("UNKNOWN-9", "scan-3")
        pickup.scan_code("UNKNOWN-9", "scan-3")
        self.assertEqual(
            len(pickup.line_ids.filtered(lambda line: line.kind == "unknown")), 1
        )
        self.assertEqual(len(pickup.scan_ids), 3)

    def test_a_replayed_validation_changes_nothing(self):
        pickup = self._pickup()
        pickup.scan_code("CHK-1", "scan-1")
        self._sign(pickup, key="key-1")
        events = self.device_1.custody_event_ids
        mails = self.env["mail.mail"].search_count([("model", "=", pickup._name)])
        stop = self._sign(pickup, key="key-1")
        self.assertEqual(stop["state"], "done")
        self.assertEqual(self.device_1.custody_event_ids, events)
        self.assertEqual(
            self.env["mail.mail"].search_count([("model", "=", pickup._name)]), mails
        )
        with self.assertRaisesRegex(UserError, "cannot be validated twice"):
            self._sign(pickup, key="key-2")
        # a signed pickup is frozen
        with self.assertRaises(UserError):
            pickup.scan_code("CHK-2", "scan-2")
        with self.assertRaises(UserError):
            self._line(pickup, self.device_2).write({"collected_qty": 1})

    def test_only_the_operators_users_record(self):
        _action, pickup = self._start()
        with self.assertRaises(AccessError):
            pickup.with_user(self.user_operator_y).scan_code("CHK-1", "scan-1")
        with self.assertRaises(AccessError):
            pickup.with_user(self.user_operator_y).action_validate_stop(
                "k", "X", SIGNATURE, None
            )
        with self.assertRaises(AccessError):
            pickup.with_user(self.user_coordinator).scan_code("CHK-1", "scan-1")
        with self.assertRaises(AccessError):
            self.round.with_user(self.user_operator_y).action_open_pickup()
        self.assertFalse(pickup.scan_ids)
        self.assertEqual(self.device_1.state, "declared")

    def test_validation_fields_are_not_written_directly(self):
        pickup = self._pickup()
        with self.assertRaises(UserError):
            pickup.write({"state": "done"})
        with self.assertRaises(UserError):
            pickup.write({"signer_name": "Quelqu'un"})
        self.assertEqual(pickup.state, "draft")
        # a device is collected by scanning it, not by writing its line
        line = self._line(pickup, self.device_1)
        with self.assertRaisesRegex(UserError, "only by scanning"):
            line.write({"collected_qty": 1})
        with self.assertRaisesRegex(UserError, "only by scanning"):
            self.env["reemploi.lot.pickup.line"].with_user(self.user_driver_x).create(
                {
                    "pickup_id": pickup.id,
                    "kind": "device",
                    "collected_qty": 1,
                    "equipment_id": self.device_2.id,
                }
            )
        self.assertEqual(line.collected_qty, 0)

    def test_a_round_not_started_is_not_recorded(self):
        form = Form(self.round.with_user(self.user_driver_x))
        self.assertEqual(form.state, "planned")
        pickup = self.env["reemploi.lot.pickup"].create(
            {"round_id": self.round.id, "lot_id": self.lot.id}
        )
        with self.assertRaisesRegex(UserError, "is not started"):
            pickup.with_user(self.user_driver_x).scan_code("CHK-1", "scan-1")
