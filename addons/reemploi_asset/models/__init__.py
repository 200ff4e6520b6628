from . import (
    reemploi_equipment_category,
    reemploi_grade,
    reemploi_defect,
    reemploi_equipment,
    reemploi_grading,
    reemploi_erasure,
    reemploi_custody_event,
    reemploi_import_source,
    reemploi_import_run,
    reemploi_import_seen,
    reemploi_renewal_policy,
    stock_lot,
)
