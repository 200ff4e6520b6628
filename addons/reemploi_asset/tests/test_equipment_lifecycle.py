from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestEquipmentLifecycle(ReemploiCase):
    def test_registration_writes_first_event(self):
        device = self._device("SER-REG")
        self.assertEqual(device.state, "in_use")
        self.assertEqual(device.custody_event_ids.mapped("event_type"), ["registered"])

    def test_main_path_each_transition(self):
        device = self._device("SER-MAIN", company=self.company_x)
        steps = [
            ("action_to_decommission", "to_decommission"),
            ("action_declare", "declared"),
            ("action_collect", "collected"),
            ("action_receive", "received"),
        ]
        for method, state in steps:
            getattr(device, method)()
            self.assertEqual(device.state, state)
        self._erase(device)
        device.action_mark_erased()
        self.assertEqual(device.state, "erased")
        self._grading(device)
        device.action_grade()
        self.assertEqual(device.state, "graded")
        self.assertEqual(device.grade_id, self.grade_a)
        for method, state in [
            ("action_refurbish", "refurbished"),
            ("action_publish", "for_sale"),
            ("action_sell", "sold"),
        ]:
            getattr(device, method)()
            self.assertEqual(device.state, state)
        self.assertEqual(device.co2e_avoided_kg, self.laptop.co2e_kg)
        transitions = device.custody_event_ids.filtered(
            lambda e: e.event_type == "state"
        )
        self.assertEqual(
            transitions.mapped("to_state"),
            [
                "to_decommission",
                "declared",
                "collected",
                "received",
                "erased",
                "graded",
                "refurbished",
                "for_sale",
                "sold",
            ],
        )
        self.assertEqual(transitions[3].from_state, "collected")

    def test_refused_transitions_change_nothing(self):
        device = self._device("SER-REFUSE", company=self.company_x)
        refused = [
            "action_collect",
            "action_receive",
            "action_mark_erased",
            "action_refurbish",
            "action_publish",
            "action_sell",
            "action_donate",
            "action_recycle",
            "action_mark_missing",
        ]
        for method in refused:
            with self.subTest(method=method), self.assertRaises(UserError):
                getattr(device, method)()
        self.assertEqual(device.state, "in_use")
        self.assertEqual(len(device.custody_event_ids), 1)

    def test_refusal_names_device_and_next_steps(self):
        device = self._device("SER-MSG")
        with self.assertRaises(UserError) as caught:
            device.action_sell()
        message = str(caught.exception)
        self.assertIn("SER-MSG", message)
        self.assertIn("declared", message)

    def test_final_states_are_final(self):
        device = self._received("SER-FINAL")
        self._erase(device)
        device.action_mark_erased()
        self._grading(device)
        device.action_grade()
        device.action_donate()
        for method in (
            "action_sell",
            "action_recycle",
            "action_mark_missing",
            "action_publish",
            "action_declare",
        ):
            with self.subTest(method=method), self.assertRaises(UserError):
                getattr(device, method)()
        self.assertEqual(device.state, "donated")

    def test_no_sale_or_donation_without_verified_erasure(self):
        device = self._received("SER-NOERASE")
        # a grading alone cannot skip the erasure of a data-bearing device
        self._grading(device)
        with self.assertRaises(UserError):
            device.action_grade()
        self.assertEqual(device.state, "received")
        # an unverified erasure is not enough
        erasure = self._erase(device, verification_result="fail")
        self.assertFalse(erasure.verified)
        with self.assertRaises(UserError):
            device.action_mark_erased()
        self._erase(device, medium_serial="SER-NOERASE-D1b")
        # the failed attempt still stands unverified on the device
        self.assertFalse(device.erasure_verified)
        erasure.write({"verification_result": "pass"})
        self.assertTrue(device.erasure_verified)
        device.action_mark_erased()
        self.assertEqual(device.state, "erased")

    def test_second_medium_blocks_sale(self):
        device = self._received("SER-2DISKS", medium_count=2)
        self._erase(device)
        self.assertFalse(device.erasure_verified)
        with self.assertRaises(UserError) as caught:
            device.action_mark_erased()
        self.assertIn("1 of 2", str(caught.exception))
        self._erase(device, medium_serial="SER-2DISKS-D2")
        self.assertTrue(device.erasure_verified)
        device.action_mark_erased()
        self.assertEqual(device.state, "erased")

    def test_erasure_checked_again_at_sale(self):
        device = self._received("SER-LATE")
        self._erase(device)
        device.action_mark_erased()
        self._grading(device)
        device.action_grade()
        device.action_publish()
        # a second medium found during refurbishing blocks the sale
        device.medium_count = 2
        with self.assertRaises(UserError):
            device.action_sell()
        self.assertEqual(device.state, "for_sale")

    def test_no_grade_without_grading(self):
        device = self._received("SER-NOGRADE")
        self._erase(device)
        device.action_mark_erased()
        with self.assertRaises(UserError):
            device.action_grade()
        draft = self._grading(device, validate=False)
        with self.assertRaises(UserError):
            device.action_grade()
        self.assertEqual(device.state, "erased")
        draft.action_done()
        device.action_grade()
        self.assertEqual(device.state, "graded")

    def test_device_without_data_goes_straight_to_grading(self):
        screen = self._received("SER-SCREEN", category=self.monitor)
        self.assertFalse(screen.has_data_medium)
        self.assertTrue(screen.erasure_verified)
        with self.assertRaises(UserError):
            screen.action_mark_erased()
        self._grading(screen, check_storage="na")
        screen.action_grade()
        screen.action_publish()
        self.assertEqual(screen.state, "for_sale")

    def test_recycling_needs_sanitisation(self):
        device = self._received("SER-RECYCLE")
        with self.assertRaises(UserError):
            device.action_recycle()
        self._erase(
            device,
            method="destroy",
            technique="Shredding",
            verification_method="visual",
            destination="destroyed",
        )
        device.action_recycle()
        self.assertEqual(device.state, "recycled")

    def test_missing_and_found(self):
        device = self._device("SER-MISS", company=self.company_x)
        device.action_declare()
        device.action_mark_missing()
        self.assertEqual(device.state, "missing")
        device.action_receive()
        self.assertEqual(device.state, "received")

    def test_receive_sets_operator_and_stock_lot(self):
        device = self._device("SER-LOT")
        device.action_declare()
        device.with_company(self.company_y).action_receive()
        self.assertEqual(device.company_id, self.company_y)
        self.assertEqual(device.lot_id.name, "SER-LOT")
        self.assertEqual(device.lot_id.company_id, self.company_y)
        self.assertEqual(device.lot_id.product_id, self.laptop.product_id)

    def test_serial_unique_per_owner_and_manufacturer(self):
        first = self._device("5CG-123 45")
        with self.assertRaises(ValidationError) as caught:
            self._device("5cg12345")
        message = str(caught.exception)
        self.assertIn(first.display_name, message)
        self.assertIn("Donateur A", message)
        # same serial, other owner or other manufacturer: a different device
        self._device("5CG12345", owner=self.donor_b)
        self._device("5CG12345", manufacturer="HP")
        self.assertEqual(
            self.Equipment.search_count([("serial_key", "=", "5CG12345")]), 3
        )

    def test_serial_duplicate_inside_one_batch(self):
        with self.assertRaises(ValidationError):
            self.Equipment.create(
                [
                    {
                        "serial": "DUP-1",
                        "category_id": self.laptop.id,
                        "owner_id": self.donor_a.id,
                    },
                    {
                        "serial": "dup-1",
                        "category_id": self.laptop.id,
                        "owner_id": self.donor_a.id,
                    },
                ]
            )

    def test_expected_end_of_use(self):
        device = self._device("SER-END", purchase_date="2020-03-15")
        self.assertEqual(str(device.expected_end_date), "2025-03-15")
        device.expected_end_override = "2027-01-01"
        self.assertEqual(str(device.expected_end_date), "2027-01-01")
        device.expected_end_override = False
        self.assertEqual(str(device.expected_end_date), "2025-03-15")

    def test_devices_are_never_deleted(self):
        device = self._device("SER-DEL")
        with self.assertRaises(UserError):
            device.unlink()
        device.action_archive()
        self.assertFalse(device.active)


@tagged("post_install", "-at_install")
class TestFirstDates(ReemploiCase):
    """The chain of custody keeps on each device the first date it was
    collected (or received), erased and put on sale."""

    def test_first_dates_follow_the_chain(self):
        with freeze_time("2026-03-02 09:00:00"):
            device = self._received("SER-FIRST")
        self.assertEqual(str(device.first_collected_date), "2026-03-02 09:00:00")
        self.assertFalse(device.first_erased_date)
        with freeze_time("2026-03-05 10:00:00"):
            self._erase(device)
            device.action_mark_erased()
        self.assertEqual(str(device.first_erased_date), "2026-03-05 10:00:00")
        with freeze_time("2026-03-09 11:00:00"):
            self._grading(device)
            device.action_grade()
            device.action_publish()
        self.assertEqual(str(device.first_for_sale_date), "2026-03-09 11:00:00")
        # a registration cannot bring its own dates either
        forged = self.Equipment.with_user(self.user_operator_x).create(
            {
                "serial": "SER-FIRST-FORGED",
                "category_id": self.laptop.id,
                "owner_id": self.donor_a.id,
                "company_id": self.company_x.id,
                "first_for_sale_date": "2020-01-01 00:00:00",
            }
        )
        self.assertFalse(forged.first_for_sale_date)
        # the chain's own record: written by no caller
        with self.assertRaises(UserError):
            device.with_user(self.user_operator_x).write(
                {"first_for_sale_date": "2026-01-01 00:00:00"}
            )
        self.assertEqual(str(device.first_for_sale_date), "2026-03-09 11:00:00")
