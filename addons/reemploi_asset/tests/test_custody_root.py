import base64
import hashlib
from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..services import custody_chain, merkle
from .common import ReemploiCase

DAY_1 = date(2031, 5, 1)
DAY_2 = date(2031, 5, 2)


def independent_root(heads):
    """The root of ``heads`` ([(qr_token, hash)]) computed again from the
    rules written in README.md, with hashlib alone."""
    level = sorted(
        {hashlib.sha256(f"{token}:{head}".encode()).digest() for token, head in heads}
    )
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        pairs = [
            hashlib.sha256(level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    return level[0].hex()


def independent_verify(proof):
    """Check a proof as printed (label code, event hash, steps) against its
    root, with hashlib alone."""
    node = hashlib.sha256(f"{proof['token']}:{proof['event_hash']}".encode()).digest()
    for step in proof["path"]:
        sibling = bytes.fromhex(step["hash"])
        pair = sibling + node if step["side"] == "left" else node + sibling
        node = hashlib.sha256(pair).digest()
    return node.hex() == proof["root"]


class CustodyRootCase(ReemploiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Root = cls.env["reemploi.custody.root"]
        cls.Event = cls.env["reemploi.custody.event"]
        cls.device = cls._received("SER-ROOT-1")
        cls.other = cls._received("SER-ROOT-2")
        cls.third = cls._device("SER-ROOT-3")

    @classmethod
    def _publish(cls, day):
        with freeze_time(day):
            return cls.Root._publish()

    def _stored_heads(self):
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT e.qr_token, c.hash
              FROM reemploi_custody_event c
              JOIN reemploi_equipment e ON e.id = c.equipment_id
             WHERE c.sequence = (SELECT max(sequence) FROM reemploi_custody_event
                                  WHERE equipment_id = c.equipment_id)
            """
        )
        return self.env.cr.fetchall()

    def _rewrite_chain(self, device, sequence, note):
        """Rewrite ``device``'s chain in the database from event
        ``sequence`` on, as someone with database access would: every hash
        recomputed, so that the chain verifies on its own."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT id, equipment_id, sequence, date, event_type, from_state,
                   to_state, user_id, partner_id, company_id, location,
                   document_ref, note
              FROM reemploi_custody_event
             WHERE equipment_id = %s ORDER BY sequence
            """,
            [device.id],
        )
        columns = [desc[0] for desc in self.env.cr.description]
        previous = custody_chain.GENESIS
        for row in self.env.cr.fetchall():
            event = dict(zip(columns, row, strict=True))
            event["date"] = fields.Datetime.to_string(event["date"])
            if event["sequence"] == sequence:
                event["note"] = note
            event_hash = custody_chain.event_hash(event, previous)
            self.env.cr.execute(
                "UPDATE reemploi_custody_event "
                "SET note = %s, previous_hash = %s, hash = %s WHERE id = %s",
                [event["note"], previous, event_hash, event["id"]],
            )
            previous = event_hash
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestCustodyRoot(CustodyRootCase):
    def test_root_over_every_latest_hash(self):
        root = self._publish(DAY_1)
        heads = self._stored_heads()
        self.assertEqual(root.date, DAY_1)
        self.assertEqual(root.leaf_count, len(heads))
        self.assertEqual(root.algorithm, merkle.ALGORITHM)
        self.assertEqual(root.root, independent_root(heads))
        tokens = {token for token, _head in heads}
        self.assertTrue({self.device.qr_token, self.third.qr_token} <= tokens)
        self.assertEqual(self.Root._verify(), {})

    def test_one_root_a_day(self):
        first = self._publish(DAY_1)
        self.device.action_mark_missing()
        self.assertEqual(self._publish(DAY_1), first)
        second = self._publish(DAY_2)
        self.assertNotEqual(second, first)
        self.assertNotEqual(second.root, first.root)
        self.assertEqual(self.Root._latest(), second)
        self.assertEqual(self.Root.search([], limit=2), second | first)

    def test_cron(self):
        cron = self.env.ref("reemploi_asset.ir_cron_publish_custody_root")
        self.assertEqual(cron.model_id.model, "reemploi.custody.root")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        with freeze_time(DAY_1):
            cron.method_direct_trigger()
        root = self.Root.search([("date", "=", DAY_1)])
        self.assertEqual(root.root, independent_root(self._stored_heads()))

    def test_cron_checks_the_previous_root(self):
        self._publish(DAY_1)
        self._rewrite_chain(self.other, 1, "Enregistré ailleurs")
        logger = "odoo.addons.reemploi_asset.models.reemploi_custody_root"
        with freeze_time(DAY_2), self.assertLogs(logger, "WARNING") as logs:
            root = self.Root._cron_publish()
        self.assertIn("1 device(s)", "\n".join(logs.output))
        # published all the same: the rewritten chain is in the new root
        self.assertEqual(root.date, DAY_2)
        self.assertEqual(root.root, independent_root(self._stored_heads()))

    def test_proofs_verify(self):
        root = self._publish(DAY_1)
        devices = self.device | self.other | self.third
        proofs = self.Root._latest_proofs(devices)
        self.assertEqual(set(proofs), set(devices.ids))
        for device in devices:
            proof = proofs[device.id]
            head = device.custody_event_ids.sorted("sequence")[-1]
            self.assertEqual(proof["token"], device.qr_token)
            self.assertEqual(proof["sequence"], head.sequence)
            self.assertEqual(proof["event_hash"], head.hash)
            self.assertEqual((proof["date"], proof["root"]), (root.date, root.root))
            self.assertTrue(independent_verify(proof))
            leaf = merkle.leaf_hash(device.qr_token, head.hash)
            self.assertEqual(proof["leaf"], leaf.hex())
            path = merkle.proof_from_hex(proof["path"])
            self.assertTrue(merkle.verify(leaf, path, bytes.fromhex(root.root)))

    def test_proof_keeps_the_event_the_root_took(self):
        self._publish(DAY_1)
        taken = self.device.custody_event_ids.sorted("sequence")[-1]
        self.device.action_mark_missing()
        newcomer = self._device("SER-ROOT-NEW")
        proofs = self.Root._latest_proofs(self.device | newcomer)
        # the device's later event waits for the next root; the newcomer
        # is in none yet
        self.assertEqual(proofs[self.device.id]["sequence"], taken.sequence)
        self.assertEqual(proofs[self.device.id]["event_hash"], taken.hash)
        self.assertTrue(independent_verify(proofs[self.device.id]))
        self.assertNotIn(newcomer.id, proofs)
        later = self._publish(DAY_2)._proofs(self.device | newcomer)
        self.assertEqual(set(later), {self.device.id, newcomer.id})
        self.assertGreater(later[self.device.id]["sequence"], taken.sequence)
        self.assertTrue(all(independent_verify(proof) for proof in later.values()))

    def test_no_root_no_proof(self):
        self.assertFalse(self.Root._latest())
        self.assertEqual(self.Root._latest_proofs(self.device), {})

    def test_rewritten_chain_is_detected(self):
        root = self._publish(DAY_1)
        old = self.Root._latest_proofs(self.device)[self.device.id]
        self._rewrite_chain(self.device, 2, "Déclaré par quelqu'un d'autre")
        # the rewritten chain verifies on its own...
        self.assertEqual(self.Event._verify_chains(self.device), {})
        # ...but no longer against the root published before
        with mute_logger("odoo.addons.reemploi_asset.models.reemploi_custody_root"):
            broken = root._verify()
        self.assertIn("1 device(s)", broken[root.id])
        self.assertEqual(self.Root._latest_proofs(self.device), {})
        head = self.device.custody_event_ids.sorted("sequence")[-1]
        self.assertNotEqual(head.hash, old["event_hash"])
        self.assertFalse(independent_verify(dict(old, event_hash=head.hash)))
        # the other devices still verify
        self.assertIn(self.other.id, self.Root._latest_proofs(self.other))

    def test_rewritten_leaves_are_detected(self):
        root = self._publish(DAY_1)
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", root._name),
                ("res_id", "=", root.id),
                ("res_field", "=", "leaves"),
            ]
        )
        leaves = merkle.unpack(attachment.raw)
        forged = merkle.sort_leaves(leaves[1:] + [hashlib.sha256(b"x").digest()])
        attachment.write({"raw": merkle.pack(forged)})
        root.invalidate_recordset()
        with mute_logger("odoo.addons.reemploi_asset.models.reemploi_custody_root"):
            broken = root._verify()
        self.assertIn("stored leaves", broken[root.id])

    def test_public_values(self):
        root = self._publish(DAY_1)
        values = root._public_values()
        self.assertEqual(
            set(values), {"date", "root", "leaf_count", "algorithm", "computed_at"}
        )
        self.assertEqual(values["date"], "2031-05-01")
        self.assertRegex(values["computed_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@tagged("post_install", "-at_install")
class TestCustodyRootImmutable(CustodyRootCase):
    """Nobody creates, changes or deletes a root, whatever the rights: only
    the daily job's method writes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = cls._publish(DAY_1)
        cls.values = {
            "date": DAY_2,
            "root": "ab" * 32,
            "leaf_count": 1,
            "algorithm": merkle.ALGORITHM,
        }

    def test_superuser_cannot_create_write_or_delete(self):
        with self.assertRaises(UserError):
            self.Root.sudo().create(self.values)
        with self.assertRaises(UserError):
            self.Root.sudo().with_context(reemploi_custody_root_write=True).create(
                self.values
            )
        with self.assertRaises(UserError):
            self.root.sudo().write({"root": "cd" * 32})
        with self.assertRaises(UserError):
            self.root.sudo().write({"leaves": base64.b64encode(b"")})
        with self.assertRaises(UserError):
            self.root.sudo().unlink()
        self.assertEqual(self.Root.sudo().search([]), self.root)
        self.assertEqual(self.root.root, independent_root(self._stored_heads()))

    def test_public_reads(self):
        roots = self.Root.with_user(self.user_public).search_read([], ["date", "root"])
        self.assertEqual(
            roots, [{"id": self.root.id, "date": DAY_1, "root": self.root.root}]
        )
