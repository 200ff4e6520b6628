"""AGEC indicators: the purchases entered by hand are now those made outside
the Réemploi shop (the shop's orders are counted automatically), and the IT
purchases and reused purchases are their sums. Keep what was entered under
the new names before the totals become computed fields."""

from odoo.tools import sql


def migrate(cr, version):
    if not version:
        return
    table = "reemploi_agec_stock"
    for old, new in (
        ("it_purchase_total", "external_purchase_total"),
        ("reused_purchase", "external_reused_purchase"),
    ):
        if sql.column_exists(cr, table, old) and not sql.column_exists(cr, table, new):
            sql.rename_column(cr, table, old, new)
