from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.reemploi_asset.models.download import xlsx_download_action

REPORT_REF = "reemploi_social.action_report_social"


class ReemploiSocialReportWizard(models.TransientModel):
    """The metropolis' report of the devices sold or given to associations
    for a period, in PDF or XLSX."""

    _name = "reemploi.social.report.wizard"
    _description = "Solidarity report for a period"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: fields.Date.context_today(self)
    )
    commune_ids = fields.Many2many(
        "reemploi.commune",
        string="Communes",
        help="Leave empty for the whole territory.",
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._(
                        "The period ends on %(date_to)s, before it starts on "
                        "%(date_from)s: swap the dates.",
                        date_from=wizard.date_from.strftime("%d/%m/%Y"),
                        date_to=wizard.date_to.strftime("%d/%m/%Y"),
                    )
                )

    def _data(self):
        self.ensure_one()
        return {
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
            "commune_ids": self.commune_ids.ids,
        }

    def _filename(self, extension):
        self.ensure_one()
        name = self.env._(
            "Solidarity report %(date_from)s %(date_to)s",
            date_from=self.date_from,
            date_to=self.date_to,
        )
        return f"{name}.{extension}"

    def action_pdf(self):
        self.ensure_one()
        return self.env.ref(REPORT_REF).report_action(None, data=self._data())

    def action_xlsx(self):
        self.ensure_one()
        Report = self.env["reemploi.social.report"]
        document = Report._metropolis_document(
            self.date_from, self.date_to, self.commune_ids
        )
        # attached to the wizard: deleted with it, not left unlinked
        return xlsx_download_action(
            self.env,
            self._filename("xlsx"),
            Report._metropolis_xlsx(document),
            record=self,
        )
