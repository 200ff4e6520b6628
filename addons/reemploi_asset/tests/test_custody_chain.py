from odoo.exceptions import UserError
from odoo.tests import tagged

from ..services import custody_chain
from .common import ReemploiCase


@tagged("post_install", "-at_install")
class TestCustodyChain(ReemploiCase):
    def setUp(self):
        super().setUp()
        self.device = self._device("SER-CHAIN", company=self.company_x)
        self.device.action_declare()
        self.device.action_collect()
        self.device.action_receive()
        self.events = self.device.custody_event_ids.sorted("sequence")
        self.Event = self.env["reemploi.custody.event"]

    def test_events_are_chained(self):
        self.assertEqual(self.events.mapped("sequence"), [1, 2, 3, 4])
        self.assertEqual(self.events[0].previous_hash, custody_chain.GENESIS)
        for previous, event in zip(self.events, self.events[1:], strict=False):
            self.assertEqual(event.previous_hash, previous.hash)
            self.assertEqual(len(event.hash), 64)
        self.assertEqual(self.Event._verify_chains(self.device), {})

    def test_chains_are_per_device(self):
        other = self._device("SER-OTHER")
        self.assertEqual(other.custody_event_ids.sequence, 1)
        self.assertEqual(other.custody_event_ids.previous_hash, custody_chain.GENESIS)

    def test_no_write_even_for_superuser(self):
        with self.assertRaises(UserError):
            self.events[1].sudo().write({"note": "forged"})
        self.assertFalse(self.events[1].note)

    def test_no_unlink_even_for_superuser(self):
        with self.assertRaises(UserError):
            self.events.sudo().unlink()
        self.assertEqual(len(self.device.custody_event_ids), 4)

    def test_given_hash_is_ignored(self):
        event = self.Event.create(
            {
                "equipment_id": self.device.id,
                "event_type": "note",
                "note": "Contrôle visuel",
                "hash": "f" * 64,
                "sequence": 99,
            }
        )
        self.assertEqual(event.sequence, 5)
        self.assertNotEqual(event.hash, "f" * 64)
        self.assertEqual(self.Event._verify_chains(self.device), {})

    def test_sql_tampering_detected(self):
        self.env.cr.execute(
            "UPDATE reemploi_custody_event SET note = 'forged' WHERE id = %s",
            [self.events[1].id],
        )
        broken = self.Event._verify_chains()
        self.assertIn(self.device.id, broken)
        self.assertIn("#2", broken[self.device.id])
        action = self.device.action_verify_custody()
        self.assertEqual(action["params"]["type"], "danger")

    def test_sql_tampering_of_state_detected(self):
        self.env.cr.execute(
            "UPDATE reemploi_custody_event SET to_state = 'sold' WHERE id = %s",
            [self.events[3].id],
        )
        broken = self.Event._verify_chains(self.device)
        self.assertIn("#4", broken[self.device.id])

    def test_sql_deletion_detected(self):
        self.env.cr.execute(
            "DELETE FROM reemploi_custody_event WHERE id = %s", [self.events[1].id]
        )
        broken = self.Event._verify_chains(self.device)
        self.assertIn("#3", broken[self.device.id])

    def test_rehashing_one_event_breaks_the_next(self):
        tampered = self.events[1]
        payload = tampered._payload()
        payload["note"] = "forged"
        forged_hash = custody_chain.event_hash(payload, tampered.previous_hash)
        self.env.cr.execute(
            "UPDATE reemploi_custody_event SET note = 'forged', hash = %s "
            "WHERE id = %s",
            [forged_hash, tampered.id],
        )
        broken = self.Event._verify_chains(self.device)
        self.assertIn("#3", broken[self.device.id])

    def test_cron_reports_intact_chains(self):
        self.assertEqual(self.Equipment._cron_verify_custody_chains(), {})
        action = self.device.action_verify_custody()
        self.assertEqual(action["params"]["type"], "success")
