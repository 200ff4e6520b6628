"""The clock of the demo story: replays the past at its own dates.

The demo data tells what happened over the last eighteen months (parks
imported, lots declared, collected, processed, reported). Custody events
are sealed with the time of their creation and are never rewritten, so the
story is played in order with the clock set to each step's date: every
value the application dates itself (custody events, state dates, messages,
erasures, gradings, ``create_date`` of the transaction) gets that date, and
the chains verify as any other.

Demo data only: nothing of the application sets the clock.
"""

import contextlib

from freezegun import freeze_time


class DemoClock:
    """A clock moved forward step by step, within one transaction.

    ``cr``: the cursor of the demo's transaction; its timestamp (used by the
    ORM for ``create_date``/``write_date``) follows the clock.
    """

    def __init__(self, cr, frozen):
        self._cr = cr
        self._frozen = frozen

    def move_to(self, when):
        """Set the clock to ``when`` (a naive UTC datetime)."""
        self._frozen.move_to(when)
        # the ORM dates created and written records with the transaction's
        # timestamp, which the cursor caches: it follows the clock
        self._cr._now = when


@contextlib.contextmanager
def demo_clock(cr, start):
    """Context manager giving a :class:`DemoClock` set to ``start``; the
    real time comes back on exit."""
    freezer = freeze_time(start)
    clock = DemoClock(cr, freezer.start())
    try:
        clock.move_to(start)
        yield clock
    finally:
        freezer.stop()
        cr._now = None
