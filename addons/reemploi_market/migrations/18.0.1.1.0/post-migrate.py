"""AGEC indicators: count the reuse rate again with the rules of décret
2023-266 (devices over ten years old at reform and those with restricted
data left out; only sold or donated devices sent to reuse)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["reemploi.agec.stock"].search([]).action_refresh()
