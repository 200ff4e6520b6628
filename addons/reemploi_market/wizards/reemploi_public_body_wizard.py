from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class ReemploiPublicBodyWizard(models.TransientModel):
    """The coordinator flags the organisations that are public bodies (State
    services, local authorities, public institutions): the AGEC law sets
    them reuse targets, and only they get AGEC indicators."""

    _name = "reemploi.public.body.wizard"
    _description = "Flag organisations as public bodies"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Organisations",
        domain=[("is_company", "=", True), ("is_public_body", "=", False)],
        help="City, metropolis, hospital, university, State service... "
        "whose AGEC indicators you follow.",
    )
    public_body_ids = fields.Many2many(
        "res.partner",
        string="Already public bodies",
        compute="_compute_public_body_ids",
    )

    @api.depends("partner_ids")
    def _compute_public_body_ids(self):
        bodies = self.env["res.partner"].search(
            [("is_company", "=", True), ("is_public_body", "=", True)]
        )
        for wizard in self:
            wizard.public_body_ids = bodies

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("reemploi_asset.group_reemploi_coordinator"):
            raise AccessError(
                self.env._("Only the territory coordinator flags public bodies.")
            )
        if not self.partner_ids:
            raise UserError(
                self.env._(
                    "Choose the organisations to flag as public bodies: a city, "
                    "a metropolis, a hospital, a university or a State service."
                )
            )
        people = self.partner_ids.filtered(lambda partner: not partner.is_company)
        if people:
            raise UserError(
                self.env._(
                    "%(names)s is a person, not an organisation: only "
                    "organisations are public bodies.",
                    names=", ".join(people.mapped("display_name")),
                )
            )
        # sudo: coordinators keep the territory's shared standards but do not
        # manage contacts; only the public-body flag of the organisations the
        # coordinator chose (checked just above) is written
        self.partner_ids.sudo().write({"is_public_body": True})
        return {"type": "ir.actions.act_window_close"}
