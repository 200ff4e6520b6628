from . import test_install
from . import test_lot, test_security, test_portal, test_i18n
from . import test_matching
from . import test_webhook_services, test_webhooks, test_api
from . import test_input_boundary
from . import test_collection_services, test_collection, test_collection_security
from . import test_shop
from . import test_match_proposal, test_demand, test_match_security, test_pool
from . import test_collection_tour
from . import test_takeback_services, test_takeback, test_agec, test_takeback_portal
from . import test_takeback_proofs
from . import test_guide, test_phone, test_website
from . import test_forms
from . import test_onboarding, test_geolocation
from . import test_integrity_rpc
from . import test_lot_correction_wizard
from . import test_round_checkin_guards
from . import test_directory, test_opendata
from . import test_pickup, test_pickup_tour
from . import test_overview
