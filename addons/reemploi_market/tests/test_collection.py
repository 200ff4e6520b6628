import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.reemploi_asset.tests.common import TECHNICIAN

from .common import MarketCase


class CollectionCase(MarketCase):
    """A lot of donor A matched with operator X: three devices of the
    register (two laptops, a monitor) and two desktops declared by number;
    a driver of operator X, with the operator's least privileged group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Round = cls.env["reemploi.collection.round"]
        cls.smartphone = cls.env.ref("reemploi_asset.category_smartphone")
        cls.user_driver_x = cls._operator("driver_x", cls.company_x, TECHNICIAN)
        cls.device_1 = cls._device("CHK-1", asset_tag="INV-001")
        cls.device_2 = cls._device("CHK-2")
        cls.device_3 = cls._device("CHK-3", category=cls.monitor, asset_tag="INV-003")
        cls.lot = cls._matched_lot(
            devices=cls.device_1 | cls.device_2 | cls.device_3,
            quantities={cls.desktop: 2},
        )

    @classmethod
    def _round(cls, lots, user=None, **values):
        user = user or cls.user_driver_x
        vals = {
            "date": fields.Date.today() + timedelta(days=3),
            "area": "38000 Grenoble",
            "lot_ids": [Command.link(lot.id) for lot in lots],
        }
        vals.update(values)
        return cls.Round.with_user(user).create(vals)

    @classmethod
    def _checkin(cls, lot=None):
        lot = (lot or cls.lot).with_user(cls.user_driver_x)
        return lot._get_checkin()

    def _last_event(self, device):
        return device.custody_event_ids.sorted("sequence")[-1]


class CollectionTourCase(CollectionCase):
    """A round of operator X planned for a lot of two laptops and a monitor
    (``tour_round``, ``tour_lot``, ``tour_devices``), walked on a phone by
    the driver (an HttpCase's tour)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_driver_x.password = "driver_x"
        devices = cls._device("TOUR-1") | cls._device("TOUR-2")
        devices |= cls._device("TOUR-3", category=cls.monitor)
        cls.tour_lot = cls._matched_lot(devices=devices)
        cls.tour_devices = devices
        cls.tour_round = cls._round(cls.tour_lot)
        cls.tour_round.action_plan()

    def _start_round_tour(self, tour):
        """The driver runs ``tour`` from the round's form, on a phone."""
        self.browser_size = "360x740"
        self.touch_enabled = True
        self.start_tour(
            "/odoo/action-reemploi_market.reemploi_collection_round_action/"
            f"{self.tour_round.id}",
            tour,
            login="driver_x",
        )


@tagged("post_install", "-at_install")
class TestCollectionRound(CollectionCase):
    def test_propose_groups_matched_lots_by_area(self):
        self.donor_b.write({"zip": "38400", "city": "Saint-Martin-d'Hères"})
        lot_2 = self._matched_lot(quantities={self.laptop: 1})
        lot_b = self._matched_lot(donor=self.donor_b, quantities={self.laptop: 1})
        # another operator's lot and a lot only declared stay out
        self._matched_lot(company=self.company_y, quantities={self.laptop: 1})
        self._lot(quantities={self.laptop: 1}).action_declare()
        today = fields.Date.today()
        rounds = self.Round.with_user(self.user_driver_x)._propose(start=today)
        self.assertEqual(
            [(r.area, r.date, r.lot_ids) for r in rounds.sorted("area")],
            [
                ("38000 Grenoble", today + timedelta(days=2), self.lot | lot_2),
                ("38400 Saint-Martin-d'Hères", today + timedelta(days=2), lot_b),
            ],
        )
        self.assertEqual(rounds.company_id, self.company_x)
        self.assertEqual(set(rounds.mapped("state")), {"draft"})
        self.assertRegex(rounds[0].name, rf"^ROUND/{today.year}/\d{{4}}$")
        # lots in a round are not proposed again
        self.assertFalse(self.Round.with_user(self.user_driver_x)._propose(start=today))

    def test_plan_schedules_lots_and_creates_receipt(self):
        round_ = self._round(self.lot)
        self.assertEqual(self.lot.round_id, round_)
        self.assertEqual(self.lot.state, "matched")
        self.assertFalse(self.lot.picking_id)
        round_.action_plan()
        self.assertEqual(round_.state, "planned")
        self.assertEqual(self.lot.state, "scheduled")
        picking = self.lot.picking_id
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_x.id)], limit=1
        )
        self.assertEqual(picking.company_id, self.company_x)
        self.assertEqual(picking.picking_type_id, warehouse.in_type_id)
        self.assertEqual(picking.partner_id, self.donor_a)
        self.assertEqual(picking.origin, self.lot.name)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(
            {m.product_id: m.product_uom_qty for m in picking.move_ids},
            {
                self.laptop.product_id: 2,
                self.monitor.product_id: 1,
                self.desktop.product_id: 2,
            },
        )
        self.assertEqual(round_.picking_count, 1)

    def test_round_takes_only_its_operators_waiting_lots(self):
        lot_y = self._matched_lot(company=self.company_y, quantities={self.laptop: 1})
        with self.assertRaises(ValidationError):
            self._round(lot_y, user=self.env.user, company_id=self.company_x.id)
        collected = self._matched_lot(quantities={self.laptop: 1})
        collected.action_schedule()
        collected.action_collect()
        with self.assertRaises(UserError):
            self._round(collected)
        self.assertFalse(collected.round_id)

    def test_cancel_releases_lots_and_receipts(self):
        round_ = self._round(self.lot)
        round_.action_plan()
        picking = self.lot.picking_id
        round_.action_cancel()
        self.assertEqual(round_.state, "cancel")
        self.assertFalse(self.lot.round_id)
        self.assertFalse(self.lot.picking_id)
        self.assertEqual(picking.state, "cancel")
        # the lot, still scheduled, joins another round
        other = self._round(self.lot)
        other.action_plan()
        self.assertEqual(self.lot.round_id, other)
        self.assertNotEqual(self.lot.picking_id, picking)

    def test_round_with_a_collected_lot_is_not_cancelled(self):
        round_ = self._round(self.lot)
        round_.action_plan()
        self._checkin()
        with self.assertRaises(UserError):
            round_.action_cancel()
        self.assertEqual(round_.state, "planned")
        self.assertEqual(self.lot.round_id, round_)

    def test_started_round_keeps_its_lots(self):
        round_ = self._round(self.lot)
        round_.action_plan()
        round_.action_start()
        with self.assertRaises(UserError):
            round_.write({"lot_ids": [Command.unlink(self.lot.id)]})
        self.assertEqual(self.lot.round_id, round_)
        with self.assertRaises(UserError):
            round_.action_done()
        self.assertEqual(round_.state, "in_progress")


@tagged("post_install", "-at_install")
class TestCheckin(CollectionCase):
    UNKNOWN_URL = "https://reemploi.example.org/r/UnknownLabelToken0123456789"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a device of donor A's register that comes although not declared
        cls.device_4 = cls._device("CHK-4")
        # another donor's device is never found from this lot
        cls.device_b = cls._device("CHK-B", owner=cls.donor_b)
        # a device of donor A promised in another of its lots
        cls._lot(devices=cls._device("CHK-5")).action_declare()
        cls.round = cls._round(cls.lot)
        cls.round.action_plan()
        cls.round.action_start()

    def test_opening_collects_the_lot_with_expected_lines(self):
        checkin = self._checkin()
        self.assertEqual(self.lot.state, "collected")
        self.assertEqual(self.lot.checkin_id, checkin)
        for device in self.lot.equipment_ids:
            self.assertEqual(device.state, "collected")
        self.assertEqual(checkin.company_id, self.company_x)
        self.assertEqual(checkin.round_id, self.round)
        self.assertEqual(
            sorted(checkin.line_ids.mapped("kind")), ["count"] + ["device"] * 3
        )
        self.assertEqual(
            (checkin.expected_count, checkin.received_count, checkin.missing_count),
            (5, 0, 5),
        )
        # opening it again gives the same check-in
        self.assertEqual(self._checkin(), checkin)

    def test_scan_by_token_serial_tag_duplicate_extra_unknown(self):
        checkin = self._checkin()
        url = self.device_1.traceability_url
        self.assertTrue(url.endswith(f"/r/{self.device_1.qr_token}"))
        results = [
            checkin.scan_code(code)["result"]
            for code in (
                url,  # QR label
                " chk-2 ",  # serial, typed loosely
                "inv-003",  # asset tag
                "INV-001",  # the first device again
                "CHK-4",  # in the donor's register, not declared
                "CHK-B",  # another donor's device
                "CHK-5",  # the donor's, but promised in another lot
                "NOPE-999",  # nothing known
                self.UNKNOWN_URL,  # a label of nothing known
                self.UNKNOWN_URL,  # twice
            )
        ]
        self.assertEqual(
            results,
            [
                "received",
                "received",
                "received",
                "duplicate",
                "extra",
                "unknown",
                "elsewhere",
                "unknown",
                "unknown",
                "duplicate",
            ],
        )
        lines = checkin.line_ids
        received = lines.filtered(lambda line: line.status == "received")
        self.assertEqual(
            received.equipment_id, self.device_1 | self.device_2 | self.device_3
        )
        extra = lines.filtered(lambda line: line.kind == "extra")
        self.assertEqual(extra.equipment_id, self.device_4)
        self.assertEqual(
            sorted(lines.filtered(lambda line: line.kind == "unknown").mapped("code")),
            ["CHK-5", "CHK-B", "NOPE-999", "UnknownLabelToken0123456789"],
        )
        self.assertEqual(
            (
                checkin.expected_count,
                checkin.received_count,
                checkin.missing_count,
                checkin.extra_count,
                checkin.unknown_count,
            ),
            (5, 4, 2, 1, 4),
        )
        # nothing changed in the register before the validation
        self.assertEqual(self.device_4.state, "in_use")
        self.assertFalse(self.device_4.company_id)
        with self.assertRaises(UserError):
            checkin.scan_code("   ")

    def test_unknown_code_registered_counts_against_declared_quantity(self):
        checkin = self._checkin()
        unknown = checkin.line_ids.browse(checkin.scan_code("DESK-NEW-1")["line_id"])
        checkin.register_line(unknown.id, self.desktop.id)
        count = checkin.line_ids.filtered(lambda line: line.kind == "count")
        self.assertEqual(unknown.kind, "extra")
        self.assertEqual(unknown.count_line_id, count)
        self.assertEqual(unknown.status, "received")
        self.assertEqual(count.received_qty, 1)
        self.assertEqual(count.status, "partial")
        # a count never goes below the devices scanned for it
        checkin.set_line_count(count.id, 0)
        self.assertEqual(count.received_qty, 1)
        checkin.set_line_count(count.id, 3)
        self.assertEqual(
            (checkin.received_count, checkin.missing_count, checkin.extra_count),
            (3, 3, 1),
        )
        # a registered code that is removed gives its unit back
        checkin.remove_line(unknown.id)
        self.assertEqual(count.received_qty, 2)
        with self.assertRaises(UserError):
            checkin.remove_line(count.id)

    def _scan_and_validate(self):
        checkin = self._checkin()
        for code in (self.device_1.serial, self.device_2.serial, "CHK-4"):
            checkin.scan_code(code)
        unknown_id = checkin.scan_code("DESK-NEW-1")["line_id"]
        checkin.register_line(unknown_id, self.desktop.id)
        # a category the lot did not declare: the receipt gets a new move
        unknown_id = checkin.scan_code("PHONE-NEW-1")["line_id"]
        checkin.register_line(unknown_id, self.smartphone.id)
        count = checkin.line_ids.filtered(lambda line: line.kind == "count")
        checkin.set_line_count(count.id, 2)
        checkin.action_validate()
        return checkin

    def test_validate_receives_marks_missing_and_validates_receipt(self):
        checkin = self._scan_and_validate()
        picking = self.lot.picking_id
        self.assertEqual(checkin.state, "done")
        self.assertEqual(checkin.user_done_id, self.user_driver_x)
        self.assertEqual(self.lot.state, "received")
        self.assertEqual(self.round.state, "done")
        self.assertEqual(
            (
                checkin.expected_count,
                checkin.received_count,
                checkin.missing_count,
                checkin.extra_count,
            ),
            (5, 6, 1, 2),
        )
        # devices: received with custody events naming the receipt
        desktops = self.Equipment.search(
            [
                ("reemploi_lot_id", "=", self.lot.id),
                ("category_id", "=", self.desktop.id),
            ]
        )
        self.assertEqual(len(desktops), 2)
        self.assertEqual(set(desktops.mapped("serial")), {False, "DESK-NEW-1"})
        phone = self.Equipment.search([("serial", "=", "PHONE-NEW-1")])
        self.assertEqual(phone.owner_id, self.donor_a)
        received = self.device_1 | self.device_2 | self.device_4 | desktops | phone
        for device in received:
            self.assertEqual(device.state, "received")
            self.assertEqual(device.company_id, self.company_x)
            self.assertEqual(device.reemploi_lot_id, self.lot)
            self.assertTrue(device.lot_id)
            event = self._last_event(device)
            self.assertEqual(
                (event.to_state, event.document_ref), ("received", picking.name)
            )
            self.assertEqual(event.user_id, self.user_driver_x)
        self.assertEqual(self.device_3.state, "missing")
        missing = self._last_event(self.device_3)
        self.assertEqual(
            (missing.from_state, missing.to_state, missing.document_ref),
            ("collected", "missing", picking.name),
        )
        undeclared = self.device_4.custody_event_ids.mapped("to_state")
        self.assertEqual(undeclared[-2:], ["declared", "received"])
        self.assertFalse(self.env["reemploi.custody.event"]._verify_chains(received))
        # stock: the serials actually received, nothing back-ordered
        self.assertEqual(picking.state, "done")
        self.assertEqual(
            sorted(picking.move_line_ids.mapped("lot_id.name")),
            sorted(received.mapped("lot_id.name")),
        )
        done = picking.move_ids.filtered(lambda m: m.state == "done")
        self.assertEqual(
            {m.product_id: m.quantity for m in done},
            {
                self.laptop.product_id: 3,
                self.desktop.product_id: 2,
                self.smartphone.product_id: 1,
            },
        )
        self.assertFalse(picking.backorder_ids)
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "in", received.lot_id.ids),
                ("location_id.usage", "=", "internal"),
            ]
        )
        self.assertEqual(quants.company_id, self.company_x)
        self.assertEqual(sum(quants.mapped("quantity")), 6)

    def test_snapshot_is_frozen(self):
        checkin = self._scan_and_validate()
        snapshot = checkin.snapshot
        data = json.loads(snapshot)
        self.assertEqual(data["lot"], self.lot.name)
        self.assertEqual(data["picking"], self.lot.picking_id.name)
        self.assertEqual(
            data["counts"], {"expected": 5, "received": 6, "missing": 1, "extra": 2}
        )
        by_serial = {line["serial"]: line for line in data["lines"] if line["serial"]}
        self.assertEqual(by_serial["CHK-3"]["status"], "missing")
        self.assertEqual(by_serial["CHK-1"]["status"], "received")
        self.assertEqual(by_serial["CHK-4"]["status"], "extra")
        self.assertEqual(by_serial["CHK-1"]["qr_token"], self.device_1.qr_token)
        driver = checkin.with_user(self.user_driver_x)
        attempts = {
            "write": lambda: driver.write({"snapshot": "{}"}),
            "scan": lambda: driver.scan_code("CHK-3"),
            "validate": lambda: driver.action_validate(),
            "line": lambda: driver.line_ids[0].write({"received_qty": 0}),
            "new line": lambda: driver.line_ids.create(
                {"checkin_id": checkin.id, "kind": "unknown", "code": "X"}
            ),
            "unlink": lambda: driver.sudo().unlink(),
        }
        for name, attempt in attempts.items():
            with self.subTest(attempt=name), self.assertRaises(UserError):
                attempt()
        # the devices go on with their lives; the snapshot does not move
        self.device_1.with_user(self.user_driver_x).action_mark_missing()
        checkin.invalidate_recordset()
        self.assertEqual(checkin.snapshot, snapshot)
        self.assertEqual(checkin.received_count, 6)

    def test_nothing_came(self):
        checkin = self._checkin()
        checkin.action_validate()
        self.assertEqual(self.lot.state, "received")
        self.assertEqual(self.lot.picking_id.state, "cancel")
        self.assertEqual(set(self.lot.equipment_ids.mapped("state")), {"missing"})
        self.assertEqual((checkin.received_count, checkin.missing_count), (0, 5))
