from odoo import models

from ..services import scoring


class GamificationGoal(models.Model):
    _inherit = "gamification.goal"

    def _reemploi_domain(self):
        """Domain of reemploi.received.device for this goal: its user or the
        user's organisation, over the goal's period. A goal without an end
        (a badge's challenge) counts everything ever received: Odoo gives
        such goals the day they were created as start."""
        self.ensure_one()
        Devices = self.env["reemploi.received.device"]
        domain = Devices._scope_domain(self.user_id, self.definition_id.reemploi_scope)
        if self.end_date:
            domain += Devices._period_domain(self.start_date, self.end_date)
        return domain

    def _reemploi_value(self):
        """Current value of a goal whose definition has a reuse measure
        (called by the definition's Python code, see COMPUTE_CODE)."""
        self.ensure_one()
        definition = self.definition_id
        Devices = self.env["reemploi.received.device"]
        figures = Devices._figures(self._reemploi_domain())
        value = scoring.measure(definition.reemploi_measure, figures)
        if definition.reemploi_per_employee:
            # sudo: the headcount of the goal user's own organisation
            employees = (
                self.user_id.commercial_partner_id.sudo().reemploi_employee_count
            )
            value = scoring.per_employees(value, employees) or 0.0
        return value

    def _get_write_values(self, new_value):
        """A reached goal whose value falls back under its target (a lot
        turned out empty, a device went missing) is in progress again."""
        result = super()._get_write_values(new_value)
        if (
            self.definition_id.reemploi_measure
            and self.state == "reached"
            and self.definition_id.condition == "higher"
            and new_value < self.target_goal
        ):
            result.setdefault(self, {})["state"] = "inprogress"
        return result
