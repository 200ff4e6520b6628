from odoo import api, models

# The first-run tour of each Réemploi role (data/reemploi_onboarding_tour.xml)
ROLE_TOURS = (
    ("reemploi_asset.group_reemploi_operator_user", "reemploi_operator_onboarding"),
    ("reemploi_asset.group_reemploi_coordinator", "reemploi_coordinator_onboarding"),
)


class ResUsers(models.Model):
    """Operators and coordinators get their role's tour at first login.

    Odoo turns the onboarding on only for the administrators of a database
    without demo data (web_tour's ``_compute_tour_enabled``); a Réemploi
    role is a new job to learn, so a user who gets one has the onboarding
    on, at creation or when the role is added later. The user can switch it
    off from the user menu as usual."""

    _inherit = "res.users"

    def _reemploi_role_tours(self):
        """Names of the onboarding tours of the user's Réemploi roles."""
        self.ensure_one()
        groups = self.groups_id  # implied groups included
        return [
            tour
            for xmlid, tour in ROLE_TOURS
            if self.env.ref(xmlid, raise_if_not_found=False) in groups
        ]

    def _reemploi_onboarded(self):
        """The users to whom the onboarding of their role is proposed:
        internal users with a role, administrators aside (Odoo's rule)."""
        return self.filtered(
            lambda user: (
                not user.share and not user._is_admin() and user._reemploi_role_tours()
            )
        )

    def _compute_tour_enabled(self):
        super()._compute_tour_enabled()
        self._reemploi_onboarded().tour_enabled = True

    def write(self, vals):
        if not any(
            key == "groups_id" or key.startswith(("in_group_", "sel_groups_"))
            for key in vals
        ):
            return super().write(vals)
        before = self._reemploi_onboarded()
        result = super().write(vals)
        newcomers = self._reemploi_onboarded() - before
        if newcomers:
            newcomers.tour_enabled = True
        return result

    @api.model
    def _reemploi_enable_onboarding(self):
        """Turn the onboarding on for every user with a Réemploi role (the
        demo database's operators and coordinators, see demo/build.py)."""
        users = self.with_context(active_test=False).search([("share", "=", False)])
        users._reemploi_onboarded().tour_enabled = True
