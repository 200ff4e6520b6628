from odoo import Command, fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import email_normalize
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.reemploi_asset.controllers.portal import ReemploiPortal
from odoo.addons.reemploi_asset.services import http_input, lifecycle

from ..services.lot_lifecycle import (
    CANCELLED,
    DONE_STATES,
    DRAFT,
    IN_PROGRESS_STATES,
)

# Declarable devices of the donor's register (the model checks again).
# At most this many devices are offered at once: filters narrow the list.
PICKER_LIMIT = 50
PHOTO_MAX_BYTES = 10 * 1024 * 1024
QUANTITY_MAX = 10000
# text fields of the form, kept as typed when it is shown again
PICKUP_FIELDS = (
    "site_id",
    "pickup_address",
    "date_from",
    "date_to",
    "floor",
    "access_notes",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class ReemploiLotPortal(ReemploiPortal):
    """Donors declare their lots and follow them on the portal (the portal
    of reemploi_asset, itself a CustomerPortal, extended)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "lot_count" in counters:
            values["lot_count"] = self._portal_count("reemploi.lot")
        return values

    def _lot_searchbar_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "draft": {
                "label": request.env._("Drafts"),
                "domain": [("state", "=", DRAFT)],
            },
            "in_progress": {
                "label": request.env._("In progress"),
                "domain": [("state", "in", sorted(IN_PROGRESS_STATES))],
            },
            "done": {
                "label": request.env._("Done"),
                "domain": [("state", "in", sorted(DONE_STATES))],
            },
            "cancelled": {
                "label": request.env._("Cancelled"),
                "domain": [("state", "=", CANCELLED)],
            },
        }

    @http.route(
        ["/my/lots", "/my/lots/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_lots(self, page=1, sortby="date", filterby="all", **kwargs):
        values = self._portal_list_values(
            "reemploi.lot",
            "/my/lots",
            self._lot_searchbar_filters(),
            page,
            sortby,
            filterby,
            sorting=("name", request.env._("Reference"), "name desc"),
        )
        if values is None:
            return request.redirect("/my")
        values.update(lots=values["records"], page_name="reemploi_lot")
        return request.render("reemploi_market.portal_my_lots", values)

    def _lot_check_access(self, lot_id, access_token=None):
        """The lot, sudoed, or a 404 that does not tell whether it exists."""
        try:
            return self._document_check_access("reemploi.lot", lot_id, access_token)
        except (AccessError, MissingError):
            raise request.not_found() from None

    @http.route("/my/lots/<int:lot_id>", type="http", auth="public", website=True)
    def portal_my_lot(self, lot_id, access_token=None, message=None, **kwargs):
        lot_sudo = self._lot_check_access(lot_id, access_token)
        values = self._prepare_portal_layout_values()
        values = self._get_page_view_values(
            lot_sudo, access_token, values, "my_lots_history", False, **kwargs
        )
        values.update(
            {
                "lot": lot_sudo,
                "timeline": lot_sudo._portal_timeline(),
                "message": message,
                "page_name": "reemploi_lot_detail",
                # only the organisation's own staff change the lot
                "can_edit": lot_sudo.with_env(request.env).has_access("write"),
            }
        )
        return request.render("reemploi_market.portal_my_lot", values)

    # ------------------------------------------------------------------
    # Declaration form
    # ------------------------------------------------------------------
    def _lot_editable(self, lot_id):
        """The user's own draft lot, in the user's environment."""
        self._lot_check_access(lot_id)
        lot = request.env["reemploi.lot"].browse(lot_id)
        if lot.state != DRAFT or not lot.has_access("write"):
            raise request.not_found()
        return lot

    def _lot_form_defaults(self, lot):
        """Form values of a saved lot, or of a new one."""
        if lot:
            return {
                "site_id": str(lot.site_id.id or ""),
                "pickup_address": lot.pickup_address or "",
                "date_from": fields.Date.to_string(lot.date_from) or "",
                "date_to": fields.Date.to_string(lot.date_to) or "",
                "floor": str(lot.floor),
                "has_lift": lot.has_lift,
                "has_loading_dock": lot.has_loading_dock,
                "access_notes": lot.access_notes or "",
                "contact_name": lot.contact_name or "",
                "contact_phone": lot.contact_phone or "",
                "contact_email": lot.contact_email or "",
                "equipment_ids": lot.line_ids.equipment_id.ids,
                "quantities": {
                    line.category_id.id: line.quantity
                    for line in lot.line_ids
                    if not line.equipment_id
                },
            }
        user = request.env.user
        today = fields.Date.context_today(user)
        organisation = user.commercial_partner_id
        return {
            "site_id": "",
            "pickup_address": request.env["reemploi.lot"]
            .new({"partner_id": organisation.id})
            .pickup_address,
            "date_from": fields.Date.to_string(today),
            "date_to": fields.Date.to_string(fields.Date.add(today, days=30)),
            "floor": "0",
            "has_lift": False,
            "has_loading_dock": False,
            "access_notes": "",
            "contact_name": user.partner_id.name or "",
            "contact_phone": user.partner_id.phone or user.partner_id.mobile or "",
            "contact_email": user.partner_id.email or "",
            "equipment_ids": [],
            "quantities": {},
        }

    def _lot_form_parse(self, form):
        """Values of the posted form (as typed), the lot's values, the photos
        and the errors by field."""
        errors = {}
        values, vals = self._lot_form_parse_pickup(form, errors)
        devices = self._lot_form_parse_devices(form, errors)
        quantities = self._lot_form_parse_quantities(form, errors)
        values.update({"equipment_ids": devices.ids, "quantities": quantities})
        vals["line_ids"] = (
            [Command.clear()]
            + [Command.create({"equipment_id": device.id}) for device in devices]
            + [
                Command.create({"category_id": category_id, "quantity": quantity})
                for category_id, quantity in quantities.items()
                if isinstance(quantity, int)
            ]
        )
        photos = self._lot_form_parse_photos(errors)
        if errors and photos:
            errors.setdefault(
                "photos",
                request.env._("Choose your photos again after correcting the form."),
            )
        return values, vals, photos, errors

    def _lot_form_parse_pickup(self, form, errors):
        env = request.env
        values = {name: (form.get(name) or "").strip() for name in PICKUP_FIELDS}
        values["has_lift"] = bool(form.get("has_lift"))
        values["has_loading_dock"] = bool(form.get("has_loading_dock"))
        vals = {
            name: values[name]
            for name in PICKUP_FIELDS
            if name not in ("site_id", "date_from", "date_to", "floor")
        }
        vals.update(
            has_lift=values["has_lift"],
            has_loading_dock=values["has_loading_dock"],
            site_id=False,
        )
        if values["site_id"]:
            site = self._lot_sites().filtered(lambda s: str(s.id) == values["site_id"])
            vals["site_id"] = site.id
            if not site:
                errors["site_id"] = env._("Choose one of your organisation's sites.")
        for name in ("date_from", "date_to"):
            try:
                vals[name] = fields.Date.to_date(values[name] or None) or False
            except ValueError:
                errors[name] = env._("Enter a date such as 2026-12-31.")
        if (
            not errors.keys() & {"date_from", "date_to"}
            and vals["date_from"]
            and vals["date_to"]
            and vals["date_to"] < vals["date_from"]
        ):
            errors["date_to"] = env._("The end of the window comes before its start.")
        try:
            vals["floor"] = int(values["floor"] or 0)
            if not -10 <= vals["floor"] <= 200:
                raise ValueError(vals["floor"])
        except ValueError:
            errors["floor"] = env._("Enter a floor number: 0 for the ground floor.")
        if values["contact_email"] and not email_normalize(values["contact_email"]):
            errors["contact_email"] = env._("This e-mail address is not valid.")
        return values, vals

    def _lot_form_parse_devices(self, form, errors):
        """The chosen devices: never trust posted ids, only the user's own
        declarable devices count."""
        posted = set()
        for raw in form.getlist("equipment_id"):
            record_id = http_input.parse_id(raw)
            if record_id is None:
                errors["equipment_id"] = request.env._(
                    "Some chosen devices are unknown."
                )
            else:
                posted.add(record_id)
        devices = request.env["reemploi.equipment"].search(
            [
                ("id", "in", list(posted)),
                ("owner_id", "child_of", request.env.user.commercial_partner_id.id),
                ("state", "in", sorted(lifecycle.OWNER_STATES)),
            ]
        )
        if len(devices) != len(posted):
            errors["equipment_id"] = request.env._(
                "Some chosen devices are not in your register or can no longer "
                "be declared: they were left out."
            )
        return devices

    def _lot_form_parse_quantities(self, form, errors):
        """{category id: quantity}; what could not be read stays as typed."""
        quantities = {}
        for category in self._lot_categories():
            raw = (form.get(f"qty_{category.id}") or "").strip()
            if not raw:
                continue
            try:
                quantity = int(raw)
                if not 0 <= quantity <= QUANTITY_MAX:
                    raise ValueError(quantity)
            except ValueError:
                errors[f"qty_{category.id}"] = request.env._(
                    "Enter a number of devices between 0 and %(max)s.",
                    max=QUANTITY_MAX,
                )
                quantities[category.id] = raw
                continue
            if quantity:
                quantities[category.id] = quantity
        return quantities

    def _lot_form_parse_photos(self, errors):
        photos = []
        for upload in request.httprequest.files.getlist("photos"):
            data = upload.read()
            if not data:
                continue
            mimetype = guess_mimetype(data)
            if not mimetype.startswith("image/") or len(data) > PHOTO_MAX_BYTES:
                errors["photos"] = request.env._(
                    "%(file)s is not a photo of at most 10 MB.",
                    file=upload.filename or "?",
                )
                continue
            photos.append((upload.filename or "photo", data, mimetype))
        return photos

    def _lot_sites(self):
        organisation = request.env.user.commercial_partner_id
        return (
            request.env["res.partner"].search(
                [("id", "child_of", organisation.id), ("type", "!=", "contact")]
            )
            | organisation
        )

    def _lot_categories(self):
        return request.env["reemploi.equipment.category"].search([])

    def _lot_picker_devices(self, form, selected_ids):
        """Devices offered in the form: the filtered register plus the chosen ones."""
        domain = [
            ("owner_id", "child_of", request.env.user.commercial_partner_id.id),
            ("state", "in", sorted(lifecycle.OWNER_STATES)),
        ]
        if form.get("device_state", "to_decommission") == "to_decommission":
            domain.append(("state", "=", "to_decommission"))
        category_id = http_input.parse_id(form.get("device_category"))
        if category_id is not None:
            domain.append(("category_id", "=", category_id))
        site_id = http_input.parse_id(form.get("device_site"))
        if site_id is not None:
            domain.append(("site_id", "=", site_id))
        search = (form.get("device_search") or "").strip()
        if search:
            domain += [
                "|",
                "|",
                ("serial", "ilike", search),
                ("asset_tag", "ilike", search),
                ("model", "ilike", search),
            ]
        Equipment = request.env["reemploi.equipment"]
        found = Equipment.search(domain, limit=PICKER_LIMIT + 1)
        return (
            Equipment.browse(selected_ids) | found[:PICKER_LIMIT],
            len(found) > PICKER_LIMIT,
        )

    def _lot_form_render(self, lot, form_values, errors=None, form=None):
        form = form or {}
        devices, truncated = self._lot_picker_devices(
            form, form_values["equipment_ids"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "lot": lot,
                "form": form_values,
                "errors": errors or {},
                "devices": devices,
                "devices_truncated": truncated,
                "device_filters": {
                    "device_state": form.get("device_state", "to_decommission"),
                    "device_category": form.get("device_category", ""),
                    "device_site": form.get("device_site", ""),
                    "device_search": form.get("device_search", ""),
                },
                "sites": self._lot_sites(),
                "categories": self._lot_categories(),
                "page_name": "reemploi_lot_form",
                "form_action": f"/my/lots/{lot.id}/edit" if lot else "/my/lots/new",
            }
        )
        return request.render("reemploi_market.portal_lot_form", values)

    def _lot_form_save(self, lot, form):
        """Save the posted form into ``lot`` (or a new draft) and declare it
        when asked; re-show the form with what the user typed on error."""
        if form.get("action") == "filter":
            values, _vals, _photos, _errors = self._lot_form_parse(form)
            return self._lot_form_render(lot, values, form=form)
        values, vals, photos, errors = self._lot_form_parse(form)
        if errors:
            return self._lot_form_render(lot, values, errors, form=form)
        try:
            with request.env.cr.savepoint():
                if lot:
                    lot.write(vals)
                else:
                    vals["partner_id"] = request.env.user.commercial_partner_id.id
                    lot = request.env["reemploi.lot"].create(vals)
                self._lot_attach_photos(lot, photos)
        except (UserError, ValidationError) as error:
            return self._lot_form_render(
                lot, values, {"form": error.args[0]}, form=form
            )
        if form.get("action") == "declare":
            try:
                with request.env.cr.savepoint():
                    lot.action_declare()
            except UserError as error:
                # the draft is saved: show it again with the reason
                return self._lot_form_render(
                    lot, self._lot_form_defaults(lot), {"form": error.args[0]}
                )
            return request.redirect(f"/my/lots/{lot.id}?message=declared")
        return request.redirect(f"/my/lots/{lot.id}?message=saved")

    def _lot_attach_photos(self, lot, photos):
        if not photos:
            return
        # sudo: portal users cannot create attachments; these are the photos
        # the user just uploaded (checked to be images), attached to a lot the
        # user may write, and read back through their access token
        attachments = (
            request.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": data,
                        "mimetype": mimetype,
                        "res_model": lot._name,
                        "res_id": lot.id,
                    }
                    for name, data, mimetype in photos
                ]
            )
        )
        attachments.generate_access_token()
        lot.write({"photo_ids": [Command.link(a.id) for a in attachments]})

    @http.route("/my/lots/new", type="http", auth="user", website=True, methods=["GET"])
    def portal_lot_new(self, **kwargs):
        if not request.env["reemploi.lot"].has_access("create"):
            return request.redirect("/my")
        return self._lot_form_render(
            request.env["reemploi.lot"], self._lot_form_defaults(None), form=kwargs
        )

    @http.route(
        "/my/lots/new", type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_lot_new_post(self, **kwargs):
        if not request.env["reemploi.lot"].has_access("create"):
            return request.redirect("/my")
        return self._lot_form_save(
            request.env["reemploi.lot"], request.httprequest.form
        )

    @http.route(
        "/my/lots/<int:lot_id>/edit",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_lot_edit(self, lot_id, **kwargs):
        lot = self._lot_editable(lot_id)
        return self._lot_form_render(lot, self._lot_form_defaults(lot), form=kwargs)

    @http.route(
        "/my/lots/<int:lot_id>/edit",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_lot_edit_post(self, lot_id, **kwargs):
        lot = self._lot_editable(lot_id)
        return self._lot_form_save(lot, request.httprequest.form)

    @http.route(
        "/my/lots/<int:lot_id>/cancel",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_lot_cancel(self, lot_id, **kwargs):
        self._lot_check_access(lot_id)
        lot = request.env["reemploi.lot"].browse(lot_id)
        try:
            with request.env.cr.savepoint():
                lot.action_cancel()
        except (UserError, AccessError):
            return request.redirect(f"/my/lots/{lot_id}?message=not_cancelled")
        return request.redirect(f"/my/lots/{lot_id}?message=cancelled")
