from . import reemploi_need_category, reemploi_commune
from . import reemploi_category_period
from . import reemploi_association, reemploi_quota
from . import product_pricelist, product_pricelist_item, website, res_partner
from . import sale_order, sale_order_line
from . import reemploi_equipment, reemploi_allocation_request
from . import reemploi_allocation_run, reemploi_allocation, reemploi_allocation_line
from . import reemploi_voucher_issuer, reemploi_voucher, reemploi_voucher_attempt
from . import reemploi_handover
from . import res_config_settings
from . import reemploi_social_report, report_social
from . import reemploi_directory_entry
