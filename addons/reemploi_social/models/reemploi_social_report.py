from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.reemploi_asset.models.download import XlsxBook

from ..services import social_report

# rows of the view: a device sold or given to an association, or an
# anonymised hand-over (its device is no longer known)
KIND_SELECTION = [
    ("device", "Device"),
    ("anonymised_handover", "Anonymised hand-over"),
]


class ReemploiSocialReport(models.Model):
    """Devices sold or given to associations at solidarity conditions, for
    the territory's dashboards and the metropolis' report.

    One row per device of a confirmed solidarity order line (the order
    holds the association since its confirmation). The commune is the one
    of the device's hand-over to a person when there is one, else the
    commune the association serves with the smallest INSEE code (empty when
    it serves none). Once a hand-over is anonymised (GDPR retention), its
    device is no longer known: the device's row counts no person any more
    and the hand-over gets its own row (no device, one person reached, no
    operator), so the people reached stay counted over the years.
    """

    _name = "reemploi.social.report"
    _inherit = ["reemploi.sql.view.mixin"]
    _description = "Solidarity devices"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "equipment_id"

    kind = fields.Selection(KIND_SELECTION, readonly=True)
    date = fields.Date(
        readonly=True,
        help="Day the association's order was confirmed (UTC); for an "
        "anonymised hand-over, the first day of its month.",
    )
    month = fields.Date(readonly=True, help="First day of the month of the date.")
    order_id = fields.Many2one("sale.order", string="Order", readonly=True)
    equipment_id = fields.Many2one("reemploi.equipment", string="Device", readonly=True)
    association_id = fields.Many2one(
        "reemploi.association", string="Association", readonly=True
    )
    commune_id = fields.Many2one("reemploi.commune", string="Commune", readonly=True)
    category_id = fields.Many2one(
        "reemploi.equipment.category", string="Category", readonly=True
    )
    need_category_id = fields.Many2one(
        "reemploi.need.category", string="Category of need", readonly=True
    )
    company_id = fields.Many2one("res.company", string="Operator", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(
        string="Amount paid", readonly=True, currency_field="currency_id"
    )
    given = fields.Boolean(
        readonly=True, help="The device was given: its order line costs nothing."
    )
    given_count = fields.Integer(string="Devices given", readonly=True)
    devices = fields.Integer(readonly=True)
    people_reached = fields.Integer(
        readonly=True,
        help="1 when the association confirmed it handed the device over to a person.",
    )
    co2e_kg = fields.Float(string="CO2e avoided (kg)", readonly=True, digits=(16, 1))
    weight_kg = fields.Float(string="Weight (kg)", readonly=True, digits=(16, 2))

    def _query(self):
        communes = self.env["reemploi.association"]._fields["commune_ids"]
        return SQL(
            """
            SELECT l.id * 2 AS id,
                   'device' AS kind,
                   so.date_order::date AS date,
                   date_trunc('month', so.date_order)::date AS month,
                   so.id AS order_id,
                   e.id AS equipment_id,
                   so.reemploi_association_id AS association_id,
                   COALESCE(h.commune_id, (
                       SELECT c.id
                         FROM %(rel)s r
                         JOIN reemploi_commune c ON c.id = r.%(commune_col)s
                        WHERE r.%(association_col)s = so.reemploi_association_id
                     ORDER BY c.insee_code, c.id
                        LIMIT 1
                   )) AS commune_id,
                   cat.id AS category_id,
                   h.need_category_id AS need_category_id,
                   so.company_id AS company_id,
                   l.currency_id AS currency_id,
                   COALESCE(l.price_subtotal, 0.0) AS amount,
                   COALESCE(l.price_subtotal, 0.0) = 0.0 AS given,
                   CASE WHEN COALESCE(l.price_subtotal, 0.0) = 0.0
                        THEN 1 ELSE 0 END AS given_count,
                   1 AS devices,
                   CASE WHEN h.id IS NULL THEN 0 ELSE 1 END AS people_reached,
                   COALESCE(cat.co2e_kg, 0.0) AS co2e_kg,
                   COALESCE(cat.weight_kg, 0.0) AS weight_kg
              FROM sale_order_line l
              JOIN sale_order so ON so.id = l.order_id
              JOIN reemploi_equipment e ON e.id = l.reemploi_equipment_id
         LEFT JOIN reemploi_equipment_category cat ON cat.id = e.category_id
         LEFT JOIN reemploi_handover h
                ON h.equipment_id = e.id
               AND h.association_id = so.reemploi_association_id
             WHERE so.state = 'sale'
               AND so.reemploi_association_id IS NOT NULL
         UNION ALL
            SELECT h.id * 2 + 1 AS id,
                   'anonymised_handover' AS kind,
                   h.date AS date,
                   date_trunc('month', h.date)::date AS month,
                   NULL AS order_id,
                   NULL AS equipment_id,
                   h.association_id AS association_id,
                   h.commune_id AS commune_id,
                   h.category_id AS category_id,
                   h.need_category_id AS need_category_id,
                   NULL AS company_id,
                   NULL AS currency_id,
                   0.0 AS amount,
                   FALSE AS given,
                   0 AS given_count,
                   0 AS devices,
                   1 AS people_reached,
                   0.0 AS co2e_kg,
                   0.0 AS weight_kg
              FROM reemploi_handover h
             WHERE h.equipment_id IS NULL
            """,
            rel=SQL.identifier(communes.relation),
            commune_col=SQL.identifier(communes.column2),
            association_col=SQL.identifier(communes.column1),
        )

    # ------------------------------------------------------------------
    # The metropolis' report (PDF and XLSX)
    # ------------------------------------------------------------------
    @api.model
    def _metropolis_domain(self, date_from, date_to, communes=None):
        domain = [("date", ">=", date_from), ("date", "<=", date_to)]
        if communes:
            domain.append(("commune_id", "in", communes.ids))
        return domain

    @api.model
    def _metropolis_rows(self, date_from, date_to, communes=None):
        """Rows of the period (and communes) among those the user reads, as
        :mod:`..services.social_report` reads them."""
        records = self.search(self._metropolis_domain(date_from, date_to, communes))
        return [
            {
                "commune": record.commune_id.name or social_report.UNKNOWN,
                "association": record.association_id.name or social_report.UNKNOWN,
                "category": record.category_id.name or social_report.UNKNOWN,
                "month": record.month,
                "devices": record.devices,
                "given": record.given,
                "people_reached": record.people_reached,
                "amount": record.amount,
                "co2e_kg": record.co2e_kg,
                "weight_kg": record.weight_kg,
            }
            for record in records
        ]

    @api.model
    def _metropolis_document(self, date_from, date_to, communes=None):
        """Everything the metropolis' report shows for the period."""
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        communes = communes or self.env["reemploi.commune"]
        tables = social_report.aggregate(
            self._metropolis_rows(date_from, date_to, communes)
        )
        unknown = self.env._("Not known")
        for key in ("by_commune", "by_association", "by_category"):
            tables[key] = [(label or unknown, value) for label, value in tables[key]]
        generated = fields.Datetime.context_timestamp(self, fields.Datetime.now())
        return dict(
            tables,
            title=self.env._("Devices for associations"),
            date_from=date_from,
            date_to=date_to,
            communes=communes,
            generated=generated,
            period=_period_label({"date_from": date_from, "date_to": date_to}),
            currency=self.env.company.currency_id,
        )

    @api.model
    def _metropolis_xlsx(self, document):
        """The XLSX workbook (bytes) of the metropolis' report ``document``:
        a summary sheet, then one sheet per table."""
        _ = self.env._
        book = XlsxBook()
        workbook, bold = book.workbook, book.bold
        formats = {
            "amount": workbook.add_format({"num_format": "0.00"}),
            "co2e_kg": workbook.add_format({"num_format": "0.0"}),
            "co2e_t": workbook.add_format({"num_format": "0.000"}),
            "weight_kg": workbook.add_format({"num_format": "0.00"}),
        }
        figures = [
            ("devices", _("Devices")),
            ("given", _("Given")),
            ("people_reached", _("People reached")),
            ("amount", _("Amount paid")),
            ("co2e_kg", _("CO2e avoided (kg)")),
            ("co2e_t", _("CO2e avoided (t)")),
            ("weight_kg", _("Weight (kg)")),
        ]

        summary = workbook.add_worksheet(_("Summary"))
        summary.write_string(0, 0, document["title"], bold)
        header = [
            (_("Period"), _period_label(document)),
            (
                _("Generated on"),
                document["generated"].strftime("%d/%m/%Y %H:%M"),
            ),
            (
                _("Communes"),
                ", ".join(document["communes"].mapped("name")) or _("All"),
            ),
        ]
        for row, (label, value) in enumerate(header, start=1):
            summary.write_string(row, 0, label, bold)
            summary.write_string(row, 1, value)
        row = len(header) + 2
        for key, label in figures:
            summary.write_string(row, 0, label)
            summary.write_number(
                row, 1, getattr(document["totals"], key), formats.get(key)
            )
            row += 1
        summary.set_column(0, 0, 24)
        summary.set_column(1, 1, 40)

        tables = [
            (_("Communes"), _("Commune"), document["by_commune"]),
            (_("Associations"), _("Association"), document["by_association"]),
            (_("Categories"), _("Category"), document["by_category"]),
            (
                _("Months"),
                _("Month"),
                [
                    (month.strftime("%m/%Y"), value)
                    for month, value in document["by_month"]
                ],
            ),
        ]
        for sheet_name, first_title, items in tables:
            sheet = workbook.add_worksheet(sheet_name)
            sheet.write_string(0, 0, first_title, bold)
            for column, (_key, label) in enumerate(figures, start=1):
                sheet.write_string(0, column, label, bold)
            lines = [(label, value, None) for label, value in items]
            lines.append((_("Total"), document["totals"], bold))
            for row, (label, value, style) in enumerate(lines, start=1):
                sheet.write_string(row, 0, label, style)
                for column, (key, _label) in enumerate(figures, start=1):
                    sheet.write_number(
                        row, column, getattr(value, key), style or formats.get(key)
                    )
            sheet.set_column(0, 0, 30)
            sheet.set_column(1, len(figures), 16)
        return book.data()


def _period_label(document):
    return " → ".join(
        day.strftime("%d/%m/%Y") for day in (document["date_from"], document["date_to"])
    )
