from . import portal
from . import api
from . import shop
from . import takeback
