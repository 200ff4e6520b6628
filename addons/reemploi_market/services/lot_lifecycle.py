"""Lifecycle of a lot (docs/ARCHITECTURE.md, "Where each concept lives"):
its states, which transition may start from which state, and the groups of
states that the portal, the reports, the API and the gamification read.

draft -> declared -> matched -> scheduled -> collected -> received ->
processed -> reported, and cancelled until the devices are collected.
reemploi.lot._transition() adds the business preconditions.
"""

DRAFT = "draft"
DECLARED = "declared"
MATCHED = "matched"
SCHEDULED = "scheduled"
COLLECTED = "collected"
RECEIVED = "received"
PROCESSED = "processed"
REPORTED = "reported"
CANCELLED = "cancelled"

STATE_SELECTION = [
    (DRAFT, "Draft"),
    (DECLARED, "Declared"),
    (MATCHED, "Matched"),
    (SCHEDULED, "Scheduled"),
    (COLLECTED, "Collected"),
    (RECEIVED, "Received"),
    (PROCESSED, "Processed"),
    (REPORTED, "Reported"),
    (CANCELLED, "Cancelled"),
]

# Lots whose devices are promised to the reuse chain: a device belongs to at
# most one of them.
OPEN_STATES = frozenset({DECLARED, MATCHED, SCHEDULED, COLLECTED, RECEIVED, PROCESSED})

# target state -> states it may be reached from
TRANSITIONS = {
    DECLARED: {DRAFT},
    MATCHED: {DECLARED},
    SCHEDULED: {MATCHED},
    COLLECTED: {SCHEDULED},
    RECEIVED: {COLLECTED},
    PROCESSED: {RECEIVED},
    REPORTED: {PROCESSED},
    # once collected, the devices are in an operator's hands
    CANCELLED: {DRAFT, DECLARED, MATCHED, SCHEDULED},
    DRAFT: {CANCELLED},
}

STATES = [state for state, _label in STATE_SELECTION]

# Lots whose devices have left their donor: collected, then in the operator's
# hands (take-back reports, the operators' collected volume).
COLLECTED_STATES = frozenset({COLLECTED, RECEIVED, PROCESSED, REPORTED})
# Lots received by their operator (the gamification's received devices).
RECEIVED_STATES = frozenset({RECEIVED, PROCESSED, REPORTED})
# Lots whose devices are all processed.
DONE_STATES = frozenset({PROCESSED, REPORTED})
# Lots declared and not processed yet: the work in progress of the chain
# (the overview, the donor's portal).
IN_PROGRESS_STATES = OPEN_STATES - DONE_STATES
