import base64
import io

import qrcode

from odoo import models


class ReemploiEquipmentLabelMixin(models.AbstractModel):
    """The device's QR label (sheet of labels) and what its public traceability
    page shows.
    Inherited by ``reemploi.equipment`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.equipment.label.mixin"
    _description = "Equipment: QR label and public page"

    def _qr_code_png(self, box_size=6):
        self.ensure_one()
        qr = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M,
            box_size=box_size,
            border=2,
        )
        qr.add_data(self.traceability_url)
        qr.make(fit=True)
        buffer = io.BytesIO()
        qr.make_image().save(buffer, format="PNG")
        return buffer.getvalue()

    def _label_sheet_pages(self, rows, columns):
        """Split the devices into pages of rows of labels for the A4 sheet."""
        per_page = rows * columns
        return [
            [
                self[start + offset : start + offset + columns]
                for offset in range(0, min(per_page, len(self) - start), columns)
            ]
            for start in range(0, len(self), per_page)
        ]

    def _qr_code_data_uri(self):
        return "data:image/png;base64," + base64.b64encode(self._qr_code_png()).decode()

    def _public_traceability_values(self):
        """Values shown on the public page: no donor data, no person's name."""
        self.ensure_one()
        labels = self._state_labels()
        steps = []
        for event in self.custody_event_ids.sorted("sequence"):
            if event.event_type == "state" or event.sequence == 1:
                steps.append(
                    {
                        "state": labels.get(event.to_state, event.to_state or ""),
                        "date": event.date.date(),
                    }
                )
        return {
            "category": self.category_id.name,
            "manufacturer": self.manufacturer or "",
            "model": self.model or "",
            "grade": self.grade_id.code or "",
            "grade_name": self.grade_id.name or "",
            "state": labels[self.state],
            "steps": steps,
            "has_data_medium": self.has_data_medium,
            "erasure_verified": self.erasure_verified,
            "co2e_avoided_kg": self.co2e_avoided_kg,
            "co2e_potential_kg": self.category_id.co2e_kg,
        }

    def _public_custody_values(self):
        """What the public page shows of the custody chain: the proof of the
        device against the latest published root (None while no root holds
        it, see reemploi.custody.root._proofs) and the number, date and hash
        of each event, oldest first. Hashes, numbers and dates only: nothing
        about anyone."""
        self.ensure_one()
        Root = self.env["reemploi.custody.root"]
        return {
            "proof": Root._latest_proofs(self).get(self.id),
            "chain": [
                {"sequence": event.sequence, "date": event.date, "hash": event.hash}
                for event in self.custody_event_ids.sorted("sequence")
            ],
        }
