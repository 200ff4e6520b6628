from odoo import fields, models


class ReemploiDirectoryLabel(models.Model):
    """A label or certification an actor may show in the directory
    (QualiRépar, RecQ...): a shared list the coordinator keeps."""

    _name = "reemploi.directory.label"
    _description = "Directory label"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Char(translate=True)
    url = fields.Char(string="Reference")
    active = fields.Boolean(default=True)
