from . import reemploi_import_wizard
