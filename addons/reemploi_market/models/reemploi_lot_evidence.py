from odoo import api, models
from odoo.exceptions import UserError


class ReemploiLotEvidence(models.AbstractModel):
    """What the pickup and the check-in of a lot share: each is evidence of
    what was handed over. Only its own validation writes its validation
    fields; once validated ("done") it never changes again; its screen
    addresses its lines by id.

    A model that inherits it has ``state`` ("draft" / "done") and
    ``line_ids``, and says in its own words why a change is refused
    (``_check_validation_fields()``, ``_frozen_message()``,
    ``_foreign_line_message()``).
    """

    _name = "reemploi.lot.evidence"
    _description = "Evidence of a lot's hand-over"

    def write(self, vals):
        self._check_draft()
        self._check_validation_fields(vals)
        return super().write(vals)

    def _write_evidence(self, vals):
        """The workflow's own write (validation, snapshot, receipt, photos),
        past the guards of write()."""
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        self._check_draft()

    def _check_validation_fields(self, vals):
        """Refuse ``vals`` that write what only the validation writes."""
        raise NotImplementedError

    def _check_draft(self):
        """A validated record is evidence: it never changes again."""
        done = self.filtered(lambda record: record.state == "done")
        if done:
            raise UserError(done[0]._frozen_message())

    def _frozen_message(self):
        raise NotImplementedError

    def _line(self, line_id):
        """The line ``line_id`` of this record, refused if it is another's."""
        line = self.line_ids.filtered(lambda line: line.id == line_id)
        if not line:
            raise UserError(self._foreign_line_message())
        return line

    def _foreign_line_message(self):
        raise NotImplementedError


class ReemploiLotEvidenceLine(models.AbstractModel):
    """A line of a lot's evidence (pickup or check-in): it changes only while
    its evidence is a draft, and a line the donor declared (a device or a
    quantity) is never removed: it stays, handed over or missing.

    A model that inherits it has ``kind`` and ``label``, gives its evidence
    (``_evidence()``) and its words (``_declared_line_message()``), and may
    guard its writes further (``_check_line_write()``).
    """

    _name = "reemploi.lot.evidence.line"
    _description = "Line of the evidence of a lot's hand-over"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_line_write()
        lines = super().create(vals_list)
        lines._evidence()._check_draft()
        return lines

    def write(self, vals):
        self._evidence()._check_draft()
        self._check_line_write()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_declared(self):
        self._evidence()._check_draft()
        declared = self.filtered(lambda line: line.kind in ("device", "count"))
        if declared:
            raise UserError(declared[0]._declared_line_message())

    def _evidence(self):
        """The pickup or check-in of these lines."""
        raise NotImplementedError

    def _check_line_write(self):
        """Refuse a write that only the evidence's own methods make."""

    def _declared_line_message(self):
        """Why this line, declared by the donor, is not removed."""
        raise NotImplementedError
