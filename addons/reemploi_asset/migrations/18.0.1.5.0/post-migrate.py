"""The devices' first dates of collection, erasure and sale
(first_collected_date, first_erased_date, first_for_sale_date), kept by the
custody events from now on, filled from the events already recorded."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["reemploi.custody.event"]._backfill_first_dates()
