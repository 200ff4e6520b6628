from . import test_install
from . import test_allocation_service
from . import test_solidarity
from . import test_allocation, test_pool
from . import test_voucher_services, test_voucher, test_voucher_privacy
from . import test_voucher_portal
from . import test_social_report_service, test_social_report
from . import test_guide_association
from . import test_association_tour
from . import test_i18n
from . import test_integrity
from . import test_directory
