import psycopg2

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.reemploi_asset.controllers.portal import ReemploiPortal
from odoo.addons.reemploi_asset.services import http_input

QUANTITY_MAX = 1000


class ReemploiAllocationPortal(ReemploiPortal):
    """Associations ask for scarce devices, see what the fair allocation
    gave them and why, and confirm (which reserves the devices) or decline."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "allocation_count" in counters:
            values["allocation_count"] = (
                self._portal_count("reemploi.allocation")
                if request.env.user.has_group(
                    "reemploi_social.group_reemploi_association"
                )
                else 0
            )
        return values

    def _allocation_association(self):
        """The association of the user's organisation, or a 404."""
        user = request.env.user
        if not user.has_group("reemploi_social.group_reemploi_association"):
            raise request.not_found()
        association = request.env["reemploi.association"]._for_partner(user.partner_id)
        if not association:
            raise request.not_found()
        return association

    def _allocation_check_access(self, allocation_id):
        """The allocation in the user's environment, once its record rules
        let the user read it; a 404 otherwise, which does not tell whether
        it exists."""
        try:
            self._document_check_access("reemploi.allocation", allocation_id)
        except (AccessError, MissingError):
            raise request.not_found() from None
        return request.env["reemploi.allocation"].browse(allocation_id)

    @http.route(
        ["/my/allocations", "/my/allocations/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_allocations(self, page=1, sortby="date", filterby="all", **kw):
        self._allocation_association()
        filters = {
            "all": {"label": request.env._("All"), "domain": []},
            "proposed": {
                "label": request.env._("To confirm"),
                "domain": [("state", "=", "proposed")],
            },
            "confirmed": {
                "label": request.env._("Confirmed"),
                "domain": [("state", "=", "confirmed")],
            },
        }
        values = self._portal_list_values(
            "reemploi.allocation",
            "/my/allocations",
            filters,
            page,
            sortby,
            filterby,
        )
        if values is None:
            return request.redirect("/my")
        values.update(
            allocations=values["records"],
            # the association's open requests, waiting for a run
            requests=request.env["reemploi.allocation.request"].search(
                [("state", "=", "open")], order="date_from, id"
            ),
            page_name="reemploi_allocation",
        )
        return request.render("reemploi_social.portal_my_allocations", values)

    @http.route(
        "/my/allocations/<int:allocation_id>",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_allocation(self, allocation_id, message=None, **kw):
        allocation = self._allocation_check_access(allocation_id)
        return self._allocation_render(allocation, message=message)

    def _allocation_render(self, allocation, message=None, error=None):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                # sudo: the rules let the user read this allocation; its run
                # and devices (serial, grade, operator) are shown read-only
                "allocation": allocation.sudo(),
                "message": message,
                "error": error,
                "page_name": "reemploi_allocation_detail",
            }
        )
        return request.render("reemploi_social.portal_my_allocation", values)

    @http.route(
        "/my/allocations/<int:allocation_id>/confirm",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_allocation_confirm(self, allocation_id, **post):
        """Confirm: the devices are reserved in this transaction, or none."""
        return self._allocation_decide(allocation_id, "action_confirm", "confirmed")

    @http.route(
        "/my/allocations/<int:allocation_id>/refuse",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_allocation_refuse(self, allocation_id, **post):
        return self._allocation_decide(allocation_id, "action_refuse", "refused")

    def _allocation_decide(self, allocation_id, method, message):
        """The association's answer to its allocation (``method``: confirm
        or refuse it), then its page with ``message``; or the page with the
        reason of a refusal."""
        allocation = self._allocation_check_access(allocation_id)
        try:
            with request.env.cr.savepoint():
                # sudo: associations confirm or refuse their own allocations
                # (checked above) but do not write allocations and devices
                # otherwise
                getattr(allocation.sudo(), method)()
        except UserError as error:
            return self._allocation_render(allocation, error=error.args[0])
        except psycopg2.errors.UniqueViolation:
            return self._allocation_render(
                allocation,
                error=request.env._(
                    "A device of this allocation was just reserved by another "
                    "association: confirm again to get another one."
                ),
            )
        return request.redirect(f"/my/allocations/{allocation_id}?message={message}")

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------
    def _allocation_request_form_values(self, association, form=None, errors=None):
        today = fields.Date.context_today(request.env.user)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "association": association,
                # sudo: categories and needs are shared standards
                "categories": request.env["reemploi.equipment.category"]
                .sudo()
                .search([]),
                "needs": association.need_category_ids
                or request.env["reemploi.need.category"].sudo().search([]),
                "form": form
                or {
                    "category_id": "",
                    "quantity": "1",
                    "need_category_id": str(association.need_category_ids[:1].id or ""),
                    "date_from": fields.Date.to_string(today),
                    "date_to": fields.Date.to_string(fields.Date.add(today, months=3)),
                    "note": "",
                },
                "errors": errors or {},
                "page_name": "reemploi_allocation_request",
            }
        )
        return values

    @http.route(
        "/my/allocations/request",
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_allocation_request(self, **post):
        association = self._allocation_association()
        if request.httprequest.method != "POST":
            return request.render(
                "reemploi_social.portal_allocation_request_form",
                self._allocation_request_form_values(association),
            )
        form = {
            key: (post.get(key) or "").strip()
            for key in (
                "category_id",
                "quantity",
                "need_category_id",
                "date_from",
                "date_to",
                "note",
            )
        }
        vals, errors = self._allocation_request_parse(association, form)
        if not errors:
            try:
                with request.env.cr.savepoint():
                    request.env["reemploi.allocation.request"].create(vals)
            except (UserError, AccessError) as error:
                errors["form"] = error.args[0]
        if errors:
            return request.render(
                "reemploi_social.portal_allocation_request_form",
                self._allocation_request_form_values(association, form, errors),
            )
        return request.redirect("/my/allocations?message=requested")

    def _allocation_request_parse(self, association, form):
        _ = request.env._
        errors = {}
        vals = {"association_id": association.id, "note": form["note"] or False}
        category = request.env["reemploi.equipment.category"].sudo()
        category_id = http_input.parse_id(form["category_id"])
        if category_id is not None:
            category = category.browse(category_id).exists()
        if not category:
            errors["category_id"] = _("Choose a category of devices.")
        vals["category_id"] = category.id
        quantity = http_input.parse_id(form["quantity"])
        if quantity is None or not 0 < quantity <= QUANTITY_MAX:
            errors["quantity"] = _(
                "Give a number of devices between 1 and %(max)s.", max=QUANTITY_MAX
            )
        else:
            vals["quantity"] = quantity
        need_id = http_input.parse_id(form["need_category_id"])
        if need_id is not None:
            need = request.env["reemploi.need.category"].sudo().browse(need_id).exists()
            vals["need_category_id"] = need.id
        dates = {}
        for key in ("date_from", "date_to"):
            try:
                dates[key] = fields.Date.to_date(form[key])
            except ValueError:
                dates[key] = None
            if not dates[key]:
                errors[key] = _("Give a date (YYYY-MM-DD).")
        if dates.get("date_from") and dates.get("date_to"):
            if dates["date_to"] < dates["date_from"]:
                errors["date_to"] = _("The period ends after it starts.")
        vals.update(dates)
        return vals, errors
