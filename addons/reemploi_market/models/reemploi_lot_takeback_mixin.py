import json

from odoo import api, fields, models

from odoo.addons.reemploi_asset.models.download import XlsxBook, xlsx_download_action
from odoo.addons.reemploi_asset.models.labels import selection_labels

from ..services import lot_lifecycle, takeback

REPORT_REF = "reemploi_market.action_report_takeback"
MIMETYPES = {"pdf": "application/pdf", "html": "text/html"}


class ReemploiLotTakebackMixin(models.AbstractModel):
    """The take-back report of lots (PDF, HTML, XLSX) for their donor:
    what became of each device and of its data.
    Inherited by ``reemploi.lot`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.lot.takeback.mixin"
    _description = "Lot: take-back reports"

    takeback_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Take-back report",
        readonly=True,
        copy=False,
        help="PDF take-back report sent to the donor when the lot was reported.",
    )

    # ------------------------------------------------------------------
    # Report content
    # ------------------------------------------------------------------
    def _takeback_rows(self):
        """One dict per device of the lots, as services.takeback reads them."""
        Erasure = self.env["reemploi.erasure"]
        methods = selection_labels(Erasure, "method")
        proofs = self.env["reemploi.custody.root"]._latest_proofs(self.equipment_ids)
        rows = []
        for device in self.equipment_ids:
            erasures = device.erasure_ids.sorted("id")
            verified = erasures.filtered("verified")
            if not device.has_data_medium:
                result = "no_data"
            elif device.erasure_verified:
                result = "verified"
            else:
                result = "not_verified"
            rows.append(
                {
                    "id": device.id,
                    "serial": device.serial or device.asset_tag or "",
                    "category": device.category_id.name or "",
                    "certificate": ", ".join(
                        (verified or erasures).mapped("display_name")
                    ),
                    "erasure_result": result,
                    "erasure_method": ", ".join(
                        dict.fromkeys(methods[e.method] for e in verified or erasures)
                    ),
                    "grade": device.grade_id.code or "",
                    "state": device.state,
                    "weight_kg": device.weight_kg,
                    "co2e_avoided_kg": device.co2e_avoided_kg,
                    # against the latest custody root, None while none holds it
                    "proof": proofs.get(device.id),
                }
            )
        return rows

    def _takeback_document(self, donor=None, date_from=None, date_to=None):
        """Everything a take-back report shows, for these lots (one lot, or
        the lots of ``donor`` between ``date_from`` and ``date_to``)."""
        Report = self.env["reemploi.equipment.report"]
        outcomes = selection_labels(Report, "outcome")
        results = selection_labels(Report, "erasure_result")
        lines = takeback.report_lines(self._takeback_rows())
        for line in lines:
            line["outcome_label"] = outcomes[line["outcome"]]
            line["erasure_result_label"] = results[line["erasure_result"]]
        figures = takeback.totals(lines)
        categories = self.equipment_ids.category_id.sorted("name")
        if donor is None:
            self.ensure_one()
            title = self.env._("Take-back report of lot %(lot)s", lot=self.name)
        else:
            title = self.env._("Take-back report for %(donor)s", donor=donor.name)
        return {
            "title": title,
            "donor": donor or self.partner_id,
            "lots": self,
            "operators": self.company_id,
            "date_from": date_from,
            "date_to": date_to,
            "lines": lines,
            "totals": figures["all"],
            "by_outcome": [
                (outcomes[key], value) for key, value in figures["by_outcome"].items()
            ],
            "by_category": list(figures["by_category"].items()),
            "factors": categories,
            # the custody root that the proofs lead to (the latest: the same
            # for every device), and where it is published
            "custody_root": next(
                (line["proof"] for line in lines if line["proof"]), None
            ),
            "base_url": self[:1].get_base_url(),
        }

    def _takeback_period_lots(self, donor, date_from, date_to):
        """Lots of ``donor`` (and its sites) declared between the two dates
        and collected since, among the lots the user reads."""
        domain = [
            ("partner_id", "child_of", donor.commercial_partner_id.id),
            # the lots whose devices left the donor count in its report
            ("state", "in", sorted(lot_lifecycle.COLLECTED_STATES)),
        ]
        if date_from:
            domain.append(
                ("date_declared", ">=", fields.Datetime.to_datetime(date_from))
            )
        if date_to:
            domain.append(
                (
                    "date_declared",
                    "<",
                    fields.Datetime.to_datetime(fields.Date.add(date_to, days=1)),
                )
            )
        return self.search(domain, order="date_declared, id")

    @api.model
    def _takeback_lang(self, donor):
        """The donor's language when installed, else the user's."""
        installed = dict(self.env["res.lang"].get_installed())
        return donor.lang if donor.lang in installed else self.env.lang

    @api.model
    def _takeback_period_data(self, donor, date_from, date_to):
        """``data`` of the take-back report of a donor for a period."""
        return {
            "donor_id": donor.id,
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
        }

    # ------------------------------------------------------------------
    # Files
    # ------------------------------------------------------------------
    def _takeback_pdf(self, data=None):
        """(content, "pdf") of the lot's report, or of the period in ``data``.
        While tests run, Odoo renders HTML instead (``"html"``), unless the
        context asks ``force_report_rendering``."""
        return self.env["ir.actions.report"]._render_qweb_pdf(
            REPORT_REF, res_ids=None if data else self.ids, data=data
        )

    def _takeback_xlsx(self, document):
        """The XLSX workbook (bytes) of a take-back ``document``."""
        _ = self.env._
        book = XlsxBook()
        workbook, bold = book.workbook, book.bold
        sheet = workbook.add_worksheet(_("Devices"))
        kg = workbook.add_format({"num_format": "0.00"})
        co2 = workbook.add_format({"num_format": "0.0"})
        sheet.write_string(0, 0, document["title"], bold)
        sheet.write_string(1, 0, _("Donor"))
        sheet.write_string(1, 1, document["donor"].name or "")
        sheet.write_string(2, 0, _("Operator"))
        sheet.write_string(2, 1, ", ".join(document["operators"].mapped("name")))
        sheet.write_string(3, 0, _("Period"))
        sheet.write_string(
            3,
            1,
            " → ".join(
                fields.Date.to_string(day) or ""
                for day in (document["date_from"], document["date_to"])
            )
            if document["date_from"] or document["date_to"]
            else ", ".join(document["lots"].mapped("name")),
        )
        titles = [
            _("Serial number"),
            _("Category"),
            _("Erasure certificate"),
            _("Erasure"),
            _("NIST method"),
            _("Grade"),
            _("Outcome"),
            _("Weight (kg)"),
            _("CO2e avoided (kg)"),
        ]
        header = 5
        for column, title in enumerate(titles):
            sheet.write_string(header, column, title, bold)
        row = header
        for row, line in enumerate(document["lines"], start=header + 1):
            texts = (
                line["serial"],
                line["category"],
                line["certificate"],
                line["erasure_result_label"],
                line["erasure_method"],
                line["grade"],
                line["outcome_label"],
            )
            for column, text in enumerate(texts):
                sheet.write_string(row, column, text)
            sheet.write_number(row, 7, line["weight_kg"], kg)
            sheet.write_number(row, 8, line["co2e_avoided_kg"], co2)
        row += 2
        summary = [(_("Total"), document["totals"], bold)]
        summary += [(label, value, None) for label, value in document["by_outcome"]]
        for label, value, style in summary:
            sheet.write_string(row, 0, label, style)
            sheet.write_number(row, 1, value.count, style)
            sheet.write_number(row, 7, value.weight_kg, style or kg)
            sheet.write_number(row, 8, value.co2e_avoided_kg, style or co2)
            row += 1
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 6, 16)
        sheet.set_column(7, 8, 14)
        self._takeback_xlsx_proofs(workbook, document, bold)
        return book.data()

    def _takeback_xlsx_proofs(self, workbook, document, bold):
        """The sheet of the devices' proofs against the latest custody root
        (see reemploi.custody.root._proofs): one row a device, the proof's
        steps as JSON, as the website's feeds write them."""
        _ = self.env._
        sheet = workbook.add_worksheet(_("Traceability proofs"))
        titles = [
            _("Serial number"),
            _("Label code"),
            _("Event no."),
            _("Event hash"),
            _("Leaf"),
            _("Root of"),
            _("Root"),
            _("Proof (JSON)"),
        ]
        for column, title in enumerate(titles):
            sheet.write_string(0, column, title, bold)
        for row, line in enumerate(document["lines"], start=1):
            sheet.write_string(row, 0, line["serial"])
            proof = line["proof"]
            if not proof:
                sheet.write_string(row, 1, _("Not in a published custody root yet."))
                continue
            sheet.write_string(row, 1, proof["token"])
            sheet.write_number(row, 2, proof["sequence"])
            sheet.write_string(row, 3, proof["event_hash"])
            sheet.write_string(row, 4, proof["leaf"])
            sheet.write_string(row, 5, proof["date"].isoformat())
            sheet.write_string(row, 6, proof["root"])
            sheet.write_string(row, 7, json.dumps(proof["path"]))
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 7, 30)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _attach_takeback_pdf(self):
        """Keep the lot's take-back report (PDF) as its attachment, which the
        donor downloads on the portal (sent by ``action_report()``)."""
        self.ensure_one()
        # sudo: the user just reported this lot (write access checked by the
        # workflow); the attachment is the lot's document, read by the donor
        # through the portal route that checks access to the lot
        content, kind = self._takeback_pdf()
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self._takeback_filename(kind),
                    "raw": content,
                    "mimetype": MIMETYPES[kind],
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        # sudo: the workflow's own field, which donors cannot write
        self.sudo().takeback_attachment_id = attachment
        return attachment

    def action_takeback_pdf(self):
        self.ensure_one()
        return self.env.ref(REPORT_REF).report_action(self)

    def action_takeback_xlsx(self):
        self.ensure_one()
        return xlsx_download_action(
            self.env,
            self._takeback_filename("xlsx"),
            self._takeback_xlsx(self._takeback_document()),
            record=self,
        )

    def _takeback_filename(self, extension):
        self.ensure_one()
        name = self.env._("Take-back report %(lot)s", lot=self.name)
        return f"{name.replace('/', '-')}.{extension}"
