from . import reemploi_takeback_wizard
from . import reemploi_public_body_wizard
from . import reemploi_lot_correction
