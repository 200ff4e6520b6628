from odoo import api, models
from odoo.exceptions import UserError

from ..services import lifecycle
from .labels import state_word


class ReemploiEquipmentBenchMixin(models.AbstractModel):
    """The grading bench: a scanned label opens the device's new grading."""

    _name = "reemploi.equipment.bench.mixin"
    _description = "Equipment: grading bench"

    @api.model
    def action_bench_scan(self, code):
        """The action opening a new grading of the device of ``code`` (its
        QR label's address, serial number or asset tag), among the devices
        of the user's companies; a :class:`UserError` saying what to do when
        no device, or several, or one not on the bench, answers to it."""
        code = (code or "").strip()
        if not code:
            raise UserError(
                self.env._("Scan the label of the device, or type its serial number.")
            )
        # the check-in's and the erasure queue's reading of a scan
        devices = self._find_by_scan(code)
        if not devices:
            raise UserError(
                self.env._(
                    "No device of %(company)s answers to “%(code)s”: check the "
                    "label, or receive the device with its lot first.",
                    company=self.env.company.name,
                    code=code,
                )
            )
        if len(devices) > 1:
            raise UserError(
                self.env._(
                    "Several devices answer to “%(code)s”: scan the QR label of "
                    "the device instead.",
                    code=code,
                )
            )
        if devices.state not in lifecycle.BENCH_STATES:
            raise UserError(
                self.env._(
                    "%(device)s is %(state)s: only a device received at the "
                    "workshop is graded.",
                    device=devices.display_name,
                    state=state_word(devices),
                )
            )
        # called by the bench's field, not a button: the web client's
        # button path (clean_action) would add the views
        action = devices.action_new_grading()
        return dict(
            action,
            views=[(False, "form")],
            # the grading's last button brings the bench back (reemploi_market)
            context=dict(action["context"], reemploi_bench=True),
        )
