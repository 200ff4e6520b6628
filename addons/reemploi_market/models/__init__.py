from . import reemploi_lot_takeback_mixin, reemploi_lot_demo_mixin
from . import reemploi_lot, reemploi_lot_line, reemploi_equipment
from . import reemploi_import_source
from . import reemploi_webhook, reemploi_webhook_delivery, reemploi_api_rate
from . import reemploi_equipment_category, reemploi_grading
from . import reemploi_grade
from . import product_template, product_pricelist_item, sale_order, sale_order_line
from . import stock_move, reemploi_compensation
from . import res_company, res_config_settings
from . import reemploi_match_proposal
from . import reemploi_demand, reemploi_demand_match
from . import reemploi_collection_round
from . import reemploi_lot_evidence
from . import reemploi_lot_checkin, reemploi_lot_checkin_line
from . import reemploi_lot_pickup, reemploi_lot_pickup_line, reemploi_lot_pickup_scan
from . import res_partner, reemploi_equipment_report, reemploi_agec_stock
from . import reemploi_takeback_report
from . import website
from . import res_users, web_tour_tour, reemploi_demo
from . import ir_http, ir_module_module
from . import reemploi_directory_label, reemploi_directory_entry
from . import reemploi_opendata
from . import reemploi_overview
