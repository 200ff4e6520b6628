from . import reemploi_lot, reemploi_lot_line, reemploi_equipment
