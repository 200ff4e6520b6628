from . import reemploi_received_device
from . import res_partner
from . import gamification_goal_definition
from . import gamification_goal
from . import gamification_challenge
from . import gamification_badge
from . import gamification_badge_user
