from odoo import fields, models


class ReemploiNeedCategory(models.Model):
    """Why people need a device (job search, schooling, access to rights…):
    the only thing recorded about a beneficiary's situation, and the weight
    it gives an association's requests when scarce devices are shared."""

    _name = "reemploi.need.category"
    _description = "Category of need"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    weight = fields.Float(
        default=1.0,
        required=True,
        digits=(16, 2),
        help="Priority given to the requests of associations serving this need "
        "when devices are scarce: 1.0 is the reference, 1.5 weighs half as much "
        "again.",
    )
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of a category of need is unique."),
        ("weight_positive", "CHECK(weight > 0)", "A weight is greater than 0."),
    ]
