from odoo import api, fields, models


class ReemploiRenewalPolicy(models.Model):
    """A donor's own renewal period for a category (e.g. laptops: 4 years)."""

    _name = "reemploi.renewal.policy"
    _description = "Renewal policy of a donor"
    _order = "owner_id, category_id"

    owner_id = fields.Many2one("res.partner", string="Donor", required=True, index=True)
    category_id = fields.Many2one("reemploi.equipment.category", required=True)
    years = fields.Float(string="Renewal after (years)", required=True, default=5.0)

    _sql_constraints = [
        (
            "policy_unique",
            "unique(owner_id, category_id)",
            "A donor has one renewal policy per category.",
        ),
        ("years_positive", "CHECK(years > 0)", "The renewal period must be positive."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        self._recompute_devices(policies._devices())
        return policies

    def write(self, vals):
        affected = self._devices()
        result = super().write(vals)
        self._recompute_devices(affected | self._devices())
        return result

    def unlink(self):
        affected = self._devices()
        result = super().unlink()
        self._recompute_devices(affected)
        return result

    def _devices(self):
        """The devices a policy covers."""
        # sudo: the expected end of use is derived data; the devices are only
        # marked for recomputation, nothing a user chose is changed
        Equipment = (
            self.env["reemploi.equipment"].sudo().with_context(active_test=False)
        )
        devices = Equipment
        for policy in self:
            devices |= Equipment.search(
                [
                    ("owner_id", "child_of", policy.owner_id.id),
                    ("category_id", "=", policy.category_id.id),
                ]
            )
        return devices

    @api.model
    def _recompute_devices(self, devices):
        if devices:
            self.env.add_to_compute(devices._fields["expected_end_date"], devices)
