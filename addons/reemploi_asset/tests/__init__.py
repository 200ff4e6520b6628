from . import (
    test_services,
    test_messages,
    test_equipment_lifecycle,
    test_grading,
    test_grading_form,
    test_erasure,
    test_erasure_form,
    test_erasure_import,
    test_custody_chain,
    test_merkle,
    test_custody_root,
    test_security,
    test_traceability,
    test_portal,
    test_certificate_portal,
    test_tabular,
    test_identity,
    test_import_mapping,
    test_import,
    test_import_identity,
    test_forecast,
    test_connectors,
    test_import_sync,
    test_ocs_real,
    test_glpi_webhook,
    test_i18n,
    test_http_input,
    test_equipment_tally,
)
from . import test_integrity_rpc
from . import test_correction_wizard
from . import test_custody_root_pages
from . import test_audit_snapshot, test_audit_import
