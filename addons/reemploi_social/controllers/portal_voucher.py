from werkzeug.urls import url_encode

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.reemploi_asset.services import http_input


class ReemploiVoucherPortal(CustomerPortal):
    """Issuers issue referral vouchers, associations confirm hand-overs."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "reemploi_voucher_count" in counters:
            Voucher = request.env["reemploi.voucher"]
            values["reemploi_voucher_count"] = (
                Voucher.search_count([])
                if self._reemploi_issuers() and Voucher.has_access("read")
                else 0
            )
        if "reemploi_handover_count" in counters:
            association = self._reemploi_association()
            values["reemploi_handover_count"] = (
                len(association._reemploi_handover_lines()) if association else 0
            )
        return values

    # ------------------------------------------------------------------
    # Vouchers of the issuers
    # ------------------------------------------------------------------
    def _reemploi_issuers(self):
        user = request.env.user
        if not user.has_group("reemploi_social.group_reemploi_voucher_issuer"):
            return request.env["reemploi.voucher.issuer"]
        return request.env["reemploi.voucher.issuer"].search(
            [("user_ids", "in", user.id)]
        )

    def _reemploi_choices(self):
        # sudo: the names of the categories are public; only them are shown
        return {
            "categories": request.env["reemploi.equipment.category"].sudo().search([]),
            "needs": request.env["reemploi.need.category"].search([]),
            "communes": request.env["reemploi.commune"].search([]),
        }

    @staticmethod
    def _reemploi_pick(records, post, key):
        """The record among ``records`` whose id the form posted as ``key``."""
        return records.filtered(lambda r: str(r.id) == post.get(key))

    @http.route(["/my/vouchers"], type="http", auth="user", website=True)
    def portal_my_vouchers(self, issued=None, error=None, **kw):
        issuers = self._reemploi_issuers()
        if not issuers:
            return request.redirect("/my")
        vouchers = request.env["reemploi.voucher"].search(
            [("issuer_id", "in", issuers.ids)], limit=200
        )
        issued_voucher = vouchers.filtered(lambda v: str(v.id) == (issued or ""))
        values = self._prepare_portal_layout_values()
        values.update(self._reemploi_choices())
        values.update(
            {
                "page_name": "reemploi_vouchers",
                "issuers": issuers,
                "vouchers": vouchers,
                "issued_voucher": issued_voucher,
                "error": error,
                "today": fields.Date.context_today(request.env.user),
            }
        )
        return request.render("reemploi_social.portal_my_vouchers", values)

    @http.route(
        ["/my/vouchers/issue"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_voucher_issue(self, **post):
        issuers = self._reemploi_issuers()
        issuer = issuers.filtered(lambda i: str(i.id) == post.get("issuer_id"))
        if not issuer:
            return request.redirect("/my")
        choices = self._reemploi_choices()

        try:
            expiry = (
                fields.Date.to_date(post["date_expiry"])
                if post.get("date_expiry")
                else None
            )
            voucher = issuer._issue_voucher(
                self._reemploi_pick(choices["categories"], post, "category_id"),
                self._reemploi_pick(choices["needs"], post, "need_category_id"),
                self._reemploi_pick(choices["communes"], post, "commune_id"),
                expiry,
            )
        except (UserError, AccessError, ValueError) as error:
            message = error.args[0] if error.args else str(error)
            return request.redirect("/my/vouchers?" + url_encode({"error": message}))
        return request.redirect(f"/my/vouchers?issued={voucher.id}")

    @http.route(
        ["/my/vouchers/<int:voucher_id>/cancel"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_voucher_cancel(self, voucher_id, **post):
        voucher = request.env["reemploi.voucher"].browse(voucher_id)
        try:
            voucher._cancel_as_issuer()
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return request.redirect(
                "/my/vouchers?" + url_encode({"error": error.args[0]})
            )
        return request.redirect("/my/vouchers")

    # ------------------------------------------------------------------
    # Hand-overs of the associations
    # ------------------------------------------------------------------
    def _reemploi_association(self):
        user = request.env.user
        if not user.has_group("reemploi_social.group_reemploi_association"):
            return request.env["reemploi.association"]
        return request.env["reemploi.association"]._for_partner(user.partner_id)

    @http.route(["/my/handovers"], type="http", auth="user", website=True)
    def portal_my_handovers(self, error=None, done=None, **kw):
        association = self._reemploi_association()
        if not association:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(self._reemploi_choices())
        values.update(
            {
                "page_name": "reemploi_handovers",
                "association": association,
                # sudo'd lines: the device and the order of the association
                "pending_lines": association._reemploi_handover_lines(),
                "handovers": request.env["reemploi.handover"].search([], limit=200),
                "error": error,
                "done": done,
            }
        )
        return request.render("reemploi_social.portal_my_handovers", values)

    @http.route(
        ["/my/handovers/confirm"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_handover_confirm(self, **post):
        if not self._reemploi_association():
            return request.redirect("/my")
        choices = self._reemploi_choices()

        line_id = http_input.parse_id(post.get("line_id"))
        line = request.env["sale.order.line"].browse(
            [line_id] if line_id is not None else []
        )
        try:
            request.env["reemploi.handover"]._confirm_handover(
                line,
                self._reemploi_pick(choices["needs"], post, "need_category_id"),
                self._reemploi_pick(choices["communes"], post, "commune_id"),
                bool(post.get("confirm")),
            )
        except (UserError, AccessError) as error:
            return request.redirect(
                "/my/handovers?" + url_encode({"error": error.args[0]})
            )
        return request.redirect("/my/handovers?done=1")
