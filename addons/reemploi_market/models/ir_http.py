from odoo import models

from ..controllers.api import BASE, input_error


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _reemploi_refuse_input(cls, rule, refused):
        # the partner API answers in its own JSON error format
        if rule.rule == BASE or rule.rule.startswith(f"{BASE}/"):
            raise input_error(refused)
        return super()._reemploi_refuse_input(rule, refused)
