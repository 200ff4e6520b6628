from odoo import fields, models

from odoo.addons.reemploi_asset.models.download import xlsx_download_action

from ..models.reemploi_lot_takeback_mixin import REPORT_REF


class ReemploiTakebackWizard(models.TransientModel):
    """Take-back report of a donor for a period (PDF or XLSX)."""

    _name = "reemploi.takeback.wizard"
    _description = "Take-back report of a donor for a period"

    partner_id = fields.Many2one(
        "res.partner",
        string="Donor",
        required=True,
        domain=[("is_company", "=", True)],
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: fields.Date.context_today(self)
    )

    def _filename(self, extension):
        self.ensure_one()
        name = self.env._(
            "Take-back report %(donor)s %(date_from)s %(date_to)s",
            donor=self.partner_id.name,
            date_from=self.date_from,
            date_to=self.date_to,
        )
        return f"{name.replace('/', '-')}.{extension}"

    def action_pdf(self):
        self.ensure_one()
        return self.env.ref(REPORT_REF).report_action(
            None,
            data=self.env["reemploi.lot"]._takeback_period_data(
                self.partner_id, self.date_from, self.date_to
            ),
        )

    def action_xlsx(self):
        self.ensure_one()
        Lot = self.env["reemploi.lot"]
        lots = Lot._takeback_period_lots(self.partner_id, self.date_from, self.date_to)
        document = lots._takeback_document(
            self.partner_id, self.date_from, self.date_to
        )
        # attached to the wizard: deleted with it, not left unlinked
        return xlsx_download_action(
            self.env, self._filename("xlsx"), Lot._takeback_xlsx(document), record=self
        )
