from odoo import api, models


class ReemploiCategoryPeriod(models.AbstractModel):
    """A category of devices over a period of days, named after both
    ("Ordinateur portable, 01/01/2027 – 31/03/2027"): a quota, an allocation
    run. A model that inherits it has ``name`` computed by
    ``_compute_name``, ``category_id``, ``date_from`` and ``date_to``."""

    _name = "reemploi.category.period"
    _description = "Category of devices over a period"

    @api.depends("category_id", "date_from", "date_to")
    def _compute_name(self):
        for record in self:
            record.name = self.env._(
                "%(category)s, %(start)s – %(end)s",
                category=record.category_id.name or "",
                start=record.date_from and record.date_from.strftime("%d/%m/%Y") or "",
                end=record.date_to and record.date_to.strftime("%d/%m/%Y") or "",
            )
