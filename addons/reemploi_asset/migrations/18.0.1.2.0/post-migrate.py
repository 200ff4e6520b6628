"""A serial number that a spreadsheet or a BIOS mangled ("1,23457E+11",
"To be filled by O.E.M."...) no longer has a serial key (services/identity.py):
compute the key of the registered devices again. Their manufacturer key is a
new stored field, which Odoo computes when it adds its column."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Equipment = env["reemploi.equipment"].with_context(active_test=False)
    devices = Equipment.search([("serial_key", "!=", False)])
    env.add_to_compute(Equipment._fields["serial_key"], devices)
    Equipment.flush_model(["serial_key"])
