from odoo import api, models


class WebTourTour(models.Model):
    _inherit = "web_tour.tour"

    @api.model
    def get_current_tour(self):
        """The tour of the user's Réemploi role comes first: Odoo proposes
        the tours by sequence, and the apps' tours (Sales…) would otherwise
        be offered to an operator before the one of their job."""
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
        return super().get_current_tour()
