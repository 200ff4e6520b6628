"""Collection rounds and check-in: the rules that need no ORM.

- :func:`propose_rounds` groups lots by area and by a day on which all of
  them are available, deterministically;
- :func:`parse_scan` (the register's, ``reemploi_asset/services/identity.py``)
  reads what a phone camera or a USB scanner typed: the URL of a QR label
  (``…/r/<token>``) or a serial number / asset tag;
- :func:`reconcile` counts what was expected, received, missing and extra.
"""

from collections import namedtuple

# read by the check-in; its owner is the register's identity rule
from odoo.addons.reemploi_asset.services.identity import parse_scan  # noqa: F401

# a lot as seen by the grouping: its id, area (postcode or commune) and
# availability window (dates, the window may be open on either side)
LotSlot = namedtuple("LotSlot", "key area date_from date_to")
# a proposed round: area, day, and the keys of its lots in input order
Proposal = namedtuple("Proposal", "area date keys")

DEFAULT_MAX_LOTS = 8


def propose_rounds(slots, start, max_lots=DEFAULT_MAX_LOTS):
    """Group lots into rounds: one area each, at most ``max_lots`` lots, on
    the first day (not before ``start``) when every lot of the round is
    available.

    Lots are taken by area, then by the end of their window (the most urgent
    first), then by key; a lot joins the current round of its area while the
    windows still overlap, otherwise it opens a new round. A lot whose window
    ended before ``start`` is left out. The same input always gives the same
    rounds.
    """
    ordered = sorted(
        (slot for slot in slots if not slot.date_to or slot.date_to >= start),
        key=lambda s: (s.area or "", s.date_to or start.max, s.key),
    )
    proposals = []
    current = None  # [area, first day, last day, keys]
    for slot in ordered:
        first = max(slot.date_from or start, start)
        last = slot.date_to
        if current and current[0] == (slot.area or "") and len(current[3]) < max_lots:
            day = max(current[1], first)
            end = min(filter(None, (current[2], last)), default=None)
            if end is None or day <= end:
                current[1], current[2] = day, end
                current[3].append(slot.key)
                continue
        if current:
            proposals.append(Proposal(current[0], current[1], current[3]))
        current = [slot.area or "", first, last, [slot.key]]
    if current:
        proposals.append(Proposal(current[0], current[1], current[3]))
    return proposals


def reconcile(lines):
    """Counts of a check-in from its lines ``(kind, expected, received)``.

    ``kind`` is ``device`` (a declared device: expected 1), ``count`` (a
    quantity the donor declared for a category), ``extra`` (a device that
    came although not declared); any other kind (a code that matched nothing,
    a device already counted in a declared quantity) is not counted. A
    quantity received beyond what was declared is extra; ``received`` counts
    everything that came, so that expected - missing + extra = received.
    """
    totals = {"expected": 0, "received": 0, "missing": 0, "extra": 0}
    for kind, expected, received in lines:
        if kind not in ("device", "count", "extra"):
            continue
        totals["received"] += received
        if kind == "extra":
            totals["extra"] += received
            continue
        totals["expected"] += expected
        totals["missing"] += max(expected - received, 0)
        totals["extra"] += max(received - expected, 0)
    return totals
