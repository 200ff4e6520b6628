from markupsafe import Markup

from odoo import models


class GamificationBadgeUser(models.Model):
    _inherit = "gamification.badge.user"

    def _send_badge(self):
        """Odoo e-mails the badge to its user; a reuse badge is also
        announced in the chatter of the user's organisation, once per
        organisation and badge of the batch."""
        result = super()._send_badge()
        Challenge = self.env["gamification.challenge"]
        announced = {}
        for badge_user in self.filtered("badge_id.reemploi_badge"):
            organisation = Challenge._reemploi_organisation(badge_user.user_id)
            if organisation:
                announced.setdefault((organisation, badge_user.badge_id), []).append(
                    badge_user.user_id
                )
        for (organisation, badge), users in announced.items():
            body = Markup("<p>%s</p>") % self.env._(
                "%(organisation)s earned the badge %(badge)s (granted to %(users)s).",
                organisation=organisation.display_name,
                badge=badge.name,
                users=", ".join(user.name for user in users),
            )
            # sudo: the organisation's chatter belongs to the coordinators;
            # the badge is announced there by the challenge that granted it
            organisation.sudo().message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return result
