from . import reemploi_lot, reemploi_lot_line, reemploi_equipment
from . import reemploi_lot_webhook, reemploi_import_source
from . import reemploi_webhook, reemploi_webhook_delivery, reemploi_api_rate
