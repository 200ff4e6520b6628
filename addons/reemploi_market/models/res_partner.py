from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_public_body = fields.Boolean(
        string="Public body",
        help="State service, local authority or public institution: the AGEC "
        "law and décret 2023-266 set it reuse targets for its IT equipment.",
    )
