from . import test_install
from . import test_scoring
from . import test_goals, test_badges, test_anti_gaming
from . import test_security, test_public, test_portal
from . import test_i18n
