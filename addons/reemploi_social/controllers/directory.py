from odoo.http import request

from odoo.addons.reemploi_market.controllers.directory import ReemploiDirectoryPortal


class ReemploiDirectoryAssociationPortal(ReemploiDirectoryPortal):
    """Accredited associations write their entry of the directory too."""

    def _directory_portal_kind(self, partner):
        if request.env.user.has_group(
            "reemploi_social.group_reemploi_association"
        ) and partner.sudo().reemploi_association_ids:
            return "association"
        return super()._directory_portal_kind(partner)

    def _directory_portal_vals(self, form, kind):
        vals = super()._directory_portal_vals(form, kind)
        if kind == "association":
            vals["audience"] = (form.get("audience") or "").strip() or False
        return vals
