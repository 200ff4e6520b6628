from odoo import models


class ReemploiAssociation(models.Model):
    _inherit = "reemploi.association"

    def _reemploi_handover_lines(self, include_handed_over=False):
        """The confirmed order lines (sudo) that sold a device to this
        association and, unless ``include_handed_over``, whose device is not
        handed over yet."""
        self.ensure_one()
        # sudo: the association's own confirmed orders, read to list the
        # devices it received; only these lines are returned
        lines = (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [
                    ("state", "=", "sale"),
                    ("reemploi_equipment_id", "!=", False),
                    (
                        "order_id.partner_id.commercial_partner_id",
                        "=",
                        self.partner_id.id,
                    ),
                ],
                order="id",
            )
        )
        if include_handed_over:
            return lines
        done = (
            self.env["reemploi.handover"]
            .sudo()
            .search([("equipment_id", "in", lines.reemploi_equipment_id.ids)])
        )
        handed_over = set(done.equipment_id.ids)
        return lines.filtered(
            lambda line: line.reemploi_equipment_id.id not in handed_over
        )
