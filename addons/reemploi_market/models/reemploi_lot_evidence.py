from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.reemploi_asset.services import lifecycle

from ..services import collection

# What a line of a pickup or a check-in stands for.
LINE_KIND_SELECTION = [
    ("device", "Declared device"),
    ("count", "Declared quantity"),
    ("extra", "Not declared"),
    ("unknown", "Unknown code"),
]


class ReemploiLotEvidence(models.AbstractModel):
    """What the pickup and the check-in of a lot share: each is evidence of
    what was handed over. Only its own validation writes its validation
    fields; once validated ("done") it never changes again; its screen
    addresses its lines by id.

    A model that inherits it has ``state`` ("draft" / "done"), ``lot_id``
    and ``line_ids``; gives the lines of what the donor declared
    (``_expected_line_values()``) and the quantity of a line a scan adds
    (``_scanned_quantity()``); and says in its own words why a change is
    refused (``_check_validation_fields()``, ``_frozen_message()``,
    ``_foreign_line_message()``).
    """

    _name = "reemploi.lot.evidence"
    _description = "Evidence of a lot's hand-over"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_validation_fields(vals)
        records = super().create(vals_list)
        # the expected lines: what the donor declared
        self._lines().create(
            [vals for record in records for vals in record._expected_line_values()]
        )
        return records

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

    def _expected_line_values(self):
        """The values of the lines of what the donor declared."""
        raise NotImplementedError

    def _lines(self, lines=None):
        """``lines``, or the lines' model, as the record's own methods write
        them."""
        return (
            self.env[self._fields["line_ids"].comodel_name] if lines is None else lines
        )

    def _add_line(self, kind, **values):
        """A line that a scan adds (an extra device, an unknown code), after
        the declared ones."""
        return self._lines().create(
            dict(
                values,
                **{self._fields["line_ids"].inverse_name: self.id},
                kind=kind,
                sequence=1000,
                scan_date=fields.Datetime.now(),
                **self._scanned_quantity(kind),
            )
        )

    def _add_extra_device(self, device, code):
        """The line of ``device``, of the donor's register, scanned (as
        ``code``) without being declared."""
        return self._add_line(
            "extra",
            code=code,
            equipment_id=device.id,
            category_id=device.category_id.id,
            label=device.display_name,
        )

    def _scanned_quantity(self, kind):
        """{quantity field: value} of a line of ``kind`` added by a scan."""
        raise NotImplementedError

    def _line(self, line_id):
        """The line ``line_id`` of this record, refused if it is another's."""
        line = self.line_ids.filtered(lambda line: line.id == line_id)
        if not line:
            raise UserError(self._foreign_line_message())
        return line

    def _foreign_line_message(self):
        raise NotImplementedError

    def _parse_scan(self, code):
        """``(kind, value)`` of a code scanned or typed on the screen
        (services.collection.parse_scan), refused when there is none."""
        kind, value = collection.parse_scan(code)
        if not kind:
            raise UserError(self.env._("Scan a QR label or type a serial number."))
        return kind, value

    def _take_undeclared_devices(self, devices, note, document_ref):
        """Devices of the donor's register handed over undeclared, checked
        by the caller to be this lot's donor's: the operator takes custody of
        them in this lot."""
        if not devices:
            return
        lot = self.lot_id
        # sudo: the operator takes custody of devices the caller checked, as
        # of the lot's declared devices
        devices = devices.sudo()
        devices.write({"company_id": lot.company_id.id, "reemploi_lot_id": lot.id})
        devices._log_custody("transfer", note=note, document_ref=document_ref)
        devices.filtered(lambda d: d.state in lifecycle.OWNER_STATES)._transition(
            lifecycle.DECLARED,
            note=self.env._("Came undeclared with lot %(lot)s", lot=lot.name),
            document_ref=lot.name,
        )


class ReemploiLotEvidenceLine(models.AbstractModel):
    """A line of a lot's evidence (pickup or check-in): it changes only while
    its evidence is a draft, and a line the donor declared (a device or a
    quantity) is never removed: it stays, handed over or missing.

    A model that inherits it has ``category_id`` and ``status``, gives its
    evidence (``_evidence()``) and its words (``_declared_line_message()``),
    and may guard its writes further (``_check_line_write()``).
    """

    _name = "reemploi.lot.evidence.line"
    _description = "Line of the evidence of a lot's hand-over"

    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        LINE_KIND_SELECTION, string="Type", required=True, readonly=True
    )
    equipment_id = fields.Many2one(
        "reemploi.equipment", string="Device", readonly=True, index="btree_not_null"
    )
    label = fields.Char(string="Description", readonly=True)
    code = fields.Char(string="Scanned code", readonly=True)
    expected_qty = fields.Integer(string="Expected", readonly=True)
    scan_date = fields.Datetime(string="Scanned on", readonly=True)

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

    def _screen_values(self, labels):
        """The line as its screen shows it; ``labels`` are the statuses'."""
        self.ensure_one()
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label or self.code or "",
            "code": self.code or "",
            "category": self.category_id.name or "",
            "expected": self.expected_qty,
            "status": self.status,
            "status_label": labels[self.status],
        }
