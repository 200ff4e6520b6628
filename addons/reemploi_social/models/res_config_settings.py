from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services import voucher as voucher_service


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reemploi_social_retention_months = fields.Integer(
        string="Retention of vouchers and hand-overs (months)",
        default=voucher_service.DEFAULT_RETENTION_MONTHS,
        config_parameter="reemploi_social.retention_months",
        help="After this period, vouchers and hand-overs are anonymised: only "
        "the categories, the commune and the month remain. 24 months is what "
        "the CNIL's framework for social support suggests.",
    )

    @api.constrains("reemploi_social_retention_months")
    def _check_reemploi_social_retention_months(self):
        for settings in self:
            if settings.reemploi_social_retention_months < 1:
                raise ValidationError(
                    self.env._("Vouchers are kept for one month at least.")
                )
