# Plain-Python services: no ORM here, so they can be unit tested fast.
from . import matching, lot_matching, demand_matching
from . import webhooks, ratelimit, openapi, device_batch
