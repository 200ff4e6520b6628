from odoo import api, models
from odoo.exceptions import UserError


class ReemploiCorrectionMixin(models.AbstractModel):
    """What the administrator's correction forms of devices and lots share
    (reemploi.equipment.correction here, reemploi.lot.correction in
    reemploi_market): they start empty and pass what was filled to the
    records' ``action_admin_correct``, which checks the rights and logs the
    reason.

    A form that inherits it names the many2many of the records it corrects
    (``_corrected_records``), the fields a correction may change
    (``_corrected``), has a ``reason`` and says what to choose when nothing
    is (``_nothing_chosen_message()``)."""

    _name = "reemploi.correction.mixin"
    _description = "Administrator correction form"
    _corrected_records = ""
    _corrected = ()

    @api.model
    def default_get(self, fields_list):
        """Without the defaults of the list or form the correction is opened
        from (default_company_id...: not corrections), with the records it is
        opened on."""
        values = super().default_get(fields_list)
        for name in self._corrected:
            values.pop(name, None)
        context = self.env.context
        field = self._corrected_records
        model = self._fields[field].comodel_name
        if context.get("active_model") == model and field in fields_list:
            values[field] = [(6, 0, context.get("active_ids") or [])]
        return values

    def _correction_values(self):
        """The corrections filled in the form: {field: value} (ids for
        many2one fields), the empty ones left out."""
        return {
            name: self[name].id if self._fields[name].type == "many2one" else self[name]
            for name in self._corrected
            if self[name]
        }

    def _nothing_chosen_message(self):
        raise NotImplementedError

    def action_apply(self):
        self.ensure_one()
        values = self._correction_values()
        if not values:
            raise UserError(self._nothing_chosen_message())
        self[self._corrected_records].action_admin_correct(values, self.reason)
        return {"type": "ir.actions.act_window_close"}
