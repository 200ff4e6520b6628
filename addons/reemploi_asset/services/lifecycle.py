"""Lifecycle of a device (docs/ARCHITECTURE.md, "Where each concept lives").

in_use -> to_decommission -> declared -> collected -> received -> erased
-> graded -> refurbished -> for_sale -> sold | donated | recycled, and missing.

The table below is the single source of truth for which transition may start
from which state; the model adds the business preconditions (erasure, grading).

It also owns the outcome of a device (what became of it): sold, donated,
recycled, missing, or still in progress. Take-back reports, the AGEC figures,
the CO2 avoided and the gamification all read it from here.
"""

IN_USE = "in_use"
TO_DECOMMISSION = "to_decommission"
DECLARED = "declared"
COLLECTED = "collected"
RECEIVED = "received"
ERASED = "erased"
GRADED = "graded"
REFURBISHED = "refurbished"
FOR_SALE = "for_sale"
SOLD = "sold"
DONATED = "donated"
RECYCLED = "recycled"
MISSING = "missing"

# The states in lifecycle order, with their labels (translated where the
# selection is a field's).
STATE_SELECTION = [
    (IN_USE, "In use"),
    (TO_DECOMMISSION, "To decommission"),
    (DECLARED, "Declared"),
    (COLLECTED, "Collected"),
    (RECEIVED, "Received"),
    (ERASED, "Erased"),
    (GRADED, "Graded"),
    (REFURBISHED, "Refurbished"),
    (FOR_SALE, "For sale"),
    (SOLD, "Sold"),
    (DONATED, "Donated"),
    (RECYCLED, "Recycled"),
    (MISSING, "Missing"),
]
STATES = [state for state, _label in STATE_SELECTION]

FINAL_STATES = frozenset({SOLD, DONATED, RECYCLED})

# States of a device still with its owner: registered in the donor's park,
# not declared in a lot yet. Imports and registration may set them; the
# donor's portal lists them as its park; flows and reports start after them.
OWNER_STATES = frozenset({IN_USE, TO_DECOMMISSION})

# States a device may have been declared in a lot from, or still be
# declared in: what a pickup or a check-in may take.
TAKEABLE_STATES = OWNER_STATES | {DECLARED}

# States of a device of a lot still waiting for its operator's work
# (erasure, grading).
WAITING_STATES = frozenset({DECLARED, COLLECTED, RECEIVED})

# States in which a device is at its operator's bench, waiting for its
# grading (a scanned label opens a new grading).
BENCH_STATES = frozenset({RECEIVED, ERASED, GRADED})

# States in which the device is in an operator's hands.
OPERATOR_STATES = frozenset(
    {RECEIVED, ERASED, GRADED, REFURBISHED, FOR_SALE, SOLD, DONATED, RECYCLED}
)
# States in which a device is at its operator's and has not left yet, where
# an audit may write its specifications and components.
AUDIT_STATES = OPERATOR_STATES - FINAL_STATES

# Outcome of a device: what became of it once it left its owner.
OUTCOME_SOLD = "sold"
OUTCOME_DONATED = "donated"
OUTCOME_RECYCLED = "recycled"
OUTCOME_MISSING = "missing"
OUTCOME_IN_PROGRESS = "in_progress"
# in the order reports list them
OUTCOMES = (
    OUTCOME_SOLD,
    OUTCOME_DONATED,
    OUTCOME_RECYCLED,
    OUTCOME_IN_PROGRESS,
    OUTCOME_MISSING,
)
# every state that is not listed here is still in progress (with its owner,
# on its way or at its operator): refurbished or for sale is not reused yet
OUTCOME_BY_STATE = {
    SOLD: OUTCOME_SOLD,
    DONATED: OUTCOME_DONATED,
    RECYCLED: OUTCOME_RECYCLED,
    MISSING: OUTCOME_MISSING,
}
# Outcomes that are reuse: a new user has the device (sold, or donated to an
# association, a person or another public body). Only they count the CO2
# avoided, the devices sent to reuse of décret 2023-266 and the reused
# devices of the gamification.
REUSE_OUTCOMES = frozenset({OUTCOME_SOLD, OUTCOME_DONATED})

# States reached only once the device has been reused (CO2 avoided counts).
REUSED_STATES = frozenset(
    state for state, out in OUTCOME_BY_STATE.items() if out in REUSE_OUTCOMES
)

# States of a device that left its owner and is still on its way to an
# outcome (the reuse chain), in the order of the lifecycle.
CHAIN_STATES = [
    state
    for state in STATES
    if state not in OUTCOME_BY_STATE and state not in OWNER_STATES
]

# States of a device ready to leave its operator: graded at least, not yet
# sold, donated or recycled. The pool of available devices that the shop, the
# demand matching and the fair allocation hand out starts from them
# (reemploi.equipment._available_domain()).
POOL_STATES = frozenset({GRADED, REFURBISHED, FOR_SALE})
# the device's first dates kept by its chain of custody (custody events):
# field -> the states whose first event dates it
FIRST_DATE_FIELDS = {
    "first_collected_date": (COLLECTED, RECEIVED),
    "first_erased_date": (ERASED,),
    "first_for_sale_date": (FOR_SALE,),
}

# the flows of devices counted month by month (the territory's overview):
# flow -> the states whose custody events it counts, a device once a month
MONTHLY_FLOWS = {
    "collected": (COLLECTED, RECEIVED),
    SOLD: (SOLD,),
    DONATED: (DONATED,),
    RECYCLED: (RECYCLED,),
}

# target state -> states it may be reached from
TRANSITIONS = {
    # a declaration withdrawn (its lot cancelled) gives the device back
    TO_DECOMMISSION: {IN_USE, DECLARED},
    DECLARED: {IN_USE, TO_DECOMMISSION},
    COLLECTED: {DECLARED},
    RECEIVED: {DECLARED, COLLECTED, MISSING},
    ERASED: {RECEIVED},
    # a device without any data-bearing medium goes straight from received
    GRADED: {RECEIVED, ERASED, GRADED},
    REFURBISHED: {GRADED},
    FOR_SALE: {GRADED, REFURBISHED},
    SOLD: {FOR_SALE},
    DONATED: {GRADED, REFURBISHED, FOR_SALE},
    RECYCLED: {RECEIVED, ERASED, GRADED, REFURBISHED, FOR_SALE},
    MISSING: {
        TO_DECOMMISSION,
        DECLARED,
        COLLECTED,
        RECEIVED,
        ERASED,
        GRADED,
        REFURBISHED,
        FOR_SALE,
    },
}

# Leaving the operator (for a new user or a recycler) requires a verified
# erasure of every data-bearing medium; "destroy" is a sanitisation too.
NEEDS_VERIFIED_ERASURE = frozenset({FOR_SALE, SOLD, DONATED, RECYCLED})


def can_transition(current, target):
    """Return True when ``target`` may be reached from ``current``."""
    return current in TRANSITIONS.get(target, ())


def allowed_targets(current):
    """Targets reachable from ``current``, in lifecycle order."""
    return [state for state in STATES if can_transition(current, state)]


def outcome(state):
    """Outcome of a device in lifecycle ``state`` (one of :data:`OUTCOMES`)."""
    return OUTCOME_BY_STATE.get(state, OUTCOME_IN_PROGRESS)


def is_reused(state):
    """True when a device in ``state`` has been reused: its CO2 avoided
    counts, and it counts as sent to reuse for the legal rates."""
    return outcome(state) in REUSE_OUTCOMES


def states_of(wanted):
    """Lifecycle states whose outcome is ``wanted``, in lifecycle order
    (``in_progress`` included: every state without a final outcome)."""
    return [state for state in STATES if outcome(state) == wanted]
