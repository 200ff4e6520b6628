from odoo import http
from odoo.http import request

from odoo.addons.reemploi_asset.services import lifecycle

from .portal import ReemploiLotPortal


class ReemploiOverviewPortal(ReemploiLotPortal):
    """A donor's overview on the portal: the figures of its own
    organisation, read with its rights (reemploi.overview)."""

    @http.route("/my/overview", type="http", auth="user", website=True)
    def portal_overview(self, **kwargs):
        if not request.env.user.has_group("reemploi_asset.group_reemploi_donor"):
            return request.redirect("/my")
        data = request.env["reemploi.overview"].get_portal_data()
        devices = data["devices"]
        for rate in data["reuse_rates"]:
            rate["explanation"] = request.env._(
                "Target %(target)s%%: %(sent)s device(s) sent to reuse out of a "
                "reformed stock of %(stock)s.",
                target=round(rate["target"]),
                sent=rate["sent"],
                stock=rate["stock"],
            )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "data": data,
                "reused": devices[lifecycle.OUTCOME_SOLD]
                + devices[lifecycle.OUTCOME_DONATED],
                "co2_peak": max(data["co2_over_time"]["values"] or [0]) or 1,
                "forecast_rows": self._overview_forecast_rows(data["forecast"]),
                "page_name": "reemploi_overview",
            }
        )
        return request.render("reemploi_market.portal_overview", values)

    def _overview_forecast_rows(self, forecast):
        """The forecast as one row per quarter (a phone shows no wide
        table): (quarter, total, [(category, count)])."""
        rows = []
        for index, label in enumerate(forecast["labels"]):
            counts = [
                (serie["label"], serie["values"][index])
                for serie in forecast["series"]
                if serie["values"][index]
            ]
            if counts:
                rows.append((label, sum(count for _name, count in counts), counts))
        return rows
