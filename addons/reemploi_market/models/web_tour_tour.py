from odoo import api, models


class WebTourTour(models.Model):
    _inherit = "web_tour.tour"

    @api.model
    def get_current_tour(self):
        """The tour of the user's Réemploi role comes first: Odoo proposes
        the tours by sequence, and the apps' tours (Sales…) would otherwise
        be offered to an operator before the one of their job; and only it:
        the role's users are not sent on the apps' tours after theirs."""
        user = self.env.user
        if user and user.tour_enabled and user._is_internal():
            role_tours = user._reemploi_role_tours()
            if role_tours:
                tour = self.search(
                    [
                        ("name", "in", role_tours),
                        ("user_consumed_ids", "not in", user.id),
                    ],
                    limit=1,
                )
                if tour:
                    return tour._get_tour_json()
                if user._reemploi_onboarded():
                    # the onboarding was turned on for the role: once its
                    # tour is done, the user is not pushed into the apps'
                    # tours (Sales…, web_tour starts the next one at once)
                    return False
        return super().get_current_tour()
