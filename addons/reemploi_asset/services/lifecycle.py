"""Lifecycle of a device (DESIGN.md, "reemploi.equipment").

in_use -> to_decommission -> declared -> collected -> received -> erased
-> graded -> refurbished -> for_sale -> sold | donated | recycled, and missing.

The table below is the single source of truth for which transition may start
from which state; the model adds the business preconditions (erasure, grading).
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

STATES = [
    IN_USE,
    TO_DECOMMISSION,
    DECLARED,
    COLLECTED,
    RECEIVED,
    ERASED,
    GRADED,
    REFURBISHED,
    FOR_SALE,
    SOLD,
    DONATED,
    RECYCLED,
    MISSING,
]

FINAL_STATES = frozenset({SOLD, DONATED, RECYCLED})

# States in which the device is in an operator's hands.
OPERATOR_STATES = frozenset(
    {RECEIVED, ERASED, GRADED, REFURBISHED, FOR_SALE, SOLD, DONATED, RECYCLED}
)

# States reached only once the device has been reused (CO2 avoided counts).
REUSED_STATES = frozenset({SOLD, DONATED})

# States of a device ready to leave its operator: graded at least, not yet
# sold, donated or recycled. The pool of available devices that the shop, the
# demand matching and the fair allocation hand out starts from them
# (reemploi.equipment._available_domain()).
POOL_STATES = frozenset({GRADED, REFURBISHED, FOR_SALE})

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
