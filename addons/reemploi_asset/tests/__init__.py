from . import (
    test_services,
    test_equipment_lifecycle,
    test_grading,
    test_erasure,
    test_custody_chain,
    test_security,
    test_traceability,
    test_portal,
    test_tabular,
    test_import_mapping,
    test_import,
    test_forecast,
)
