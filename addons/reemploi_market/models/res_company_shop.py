from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    reemploi_waste_compensation = fields.Boolean(
        string="Waste compensation",
        help="For each device sold on the shop, collect and recycle one "
        "scrap device; a compensation is recorded at each sale.",
    )

    def _reemploi_warehouse(self):
        """The operator's warehouse, created the first time it is needed:
        Odoo creates one for the database's first company only, and an
        operator added later in Settings has none until then."""
        self.ensure_one()
        Warehouse = self.env["stock.warehouse"].sudo()
        warehouse = Warehouse.search([("company_id", "=", self.id)], limit=1)
        if warehouse:
            return warehouse
        stem = "".join(ch for ch in (self.name or "").upper() if ch.isalnum())[:4] or "WH"
        # archived ones keep their code and name, unique in the company
        archived = Warehouse.with_context(active_test=False).search(
            [("company_id", "=", self.id)]
        )
        taken = set(archived.mapped("code"))
        code = next(
            candidate
            for candidate in (stem, *(f"{stem}{n}" for n in range(1, 100)))
            if candidate not in taken
        )
        name = self.name
        if name in archived.mapped("name"):
            name = f"{self.name} ({code})"
        return Warehouse.create(
            {
                "name": name,
                "code": code,
                "company_id": self.id,
                "partner_id": self.partner_id.id,
            }
        )
