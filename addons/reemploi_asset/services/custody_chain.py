"""Hash chain of the custody log.

Each event is hashed with SHA-256 over the previous event's hash and a
canonical serialisation of its own content (JSON, sorted keys, no spaces,
UTF-8), so that changing, inserting or removing a stored event breaks every
link after it.
"""

import hashlib
import json

GENESIS = "0" * 64

# The content that is sealed: order does not matter (keys are sorted).
HASHED_FIELDS = (
    "equipment_id",
    "sequence",
    "date",
    "event_type",
    "from_state",
    "to_state",
    "user_id",
    "partner_id",
    "company_id",
    "location",
    "document_ref",
    "note",
)


# json.dumps() with options builds an encoder at each call: one for all
_CANONICAL_JSON = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False
)


def canonical(payload):
    """Canonical serialisation of an event payload (bytes)."""
    content = {key: payload.get(key) or None for key in HASHED_FIELDS}
    # 0 and None are both "nothing" for ids; keep ints as ints otherwise
    for key in ("equipment_id", "sequence", "user_id", "partner_id", "company_id"):
        if content[key] is not None:
            content[key] = int(content[key])
    return _CANONICAL_JSON.encode(content).encode("utf-8")


def event_hash(payload, previous_hash):
    """SHA-256 hex digest sealing ``payload`` to ``previous_hash``."""
    digest = hashlib.sha256()
    digest.update((previous_hash or GENESIS).encode("ascii"))
    digest.update(canonical(payload))
    return digest.hexdigest()


def first_broken_link(events):
    """Check one device's chain.

    ``events`` are dicts with the hashed fields plus ``previous_hash`` and
    ``hash``, ordered by sequence. Return ``None`` when the chain holds, else a
    tuple ``(index, reason)`` for the first event that does not.
    """
    previous = GENESIS
    for index, event in enumerate(events):
        if event.get("sequence") != index + 1:
            return index, "sequence"
        if event.get("previous_hash") != previous:
            return index, "previous_hash"
        if event_hash(event, previous) != event.get("hash"):
            return index, "hash"
        previous = event["hash"]
    return None
