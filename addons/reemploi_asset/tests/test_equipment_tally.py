from unittest.mock import patch

from odoo import models
from odoo.tests import tagged

from .common import ReemploiCase

GROUPINGS = (
    ["owner_id", "category_id", "state"],
    ["company_id", "category_id", "state"],
    ["state"],
    ["category_id"],
    [],
)
DOMAINS = (
    [],
    [("state", "in", ("in_use", "to_decommission"))],
    [("owner_id", "=", False)],
    [("company_id", "!=", False)],
    [("active", "in", (True, False))],
)


@tagged("post_install", "-at_install")
class TestEquipmentTally(ReemploiCase):
    """The register's counts by donor, category and state come from
    ``reemploi.equipment.tally`` when it can answer, and are the same as
    counting the devices, whoever asks and whatever changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.devices = cls.Equipment
        for n in range(6):
            cls.devices |= cls._device(
                f"TALLY-A-{n}",
                category=cls.monitor if n % 2 else cls.laptop,
            )
        for n in range(3):
            cls.devices |= cls._device(f"TALLY-B-{n}", owner=cls.donor_b)
        cls.devices |= cls._device("TALLY-NONE", owner_id=False)

    def assertSameAsDevices(self, user):
        Equipment = self.Equipment.with_user(user)
        for groupby in GROUPINGS:
            for domain in DOMAINS:
                with self.subTest(user=user.login, groupby=groupby, domain=domain):
                    self.assertEqual(
                        Equipment.read_group(
                            domain, ["co2e_avoided_kg:sum"], groupby, lazy=False
                        ),
                        Equipment.with_context(reemploi_no_tally=True).read_group(
                            domain, ["co2e_avoided_kg:sum"], groupby, lazy=False
                        ),
                    )

    def test_coordinator_and_donor_read_the_tally(self):
        for user in (self.user_coordinator, self.user_donor_a):
            Equipment = self.Equipment.with_user(user)
            self.assertIsNotNone(
                Equipment._read_group_tally_args([], ["state"], ["__count"], (), None)
            )
        # an operator's rule compares the company, which the tally by donor
        # does not keep: its counts come from the tally by operator
        Equipment = self.Equipment.with_user(self.user_operator_x)
        self.assertEqual(
            Equipment._read_group_tally_args([], ["state"], ["__count"], (), None)[0],
            "reemploi.equipment.month.tally",
        )
        self.assertIsNone(
            Equipment._read_group_tally_args([], ["owner_id"], ["__count"], (), None)
        )
        # nor a filter or an aggregate the tally does not keep
        Equipment = self.Equipment.with_user(self.user_coordinator)
        self.assertIsNone(
            Equipment._read_group_tally_args(
                [("serial", "=", "X")], ["state"], ["__count"], (), None
            )
        )
        self.assertIsNone(
            Equipment._read_group_tally_args(
                [], ["state"], ["medium_count:sum"], (), None
            )
        )
        self.assertIsNone(
            Equipment._read_group_tally_args(
                [("owner_id", "=", "Donateur A")], ["state"], ["__count"], (), None
            )
        )

    def test_same_counts_as_the_devices(self):
        self.assertSameAsDevices(self.user_coordinator)
        self.assertSameAsDevices(self.user_donor_a)
        self.assertSameAsDevices(self.user_operator_x)

    def test_donor_counts_only_its_devices(self):
        groups = self.Equipment.with_user(self.user_donor_a).read_group(
            [], ["co2e_avoided_kg:sum"], ["owner_id"], lazy=False
        )
        self.assertEqual(
            [(group["owner_id"][0], group["__count"]) for group in groups],
            [(self.donor_a.id, 6)],
        )

    def test_counts_follow_changes_and_compaction(self):
        devices = self.devices.filtered(lambda d: d.owner_id == self.donor_a)
        devices[:2].action_to_decommission()
        devices[2].write({"owner_id": self.donor_b.id})
        devices[3].write({"category_id": self.laptop.id})
        devices[4].action_archive()
        imported = self.Equipment._insert_imported(
            [
                {
                    "serial": "TALLY-IMPORTED",
                    "category_id": self.monitor.id,
                    "owner_id": self.donor_b.id,
                    "state": "to_decommission",
                }
            ]
        )
        # not flushed: the counts include the writes still in the cache
        self.assertSameAsDevices(self.user_coordinator)
        self.assertSameAsDevices(self.user_donor_a)
        Tally = self.env["reemploi.equipment.tally"]
        Tally._compact()
        self.assertSameAsDevices(self.user_coordinator)
        # one row per group once compacted
        self.env.cr.execute(
            """SELECT count(*) FROM reemploi_equipment_tally
            GROUP BY owner_id, category_id, state, active HAVING count(*) > 1"""
        )
        self.assertFalse(self.env.cr.fetchall())
        groups = self.Equipment.with_user(self.user_coordinator).read_group(
            [("owner_id", "=", self.donor_b.id)],
            ["co2e_avoided_kg:sum"],
            ["state"],
            lazy=False,
        )
        self.assertEqual(
            {group["state"]: group["__count"] for group in groups},
            {"in_use": 4, "to_decommission": 1},
        )
        self.assertEqual(imported.state, "to_decommission")

    def test_groups_formatted_as_odoo_does(self):
        """The groups' labels and domains are those of Odoo's own
        formatting, which the register's reads once per donor and category
        instead of once per group."""
        Equipment = self.Equipment.with_user(self.user_coordinator)
        core = models.BaseModel._read_group_format_result
        for groupby, lazy in (
            (["owner_id", "category_id", "state"], False),
            (["state", "owner_id"], False),
            (["category_id"], False),
            (["owner_id", "state"], True),
            (["owner_id", "purchase_date:year"], False),
        ):
            with self.subTest(groupby=groupby, lazy=lazy):
                groups = Equipment.read_group(
                    [], ["co2e_avoided_kg:sum"], groupby, lazy=lazy
                )
                self.assertTrue(groups)
                with patch.object(type(Equipment), "_read_group_format_result", core):
                    expected = Equipment.read_group(
                        [], ["co2e_avoided_kg:sum"], groupby, lazy=lazy
                    )
                self.assertEqual(groups, expected)
        # a device without donor is a group of its own, labelled False
        groups = Equipment.read_group(
            [], ["co2e_avoided_kg:sum"], ["owner_id"], lazy=False
        )
        self.assertIn(
            [("owner_id", "=", False)],
            [group["__domain"] for group in groups if not group["owner_id"]],
        )
