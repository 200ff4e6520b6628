from . import shop
from . import portal_allocation
from . import voucher, portal_voucher
from . import guide_association
from . import directory
