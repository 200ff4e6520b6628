from odoo import fields, http
from odoo.http import request

from odoo.addons.reemploi_asset.models.download import file_response

from ..models.reemploi_lot_takeback_mixin import MIMETYPES
from ..services.lot_lifecycle import DONE_STATES, REPORTED
from .portal import ReemploiLotPortal


class ReemploiTakebackPortal(ReemploiLotPortal):
    """Donors download the take-back reports of their lots, and of their
    organisation for a period."""

    @http.route(
        "/my/lots/<int:lot_id>/takeback.pdf", type="http", auth="public", website=True
    )
    def portal_lot_takeback_pdf(self, lot_id, access_token=None, **kwargs):
        lot_sudo = self._lot_check_access(lot_id, access_token)
        if lot_sudo.state != REPORTED:
            raise request.not_found()
        attachment = lot_sudo.takeback_attachment_id or lot_sudo._attach_takeback_pdf()
        return file_response(attachment.name, attachment.raw, attachment.mimetype)

    @http.route(
        "/my/lots/<int:lot_id>/takeback.xlsx", type="http", auth="public", website=True
    )
    def portal_lot_takeback_xlsx(self, lot_id, access_token=None, **kwargs):
        lot_sudo = self._lot_check_access(lot_id, access_token)
        if lot_sudo.state not in DONE_STATES:
            raise request.not_found()
        lot_sudo = lot_sudo.with_context(lang=request.env.lang)
        return file_response(
            lot_sudo._takeback_filename("xlsx"),
            lot_sudo._takeback_xlsx(lot_sudo._takeback_document()),
        )

    # ------------------------------------------------------------------
    # The organisation's report for a period
    # ------------------------------------------------------------------
    def _takeback_period(self, kwargs):
        """(donor, date from, date to, lots) of the user's own organisation:
        no other donor can be asked for."""
        if not request.env.user.has_group("reemploi_asset.group_reemploi_donor"):
            raise request.not_found()
        today = fields.Date.context_today(request.env.user)
        dates = []
        for name, default in (
            ("date_from", today.replace(month=1, day=1)),
            ("date_to", today),
        ):
            try:
                dates.append(fields.Date.to_date(kwargs.get(name) or None) or default)
            except ValueError:
                dates.append(default)
        donor = request.env.user.commercial_partner_id
        # sudo: the lots searched are those of the user's own organisation
        # (the donor is the user's, never a parameter)
        lots = request.env["reemploi.lot"].sudo()._takeback_period_lots(donor, *dates)
        return donor, dates[0], dates[1], lots

    @http.route("/my/takeback", type="http", auth="user", website=True)
    def portal_takeback(self, **kwargs):
        donor, date_from, date_to, lots = self._takeback_period(kwargs)
        document = lots.with_context(lang=request.env.lang)._takeback_document(
            donor, date_from, date_to
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "document": document,
                "date_from": fields.Date.to_string(date_from),
                "date_to": fields.Date.to_string(date_to),
                "page_name": "reemploi_takeback",
            }
        )
        return request.render("reemploi_market.portal_takeback", values)

    @http.route("/my/takeback.pdf", type="http", auth="user")
    def portal_takeback_pdf(self, **kwargs):
        donor, date_from, date_to, lots = self._takeback_period(kwargs)
        data = lots._takeback_period_data(donor, date_from, date_to)
        content, kind = lots._takeback_pdf(data)
        return file_response(
            f"rapport-reprise-{data['date_from']}-{data['date_to']}.{kind}",
            content,
            MIMETYPES[kind],
        )

    @http.route("/my/takeback.xlsx", type="http", auth="user")
    def portal_takeback_xlsx(self, **kwargs):
        donor, date_from, date_to, lots = self._takeback_period(kwargs)
        lots = lots.with_context(lang=request.env.lang)
        document = lots._takeback_document(donor, date_from, date_to)
        return file_response(
            f"rapport-reprise-{date_from}-{date_to}.xlsx", lots._takeback_xlsx(document)
        )
