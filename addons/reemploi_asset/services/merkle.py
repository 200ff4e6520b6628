"""Merkle tree of the daily custody roots.

Plain Python, no ORM: ``models/reemploi_custody_root.py`` feeds it the
head of every device's custody chain (``services/custody_chain.py``) and
stores what it returns; anyone can check a proof with :mod:`hashlib` alone
(README.md, "Vérifier une preuve de traçabilité").

The rules, version ``reemploi-merkle-sha256-v1`` (:data:`ALGORITHM`):

* **Leaf** of a device: ``SHA-256(UTF-8 of "<qr_token>:<event_hash>")``,
  the raw 32 bytes, where ``qr_token`` is the code of the device's QR label
  (the end of its public address ``/r/<qr_token>``) and ``event_hash`` the
  hexadecimal hash of the latest event of its custody chain (64 lower-case
  characters).
* **Level 0** is the list of leaves sorted by their bytes; a leaf appears
  once (a token belongs to one device).
* **Next level**: the nodes are taken in pairs from the left;
  ``parent = SHA-256(left || right)`` over the raw 32 + 32 bytes. A last
  node left without a pair is **promoted** unchanged to the next level
  (never duplicated: a list and the same list with its last leaf repeated
  never share a root).
* The **root** is the single node of the last level, written in lower-case
  hexadecimal. No leaves: the root is ``SHA-256("")``.
* A **proof** of a leaf is the list of its siblings from level 0 upwards,
  each with its side: ``("left", h)`` means ``parent = SHA-256(h || node)``,
  ``("right", h)`` means ``parent = SHA-256(node || h)``; a level where the
  node is promoted adds nothing.

A leaf hashes more than 64 bytes of text (the hash alone has 64
characters) and an inner node exactly 64 raw bytes: the same bytes are never
hashed as both, so a leaf cannot pass for an inner node, nor the reverse.
"""

import bisect
import hashlib

ALGORITHM = "reemploi-merkle-sha256-v1"
LEFT = "left"
RIGHT = "right"
EMPTY_ROOT = hashlib.sha256(b"").digest()
DIGEST_SIZE = 32


class ProofError(ValueError):
    """A leaf that is not in the tree, or a proof or leaves not well formed."""


def leaf_hash(token, event_hash):
    """The leaf (32 bytes) of a device whose QR code is ``token`` and whose
    custody chain ends with the event hashed ``event_hash`` (hex)."""
    return hashlib.sha256(f"{token}:{event_hash}".encode()).digest()


def sort_leaves(leaves):
    """Level 0 of the tree: ``leaves`` (32-byte digests) sorted, each once."""
    level = sorted(set(leaves))
    for leaf in level:
        if len(leaf) != DIGEST_SIZE:
            raise ProofError("a leaf is a 32-byte digest")
    return level


def _parent(left, right):
    return hashlib.sha256(left + right).digest()


def _next_level(level):
    parents = [_parent(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        parents.append(level[-1])  # promoted, not duplicated
    return parents


def levels(leaves):
    """Every level of the tree of ``leaves`` (already sorted, see
    :func:`sort_leaves`), from the leaves up to the root's level."""
    tree = [list(leaves)]
    while len(tree[-1]) > 1:
        tree.append(_next_level(tree[-1]))
    return tree


def root(leaves):
    """The root (32 bytes) of sorted ``leaves``."""
    if not leaves:
        return EMPTY_ROOT
    return levels(leaves)[-1][0]


def index_of(leaves, leaf):
    """The position of ``leaf`` in sorted ``leaves``, or None."""
    position = bisect.bisect_left(leaves, leaf)
    if position < len(leaves) and leaves[position] == leaf:
        return position
    return None


def proof(tree, index):
    """The proof of the leaf at ``index`` of ``tree`` (see :func:`levels`):
    ``[(side, sibling)]`` from the leaves up, siblings as 32 bytes."""
    if not tree or not 0 <= index < len(tree[0]):
        raise ProofError("no leaf at this position")
    path = []
    for level in tree[:-1]:
        if index % 2:
            path.append((LEFT, level[index - 1]))
        elif index + 1 < len(level):
            path.append((RIGHT, level[index + 1]))
        index //= 2
    return path


def root_from_proof(leaf, path):
    """The root that ``path`` leads to from ``leaf`` (32 bytes each)."""
    node = leaf
    for side, sibling in path:
        if len(sibling) != DIGEST_SIZE:
            raise ProofError("a sibling is a 32-byte digest")
        if side == LEFT:
            node = _parent(sibling, node)
        elif side == RIGHT:
            node = _parent(node, sibling)
        else:
            raise ProofError(f"unknown side {side!r}")
    return node


def verify(leaf, path, expected_root):
    """Whether ``path`` leads from ``leaf`` to ``expected_root``."""
    try:
        return root_from_proof(leaf, path) == expected_root
    except ProofError:
        return False


def pack(leaves):
    """Sorted ``leaves`` as stored: their bytes end to end."""
    return b"".join(leaves)


def unpack(data):
    """The sorted leaves stored in ``data`` (see :func:`pack`); raises
    :class:`ProofError` when ``data`` cannot be such a list."""
    data = data or b""
    if len(data) % DIGEST_SIZE:
        raise ProofError("stored leaves are 32-byte digests end to end")
    leaves = [data[i : i + DIGEST_SIZE] for i in range(0, len(data), DIGEST_SIZE)]
    if any(a >= b for a, b in zip(leaves, leaves[1:], strict=False)):
        raise ProofError("stored leaves are sorted and unique")
    return leaves


def proof_to_hex(path):
    """A proof as JSON or a report shows it: ``[{"side", "hash"}]``."""
    return [{"side": side, "hash": sibling.hex()} for side, sibling in path]


def proof_from_hex(steps):
    """The proof written by :func:`proof_to_hex`; raises :class:`ProofError`
    on a step that is not a side and a 64-character hexadecimal hash."""
    path = []
    for step in steps:
        try:
            side, sibling = step["side"], bytes.fromhex(step["hash"])
        except (KeyError, TypeError, ValueError):
            raise ProofError("a step is {'side': ..., 'hash': <hex>}") from None
        if side not in (LEFT, RIGHT) or len(sibling) != DIGEST_SIZE:
            raise ProofError("a step is {'side': 'left'|'right', 'hash': <64 hex>}")
        path.append((side, sibling))
    return path
