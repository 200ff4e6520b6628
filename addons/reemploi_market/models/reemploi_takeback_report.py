from odoo import api, fields, models


class ReportTakeback(models.AbstractModel):
    """Values of the take-back report (report/report_takeback.xml): one
    document per lot, or, when ``data`` names a donor, one document for the
    donor's lots of a period."""

    _name = "report.reemploi_market.report_takeback"
    _description = "Take-back report"

    @api.model
    def _get_report_values(self, docids, data=None):
        Lot = self.env["reemploi.lot"]
        data = data or {}
        if data.get("donor_id"):
            donor = self.env["res.partner"].browse(data["donor_id"])
            Lot = Lot.with_context(lang=Lot._takeback_lang(donor))
            date_from = fields.Date.to_date(data.get("date_from"))
            date_to = fields.Date.to_date(data.get("date_to"))
            lots = Lot._takeback_period_lots(donor, date_from, date_to)
            documents = [lots._takeback_document(donor, date_from, date_to)]
        else:
            lots = Lot.browse(docids)
            documents = [
                lot.with_context(
                    lang=Lot._takeback_lang(lot.partner_id)
                )._takeback_document()
                for lot in lots
            ]
        for document in documents:
            document["lang"] = Lot._takeback_lang(document["donor"])
        return {
            "doc_ids": lots.ids,
            "doc_model": "reemploi.lot",
            "docs": lots,
            "documents": documents,
        }
