from odoo import api, fields, models
from odoo.osv import expression

from ..services import forecast, lifecycle
from .download import XlsxBook
from .reemploi_equipment_tally_read_mixin import TALLY_FIELDS
from .reemploi_tally_mixin import tally_rules


class ReemploiEquipmentForecastMixin(models.AbstractModel):
    """Devices expected to reach the reuse sector per quarter (expected end of
    use), on screen and as a workbook.
    Inherited by ``reemploi.equipment`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.equipment.forecast.mixin"
    _description = "Equipment: supply forecast"

    @api.model
    def _forecast_domain(self, start, years=3):
        return [
            ("state", "in", sorted(lifecycle.OWNER_STATES)),
            ("expected_end_date", "!=", False),
            ("expected_end_date", "<=", forecast.horizon_end(start, years)),
        ]

    @api.model
    def _forecast(self, start=None, years=3, by_owner=True):
        """Devices expected per quarter, by category (and donor), among the
        devices the user may read. Return (quarters, keys, counts)."""
        start = start or fields.Date.context_today(self)
        # by month: the forecast counts by quarter, and the window ends with
        # a quarter
        groupby = ["expected_end_date:month", "category_id"]
        if by_owner:
            groupby.append("owner_id")
        domain = self._forecast_domain(start, years)
        rules = (
            None
            if by_owner
            else tally_rules(self.env, self._name, {"category_id", "state", "active"})
        )
        if rules is None or not self.has_access("read"):
            rows = self._read_group(domain, groupby, ["__count"])
        else:
            # the devices in use of the whole territory: the kept counts
            # by expected end, without reading every device in use
            self.flush_model(TALLY_FIELDS)
            tally_domain = [
                ("expected_end_month" if leaf[0] == "expected_end_date" else leaf[0],)
                + tuple(leaf[1:])
                for leaf in domain
            ]
            # sudo: the user reads every device (no record rule compares
            # another field than the tally's, and they are added)
            rows = (
                self.env["reemploi.equipment.forecast.tally"]
                .sudo()
                ._read_group(
                    expression.AND([tally_domain, rules]),
                    ["expected_end_month:month", "category_id"],
                    ["device_count:sum"],
                    having=[("device_count:sum", ">", 0)],
                )
            )
        items = []
        for row in rows:
            date, category = row[0], row[1]
            owner = row[2] if by_owner else self.env["res.partner"]
            key = (category.name or "", owner.commercial_partner_id.name or "")
            items.append((date, key, row[-1]))
        return forecast.matrix(items, start, years)

    @api.model
    def _forecast_xlsx(self, start=None, years=3, by_owner=True):
        """The forecast as an XLSX workbook (bytes)."""
        window, keys, counts = self._forecast(start, years, by_owner)
        titles = [self.env._("Category")]
        if by_owner:
            titles.append(self.env._("Donor"))
        titles += [forecast.quarter_label(q) for q in window] + [self.env._("Total")]
        book = XlsxBook()
        bold = book.bold
        sheet = book.sheet(self.env._("Forecast"), titles)
        offset = len(titles) - len(window) - 1
        for line, key in enumerate(sorted(keys), start=1):
            sheet.write_string(line, 0, key[0])
            if by_owner:
                sheet.write_string(line, 1, key[1])
            total = 0
            for column, quarter in enumerate(window, start=offset):
                count = counts.get((quarter, key), 0)
                total += count
                sheet.write_number(line, column, count)
            sheet.write_number(line, offset + len(window), total, bold)
        sheet.set_column(0, offset - 1, 28)
        return book.data()
