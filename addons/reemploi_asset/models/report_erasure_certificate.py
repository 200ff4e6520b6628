from odoo import api, models


class ReportErasureCertificate(models.AbstractModel):
    """Values of the erasure certificate (report/report_erasure_certificate.xml):
    the devices, and each one's proof against the latest custody root."""

    _name = "report.reemploi_asset.report_erasure_certificate"
    _description = "Data erasure certificate"

    @api.model
    def _get_report_values(self, docids, data=None):
        devices = self.env["reemploi.equipment"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "reemploi.equipment",
            "docs": devices,
            "proofs": self.env["reemploi.custody.root"]._latest_proofs(devices),
        }
