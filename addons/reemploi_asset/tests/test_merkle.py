"""Fast tests of the Merkle tree of the custody roots (services/merkle.py),
without a database."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services import custody_chain, merkle


def sha(data):
    return hashlib.sha256(data).digest()


def leaves_of(count):
    return merkle.sort_leaves(
        merkle.leaf_hash(f"token-{index:04d}-abcdefghijkl", "ab" * 32)
        for index in range(count)
    )


def chain(device_id, notes):
    """A device's custody chain as custody_chain seals it: one event a note."""
    events, previous = [], custody_chain.GENESIS
    for sequence, note in enumerate(notes, start=1):
        event = {
            "equipment_id": device_id,
            "sequence": sequence,
            "date": f"2026-03-0{sequence} 10:00:00",
            "event_type": "note",
            "note": note,
            "previous_hash": previous,
        }
        event["hash"] = custody_chain.event_hash(event, previous)
        events.append(event)
        previous = event["hash"]
    return events


@tagged("at_install", "reemploi_unit")
class TestMerkleTree(BaseCase):
    def test_leaf_is_sha256_of_token_colon_hash(self):
        self.assertEqual(
            merkle.leaf_hash("Tok_en-123", "0f" * 32),
            hashlib.sha256(("Tok_en-123:" + "0f" * 32).encode("utf-8")).digest(),
        )
        self.assertNotEqual(
            merkle.leaf_hash("Tok_en-123", "0f" * 32),
            merkle.leaf_hash("Tok_en-124", "0f" * 32),
        )

    def test_shapes(self):
        a, b, c, d, e = leaves_of(5)
        self.assertEqual(merkle.root([]), hashlib.sha256(b"").digest())
        self.assertEqual(merkle.root([a]), a)
        self.assertEqual(merkle.root([a, b]), sha(a + b))
        # an odd last node is promoted, not paired with itself
        self.assertEqual(merkle.root([a, b, c]), sha(sha(a + b) + c))
        self.assertEqual(merkle.root([a, b, c, d]), sha(sha(a + b) + sha(c + d)))
        self.assertEqual(
            merkle.root([a, b, c, d, e]), sha(sha(sha(a + b) + sha(c + d)) + e)
        )
        self.assertNotEqual(merkle.root([a, b, c]), merkle.root([a, b, c, c]))

    def test_leaves_are_sorted_and_unique(self):
        a, b, c = leaves_of(3)
        self.assertEqual(merkle.sort_leaves([c, a, b, a]), [a, b, c])
        with self.assertRaises(merkle.ProofError):
            merkle.sort_leaves([a, b"short"])

    def test_every_proof_verifies(self):
        for count in range(1, 34):
            leaves = leaves_of(count)
            tree = merkle.levels(leaves)
            root = merkle.root(leaves)
            for index, leaf in enumerate(leaves):
                with self.subTest(count=count, index=index):
                    path = merkle.proof(tree, index)
                    self.assertLessEqual(len(path), (count - 1).bit_length())
                    self.assertTrue(merkle.verify(leaf, path, root))
                    self.assertEqual(merkle.index_of(leaves, leaf), index)

    def test_proof_of_five_leaves(self):
        a, b, c, d, e = leaves_of(5)
        tree = merkle.levels([a, b, c, d, e])
        self.assertEqual(
            merkle.proof(tree, 2),
            [(merkle.RIGHT, d), (merkle.LEFT, sha(a + b)), (merkle.RIGHT, e)],
        )
        # e is promoted twice: one step only
        self.assertEqual(
            merkle.proof(tree, 4), [(merkle.LEFT, sha(sha(a + b) + sha(c + d)))]
        )
        self.assertEqual(merkle.proof(merkle.levels([a]), 0), [])
        with self.assertRaises(merkle.ProofError):
            merkle.proof(tree, 5)

    def test_a_changed_leaf_no_longer_verifies(self):
        leaves = leaves_of(9)
        tree = merkle.levels(leaves)
        root = merkle.root(leaves)
        path = merkle.proof(tree, 4)
        changed = merkle.leaf_hash("token-0004-abcdefghijkl", "cd" * 32)
        self.assertFalse(merkle.verify(changed, path, root))
        # nor with a sibling changed, or a side swapped
        forged = [(path[0][0], sha(b"forged"))] + path[1:]
        self.assertFalse(merkle.verify(leaves[4], forged, root))
        swapped = [
            (merkle.LEFT if s == merkle.RIGHT else merkle.RIGHT, h) for s, h in path
        ]
        self.assertFalse(merkle.verify(leaves[4], swapped, root))
        self.assertFalse(merkle.verify(leaves[4], [("up", path[0][1])], root))
        # and the tree holding the changed leaf has another root
        others = merkle.sort_leaves(leaves[:4] + [changed] + leaves[5:])
        self.assertNotEqual(merkle.root(others), root)
        self.assertIsNone(merkle.index_of(leaves, changed))

    def test_a_rewritten_chain_no_longer_verifies_against_an_old_root(self):
        chains = {
            "Device-one-token-A": chain(1, ["reçu", "effacé", "vendu"]),
            "Device-two-token-B": chain(2, ["reçu", "recyclé"]),
            "Device-three-tok-C": chain(3, ["reçu"]),
        }

        def leaves(chains):
            return merkle.sort_leaves(
                merkle.leaf_hash(token, events[-1]["hash"])
                for token, events in chains.items()
            )

        old_leaves = leaves(chains)
        old_root = merkle.root(old_leaves)
        head = chains["Device-one-token-A"][-1]["hash"]
        old_leaf = merkle.leaf_hash("Device-one-token-A", head)
        old_path = merkle.proof(
            merkle.levels(old_leaves), merkle.index_of(old_leaves, old_leaf)
        )
        self.assertTrue(merkle.verify(old_leaf, old_path, old_root))
        # the whole chain rewritten with database access: it verifies on its
        # own, but its head, hence its leaf, is another one
        rewritten = chain(1, ["reçu", "non effacé", "vendu"])
        self.assertIsNone(custody_chain.first_broken_link(rewritten))
        self.assertNotEqual(rewritten[-1]["hash"], head)
        new_leaf = merkle.leaf_hash("Device-one-token-A", rewritten[-1]["hash"])
        self.assertFalse(merkle.verify(new_leaf, old_path, old_root))
        new_leaves = leaves(dict(chains, **{"Device-one-token-A": rewritten}))
        self.assertNotEqual(merkle.root(new_leaves), old_root)
        new_path = merkle.proof(
            merkle.levels(new_leaves), merkle.index_of(new_leaves, new_leaf)
        )
        self.assertFalse(merkle.verify(new_leaf, new_path, old_root))
        # no event of the rewritten chain gives the leaf the old root holds
        self.assertNotIn(
            old_leaf,
            {merkle.leaf_hash("Device-one-token-A", e["hash"]) for e in rewritten},
        )

    def test_storage(self):
        leaves = leaves_of(7)
        self.assertEqual(merkle.unpack(merkle.pack(leaves)), leaves)
        self.assertEqual(merkle.unpack(b""), [])
        with self.assertRaises(merkle.ProofError):
            merkle.unpack(merkle.pack(leaves)[:-1])
        with self.assertRaises(merkle.ProofError):
            merkle.unpack(merkle.pack(list(reversed(leaves))))
        with self.assertRaises(merkle.ProofError):
            merkle.unpack(merkle.pack([leaves[0], leaves[0]]))

    def test_hex_form(self):
        leaves = leaves_of(6)
        path = merkle.proof(merkle.levels(leaves), 3)
        written = merkle.proof_to_hex(path)
        self.assertEqual(written[0], {"side": path[0][0], "hash": path[0][1].hex()})
        self.assertEqual(merkle.proof_from_hex(written), path)
        for bad in (
            [{"side": "left"}],
            [{"side": "left", "hash": "zz"}],
            [{"side": "left", "hash": "ab" * 31}],
            [{"side": "up", "hash": "ab" * 32}],
            ["left"],
        ):
            with self.subTest(bad=bad), self.assertRaises(merkle.ProofError):
                merkle.proof_from_hex(bad)

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=70),
        st.data(),
    )
    def test_any_tree(self, raw, data):
        leaves = merkle.sort_leaves(raw)
        index = data.draw(st.integers(min_value=0, max_value=len(leaves) - 1))
        root = merkle.root(leaves)
        path = merkle.proof(merkle.levels(leaves), index)
        self.assertTrue(merkle.verify(leaves[index], path, root))
        others = [leaf for leaf in leaves if leaf != leaves[index]]
        if others:
            self.assertFalse(merkle.verify(others[0], path, root))
