from . import reemploi_takeback_wizard
