from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.reemploi_directory_entry import (
    ACTIVITIES,
    ACTIVITY_FIELDS,
    CONTACT_FIELDS,
    TEXT_FIELDS,
)

# what an actor writes on the portal form, as text; and ticks
PORTAL_TEXT_FIELDS = TEXT_FIELDS + CONTACT_FIELDS
PORTAL_FLAGS = (*ACTIVITY_FIELDS, "donor_consent")


class ReemploiDirectory(http.Controller):
    """The public directory of the territory's actors, and its map."""

    def _directory_entries(self, kind=None, activity=None, category=None, commune=None):
        Entry = request.env["reemploi.directory.entry"]
        domain = list(Entry._public_domain())
        if kind in dict(Entry._fields["kind"].selection):
            domain.append(("kind", "=", kind))
        if activity in ACTIVITIES:
            domain.append((f"activity_{activity}", "=", True))
        if category and str(category).isdigit():
            domain.append(("category_ids", "in", [int(category)]))
        if commune:
            domain.append(("city", "=ilike", commune))
        # sudo: the approved entries are public, read by anyone; the domain
        # above keeps the others out
        return Entry.sudo().search(domain)

    def _directory_filters(self, kwargs):
        return {
            key: kwargs.get(key) or ""
            for key in ("kind", "activity", "category", "commune")
        }

    @http.route(
        ["/annuaire", "/acteurs"], type="http", auth="public", website=True, sitemap=True
    )
    def directory(self, **kwargs):
        filters = self._directory_filters(kwargs)
        entries = self._directory_entries(**filters)
        Entry = request.env["reemploi.directory.entry"]
        # sudo: the communes and categories of the public entries, for the filters
        public = Entry.sudo().search(Entry._public_domain())
        ICP = request.env["ir.config_parameter"].sudo()  # sudo: public map settings
        values = {
            "entries": entries,
            "filters": filters,
            "kinds": Entry._fields["kind"]._description_selection(request.env),
            "activities": [
                (a, Entry._fields[f"activity_{a}"].get_description(request.env)["string"])
                for a in ACTIVITIES
            ],
            "categories": public.category_ids.sorted(lambda c: (c.sequence, c.name)),
            "communes": sorted({e.city.strip() for e in public if e.city}),
            "figures": Entry.sudo()._donor_figures(
                entries.filtered(lambda e: e.kind == "donor").partner_id
            ),
            "tile_url": ICP.get_param("reemploi_market.directory_tile_url") or "",
            "tile_attribution": ICP.get_param(
                "reemploi_market.directory_tile_attribution"
            )
            or "",
            "map_query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
        }
        return request.render("reemploi_market.directory_page", values)

    @http.route(
        "/annuaire/acteurs.json", type="http", auth="public", website=True, sitemap=False
    )
    def directory_json(self, **kwargs):
        """The points of the map: the public entries and their coordinates."""
        entries = self._directory_entries(**self._directory_filters(kwargs))
        return request.make_json_response(
            {"type": "acteurs", "entries": [e._public_values() for e in entries]}
        )


class ReemploiDirectoryPortal(CustomerPortal):
    """Donors (and associations, with reemploi_social) write their entry of
    the directory on the portal."""

    def _directory_portal_kind(self, partner):
        """The kind of entry the signed-in organisation writes, or None."""
        if request.env.user.has_group("reemploi_asset.group_reemploi_donor"):
            return "donor"
        return None

    def _directory_portal_entry(self):
        partner = request.env.user.commercial_partner_id
        kind = self._directory_portal_kind(partner)
        if not kind:
            raise request.not_found()
        Entry = request.env["reemploi.directory.entry"]
        return Entry.search([("partner_id", "=", partner.id)], limit=1), kind, partner

    def _directory_portal_values(self, entry, kind, partner, **extra):
        values = {
            "entry": entry,
            "kind": kind,
            "partner": partner,
            "page_name": "directory_entry",
            # sudo: the shared list of categories (a standard, no owner)
            "categories": request.env["reemploi.equipment.category"].sudo().search([]),
            "labels": request.env["reemploi.directory.label"].search([]),
            "statuses": request.env["reemploi.directory.entry"]
            ._fields["social_status"]
            ._description_selection(request.env),
            "error": None,
            "form": {},
        }
        values.update(extra)
        return values

    @http.route("/my/annuaire", type="http", auth="user", website=True, methods=["GET"])
    def portal_directory_entry(self, **kwargs):
        entry, kind, partner = self._directory_portal_entry()
        return request.render(
            "reemploi_market.portal_directory_entry",
            self._directory_portal_values(entry, kind, partner, saved=kwargs.get("saved")),
        )

    def _directory_portal_vals(self, form, kind):
        vals = {name: (form.get(name) or "").strip() or False for name in PORTAL_TEXT_FIELDS}
        for flag in PORTAL_FLAGS:
            vals[flag] = bool(form.get(flag))
        for coordinate in ("latitude", "longitude"):
            raw = (form.get(coordinate) or "").strip().replace(",", ".")
            try:
                vals[coordinate] = float(raw) if raw else 0.0
            except ValueError as exc:
                raise ValidationError(
                    request.env._(
                        "The %(field)s “%(value)s” is not a number (e.g. 45.188).",
                        field=request.env._("latitude")
                        if coordinate == "latitude"
                        else request.env._("longitude"),
                        value=raw,
                    )
                ) from exc
        ids = {
            "category_ids": request.httprequest.form.getlist("category_ids"),
            "label_ids": request.httprequest.form.getlist("label_ids"),
        }
        for fname, raw_ids in ids.items():
            vals[fname] = [(6, 0, [int(i) for i in raw_ids if i.isdigit()])]
        status = form.get("social_status")
        Entry = request.env["reemploi.directory.entry"]
        vals["social_status"] = (
            status if status in dict(Entry._fields["social_status"].selection) else False
        )
        return vals

    @http.route("/my/annuaire", type="http", auth="user", website=True, methods=["POST"])
    def portal_directory_entry_post(self, **form):
        entry, kind, partner = self._directory_portal_entry()
        Entry = request.env["reemploi.directory.entry"]
        try:
            vals = self._directory_portal_vals(form, kind)
            # the ids of the shared lists the actor may pick
            vals["category_ids"][0][2][:] = (
                request.env["reemploi.equipment.category"]
                .sudo()  # sudo: the shared list of categories
                .browse(vals["category_ids"][0][2])
                .exists()
                .ids
            )
            vals["label_ids"][0][2][:] = (
                request.env["reemploi.directory.label"]
                .browse(vals["label_ids"][0][2])
                .exists()
                .ids
            )
            with request.env.cr.savepoint():
                if entry:
                    entry.write(vals)
                else:
                    entry = Entry.create(dict(vals, kind=kind, partner_id=partner.id))
                if form.get("submit") and entry.state in ("draft", "refused"):
                    entry.action_submit()
        except (UserError, ValidationError, AccessError) as exc:
            entry = self._directory_portal_entry()[0]
            return request.render(
                "reemploi_market.portal_directory_entry",
                self._directory_portal_values(
                    entry, kind, partner, error=str(exc.args[0]), form=form
                ),
            )
        return request.redirect("/my/annuaire?saved=1")
