from . import portal
from . import api
from . import shop
from . import takeback
from . import guide
from . import pwa
from . import main
