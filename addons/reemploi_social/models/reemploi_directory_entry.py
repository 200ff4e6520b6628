from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.reemploi_market.models.reemploi_directory_entry import HTML_RE


class ReemploiDirectoryEntry(models.Model):
    """The associations in the directory: whom they equip and where. The
    needs and communes they serve are those of their accreditation (kept by
    the coordinator); the association adds a few words of its own."""

    _inherit = "reemploi.directory.entry"

    kind = fields.Selection(
        selection_add=[("association", "Association")],
        ondelete={"association": "cascade"},
    )
    association_id = fields.Many2one(
        "reemploi.association", compute="_compute_association_id"
    )
    audience = fields.Text(
        string="Whom we equip",
        help="The people the association equips, e.g. job seekers, students, "
        "elderly people.",
    )
    need_category_ids = fields.Many2many(
        "reemploi.need.category",
        compute="_compute_association_id",
        string="Needs served",
    )
    commune_ids = fields.Many2many(
        "reemploi.commune", compute="_compute_association_id", string="Communes served"
    )

    @api.depends("partner_id", "kind")
    def _compute_association_id(self):
        # sudo: the accreditation's needs and communes are shown publicly
        # with the association's approved entry
        associations = (
            self.env["reemploi.association"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids)])
        )
        by_partner = {a.partner_id.id: a for a in associations}
        for entry in self:
            association = (
                by_partner.get(entry.partner_id.id)
                if entry.kind == "association"
                else associations.browse()
            ) or associations.browse()
            entry.association_id = association
            entry.need_category_ids = association.need_category_ids
            entry.commune_ids = association.commune_ids

    @api.constrains("kind", "partner_id")
    def _check_association_accredited(self):
        for entry in self.filtered(lambda e: e.kind == "association"):
            if not entry.sudo().association_id:
                raise ValidationError(
                    self.env._(
                        "%(name)s is not an association of the network: only "
                        "accredited associations appear as associations in the "
                        "directory.",
                        name=entry.partner_id.display_name,
                    )
                )

    @api.constrains("audience")
    def _check_audience_plain_text(self):
        for entry in self:
            if entry.audience and HTML_RE.search(entry.audience):
                raise ValidationError(
                    self.env._(
                        "The field “Whom we equip” of %(name)s contains HTML: "
                        "write plain text, without tags.",
                        name=entry.name,
                    )
                )
