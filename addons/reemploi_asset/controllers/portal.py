from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.download import file_response
from ..services import forecast, lifecycle


class ReemploiPortal(CustomerPortal):
    """Donors follow the devices of their organisation on the portal."""

    # rows of a portal list: a screen or two on a phone, and a page that
    # renders fast (Odoo's portal shows 80)
    _reemploi_items_per_page = 40

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "equipment_count" in counters:
            values["equipment_count"] = self._portal_count("reemploi.equipment")
        return values

    def _portal_count(self, model):
        """How many records of ``model`` the user reads (0 without access):
        a counter of the portal's home page."""
        records = request.env[model]
        return records.search_count([]) if records.has_access("read") else 0

    def _equipment_searchbar_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "in_use": {
                "label": request.env._("In use"),
                "domain": [("state", "in", sorted(lifecycle.OWNER_STATES))],
            },
            "in_progress": {
                "label": request.env._("In the reuse chain"),
                "domain": [("state", "in", lifecycle.CHAIN_STATES)],
            },
            "reused": {
                "label": request.env._("Reused"),
                "domain": [("state", "in", sorted(lifecycle.REUSED_STATES))],
            },
            "recycled": {
                "label": request.env._("Recycled"),
                "domain": [
                    ("state", "in", lifecycle.states_of(lifecycle.OUTCOME_RECYCLED))
                ],
            },
        }

    def _portal_list_values(
        self, model, url, filters, page, sortby, filterby, sorting=None
    ):
        """Values of a portal list of ``model``'s records (those the user
        reads, through its record rules): one page, its pager, sortings
        (newest, ``sorting`` = (key, label, order) if given, state) and
        ``filters``; None when the user may not read ``model``."""
        records = request.env[model]
        if not records.has_access("read"):
            return None
        sortings = {"date": {"label": request.env._("Newest"), "order": "id desc"}}
        if sorting:
            key, label, order = sorting
            sortings[key] = {"label": label, "order": order}
        sortings["state"] = {
            "label": request.env._("State"),
            "order": "state, id desc",
        }
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = filters[filterby]["domain"]
        pager = portal_pager(
            url=url,
            url_args={"sortby": sortby, "filterby": filterby},
            total=records.search_count(domain),
            page=page,
            step=self._reemploi_items_per_page,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "records": records.search(
                    domain,
                    order=sortings[sortby]["order"],
                    limit=self._reemploi_items_per_page,
                    offset=pager["offset"],
                ),
                "pager": pager,
                "default_url": url,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return values

    @http.route(
        ["/my/equipment", "/my/equipment/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_equipment(self, page=1, sortby="date", filterby="all", **kwargs):
        values = self._portal_list_values(
            "reemploi.equipment",
            "/my/equipment",
            self._equipment_searchbar_filters(),
            page,
            sortby,
            filterby,
            sorting=("serial", request.env._("Serial number"), "serial"),
        )
        if values is None:
            return request.redirect("/my")
        values.update(
            devices=values["records"],
            page_name="reemploi_equipment",
            # the labels once, not a t-field per row
            state_labels=values["records"]._state_labels(),
        )
        return request.render("reemploi_asset.portal_my_equipment", values)

    # ------------------------------------------------------------------
    # Forecast of the organisation's own park
    # ------------------------------------------------------------------
    @http.route("/my/equipment/forecast", type="http", auth="user", website=True)
    def portal_equipment_forecast(self, **kwargs):
        Equipment = request.env["reemploi.equipment"]
        if not Equipment.has_access("read"):
            return request.redirect("/my")
        window, keys, counts = Equipment._forecast(by_owner=False)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "quarters": [(q, forecast.quarter_label(q)) for q in window],
                "categories": sorted(keys),
                "counts": counts,
                "page_name": "reemploi_equipment_forecast",
            }
        )
        return request.render("reemploi_asset.portal_equipment_forecast", values)

    @http.route("/my/equipment/forecast.xlsx", type="http", auth="user")
    def portal_equipment_forecast_xlsx(self, **kwargs):
        Equipment = request.env["reemploi.equipment"]
        if not Equipment.has_access("read"):
            return request.redirect("/my")
        return file_response("forecast.xlsx", Equipment._forecast_xlsx(by_owner=False))

    # ------------------------------------------------------------------
    # Upload of the organisation's inventory
    # ------------------------------------------------------------------
    def _portal_import_source(self):
        """The source that receives the uploads of the user's organisation."""
        organisation = request.env.user.commercial_partner_id
        return request.env["reemploi.import.source"]._organisation_source(
            organisation,
            "file",
            {
                "name": request.env._(
                    "Portal uploads — %(organisation)s", organisation=organisation.name
                ),
            },
        )

    @http.route(
        "/my/equipment/import", type="http", auth="user", website=True, methods=["GET"]
    )
    def portal_equipment_import(self, **kwargs):
        Run = request.env["reemploi.import.run"]
        if not Run.has_access("read"):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "runs": Run.search([], limit=10),
                "page_name": "reemploi_equipment_import",
                "error": kwargs.get("error"),
            }
        )
        return request.render("reemploi_asset.portal_equipment_import", values)

    @http.route(
        "/my/equipment/import", type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_equipment_import_post(self, inventory_file=None, **kwargs):
        if not request.env["reemploi.import.run"].has_access("read"):
            return request.redirect("/my")
        data = inventory_file.read() if inventory_file else b""
        if not data:
            return request.redirect("/my/equipment/import?error=empty")
        source = self._portal_import_source()
        # sudo: the run registers devices for the source's owner, the user's
        # own organisation; the donor reads the run afterwards through its rule
        run = (
            request.env["reemploi.import.run"]
            .sudo()
            ._import_file(source, data, inventory_file.filename or "")
        )
        return request.redirect(f"/my/equipment/import/{run.id}")

    @http.route(
        "/my/equipment/import/<int:run_id>", type="http", auth="user", website=True
    )
    def portal_equipment_import_run(self, run_id, **kwargs):
        try:
            run_sudo = self._document_check_access("reemploi.import.run", run_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update({"run": run_sudo, "page_name": "reemploi_equipment_import"})
        return request.render("reemploi_asset.portal_equipment_import_run", values)

    @http.route(
        "/my/equipment/<int:equipment_id>", type="http", auth="user", website=True
    )
    def portal_my_equipment_detail(self, equipment_id, report_type=None, **kwargs):
        try:
            device_sudo = self._document_check_access(
                "reemploi.equipment", equipment_id
            )
        except (AccessError, MissingError):
            if report_type:
                # a document link of someone else's device: nothing to see
                raise request.not_found() from None
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=device_sudo,
                report_type=report_type,
                report_ref="reemploi_asset.action_report_erasure_certificate",
                download=kwargs.get("download") == "true",
            )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "device": device_sudo,
                "page_name": "reemploi_equipment_detail",
            }
        )
        return request.render("reemploi_asset.portal_my_equipment_detail", values)
