from . import audit, main, portal
