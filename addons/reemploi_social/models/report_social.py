from odoo import api, fields, models


class ReportSocial(models.AbstractModel):
    """Values of the metropolis' solidarity report (report/report_social.xml),
    for the period and communes given in ``data``."""

    _name = "report.reemploi_social.report_social"
    _description = "Solidarity report for the metropolis"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(data.get("date_from")) or today.replace(
            month=1, day=1
        )
        date_to = fields.Date.to_date(data.get("date_to")) or today
        communes = self.env["reemploi.commune"].browse(data.get("commune_ids") or [])
        document = self.env["reemploi.social.report"]._metropolis_document(
            date_from, date_to, communes.exists()
        )
        return {
            "doc_ids": [],
            "doc_model": "reemploi.social.report",
            "docs": self.env["reemploi.social.report"],
            "document": document,
        }
