# Plain-Python services: no ORM here, so they can be unit tested fast.
from . import allocation
from . import voucher
