from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL


class ReemploiHandover(models.Model):
    """The anonymous proof that an association handed a device over to a
    person: no name, no address, no signature; the association confirms,
    and only the category of need, the commune and the date are kept."""

    _name = "reemploi.handover"
    _description = "Device hand-over"
    _order = "date desc, id desc"

    association_id = fields.Many2one(
        "reemploi.association",
        required=True,
        ondelete="restrict",
        index=True,
        readonly=True,
    )
    equipment_id = fields.Many2one(
        "reemploi.equipment",
        string="Device",
        ondelete="restrict",
        readonly=True,
        index="btree_not_null",
        help="Removed when the hand-over is anonymised: a serial number could "
        "lead to the person.",
    )
    category_id = fields.Many2one(
        "reemploi.equipment.category",
        string="Equipment category",
        required=True,
        readonly=True,
        ondelete="restrict",
    )
    date = fields.Date(
        required=True, readonly=True, default=fields.Date.context_today, index=True
    )
    need_category_id = fields.Many2one(
        "reemploi.need.category",
        string="Category of need",
        required=True,
        ondelete="restrict",
    )
    commune_id = fields.Many2one(
        "reemploi.commune", string="Commune", required=True, ondelete="restrict"
    )
    voucher_id = fields.Many2one(
        "reemploi.voucher",
        string="Voucher",
        readonly=True,
        ondelete="set null",
        help="The referral voucher the device was bought with, if any.",
    )
    confirmed_by_id = fields.Many2one(
        "res.users",
        string="Confirmed by",
        readonly=True,
        ondelete="set null",
        default=lambda self: self.env.user,
    )
    state = fields.Selection(
        [("confirmed", "Confirmed"), ("anonymised", "Anonymised")],
        required=True,
        readonly=True,
        default="confirmed",
    )

    _sql_constraints = [
        (
            "equipment_unique",
            "unique(equipment_id)",
            "This device was already handed over.",
        ),
    ]

    @api.depends("category_id", "date", "commune_id")
    def _compute_display_name(self):
        for handover in self:
            handover.display_name = self.env._(
                "%(category)s, %(commune)s, %(date)s",
                category=handover.category_id.name or "",
                commune=handover.commune_id.name or "",
                date=handover.date and handover.date.strftime("%m/%Y") or "",
            )

    @api.constrains("equipment_id", "association_id")
    def _check_equipment_of_association(self):
        for handover in self.filtered("equipment_id"):
            lines = handover.association_id._reemploi_handover_lines(
                include_handed_over=True
            )
            if handover.equipment_id not in lines.reemploi_equipment_id:
                raise ValidationError(
                    self.env._(
                        "%(device)s was not sold to %(association)s by a "
                        "confirmed order: it cannot be handed over by it.",
                        # sudo: the device's name only, for the message
                        device=handover.equipment_id.sudo().display_name,
                        association=handover.association_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _confirm_handover(self, line, need_category, commune, confirmed):
        """The current user's association confirms it handed over the
        device of the order line ``line``."""
        association = self.env["reemploi.association"]._for_partner(
            self.env.user.partner_id
        )
        if not association or not self.env.user.has_group(
            "reemploi_social.group_reemploi_association"
        ):
            raise AccessError(
                self.env._("Only the users of an association confirm hand-overs.")
            )
        if not confirmed:
            raise UserError(
                self.env._(
                    "Tick « I confirm the device was handed over » to record the "
                    "hand-over."
                )
            )
        if not need_category or not commune:
            raise UserError(
                self.env._(
                    "Choose the category of need and the commune: nothing else "
                    "about the person is asked."
                )
            )
        pending = association._reemploi_handover_lines()
        if line not in pending:
            raise UserError(
                self.env._(
                    "This device is not waiting to be handed over by %(association)s.",
                    association=association.name,
                )
            )
        line = line.sudo()
        # sudo: associations only read their hand-overs; the device and the
        # association are the ones checked above
        return (
            self.sudo()
            .create(
                {
                    "association_id": association.id,
                    "equipment_id": line.reemploi_equipment_id.id,
                    "category_id": line.reemploi_equipment_id.category_id.id,
                    "need_category_id": need_category.id,
                    "commune_id": commune.id,
                    "voucher_id": line.reemploi_voucher_id.id,
                    "confirmed_by_id": self.env.user.id,
                }
            )
            .sudo(False)
        )

    def _anonymise(self):
        """Keep the association, the categories, the commune and the month;
        remove the device (its serial number could lead to the person) and
        the users. One statement for the whole batch."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE reemploi_handover
                   SET state = 'anonymised',
                       equipment_id = NULL,
                       confirmed_by_id = NULL,
                       date = date_trunc('month', date)::date,
                       create_uid = NULL,
                       write_uid = NULL,
                       write_date = (now() at time zone 'UTC')
                 WHERE id IN %(ids)s
                """,
                ids=tuple(self.ids),
            )
        )
        self.invalidate_recordset()
