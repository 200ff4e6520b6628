from odoo import fields, models


class ReemploiCommune(models.Model):
    """A commune of the territory: where associations act and where the
    devices given to people end up (statistics only, never an address)."""

    _name = "reemploi.commune"
    _description = "Commune"
    _order = "name"

    name = fields.Char(required=True)
    insee_code = fields.Char(string="INSEE code", required=True, size=5)
    zip = fields.Char(string="Postcode")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("insee_unique", "unique(insee_code)", "A commune's INSEE code is unique."),
    ]
