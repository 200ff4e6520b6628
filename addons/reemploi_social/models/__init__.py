from . import reemploi_need_category, reemploi_commune
from . import reemploi_association, reemploi_quota
from . import product_pricelist, product_pricelist_item, website, res_partner
from . import sale_order, sale_order_line
