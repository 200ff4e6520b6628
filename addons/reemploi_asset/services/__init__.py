# Plain-Python services: no ORM here, so they can be unit tested fast.
from . import (
    audit_snapshot,
    custody_chain,
    erasure_reports,
    forecast,
    grading,
    import_mapping,
    lifecycle,
    merkle,
    tabular,
)
