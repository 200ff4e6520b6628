from . import correction
from . import reemploi_import_wizard
from . import reemploi_equipment_correction
from . import reemploi_erasure_import
from . import reemploi_audit_import_wizard
