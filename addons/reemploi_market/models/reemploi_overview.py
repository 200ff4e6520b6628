"""The overview of the territory (issue 17): the coordinator's home, an
operator's own figures, a donor's own figures on the portal.

Every figure is an aggregate read as the user (``_read_group`` and SQL over a
``_search`` query): the record rules do the scoping, so an operator counts
only its company's lots and devices and a donor only its organisation's.
Nothing here browses the devices one by one: it stays fast on a register of
a million devices.
"""

from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.misc import format_date

from odoo.addons.reemploi_asset.models.reemploi_equipment_tally_read_mixin import (
    MONTH_TALLY_KEYS,
    TALLY_FIELDS,
)
from odoo.addons.reemploi_asset.models.reemploi_tally_mixin import tally_rules
from odoo.addons.reemploi_asset.services import forecast, lifecycle

from ..services import lot_lifecycle
from .res_config_settings import DEFAULT_TILE_ATTRIBUTION

# The flows charted month by month: a device entering one of these states.
FLOW_COLLECTED = lifecycle.MONTHLY_FLOWS["collected"]
FLOW_OUTCOMES = tuple(s for s in lifecycle.STATES if s in lifecycle.FINAL_STATES)
# How many months the charts over time show, the current one included.
MONTHS = 12
# How many organisations the CO2 ranking lists.
TOP_ORGANISATIONS = 10


class ReemploiOverview(models.AbstractModel):
    _name = "reemploi.overview"
    _description = "Overview of the reuse of IT equipment"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def get_data(self):
        """The figures of the back-office overview, for the coordinator
        (the whole territory) or an operator (its own company), as a
        JSON-able dict. Each figure carries the records behind it."""
        if self.env.user.share:
            raise AccessError(
                self.env._("The overview of the back-office is for internal users.")
            )
        coordinator = self.env.user.has_group(
            "reemploi_asset.group_reemploi_coordinator"
        )
        months = self._months()
        return {
            "scope": "coordinator" if coordinator else "operator",
            "companies": self.env.companies.mapped("name"),
            "kpis": self._kpis(),
            "map": self._map(coordinator),
            "flows": self._flows(months),
            "forecast": self._forecast(),
            "co2": self._co2(months, coordinator),
            "reuse_rates": self._reuse_rates(),
            "operators": self._operators(coordinator),
        }

    @api.model
    def get_portal_data(self):
        """The figures of a donor's organisation, for its portal page."""
        months = self._months()
        devices = self._outcome_counts()
        lots = self.env["reemploi.lot"]
        outcomes = dict(
            self.env["reemploi.equipment.report"]
            ._fields["outcome"]
            ._description_selection(self.env)
        )
        Equipment = self.env["reemploi.equipment"]
        with_owner = (
            Equipment.search_count([("state", "in", sorted(lifecycle.OWNER_STATES))])
            if Equipment.has_access("read")
            else 0
        )
        return {
            "devices": devices,
            "with_owner": with_owner,
            "outcome_labels": outcomes,
            "total": sum(devices.values()),
            "co2e_avoided_kg": self._co2_total(),
            "lots_in_progress": lots.search_count(
                [("state", "in", sorted(lot_lifecycle.IN_PROGRESS_STATES))]
            )
            if lots.has_access("read")
            else 0,
            "co2_over_time": self._co2_over_time(months),
            "forecast": self._forecast(),
            "reuse_rates": self._reuse_rates(),
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _months(self):
        """The first days of the last MONTHS months, oldest first."""
        first = fields.Date.context_today(self).replace(day=1)
        return [first - relativedelta(months=n) for n in range(MONTHS - 1, -1, -1)]

    @api.model
    def _action(self, name, model, domain, view="list"):
        """What the client opens to show the records behind a figure."""
        return {"name": name, "model": model, "domain": domain, "view": view}

    @api.model
    def _month_label(self, month):
        return format_date(self.env, month, date_format="MMM yyyy")

    @staticmethod
    def _month_key(value):
        return (value.year, value.month) if value else None

    @staticmethod
    def _month_bounds(month):
        start = datetime.combine(month, time.min)
        return start, start + relativedelta(months=1)

    # ------------------------------------------------------------------
    # Key figures
    # ------------------------------------------------------------------
    @api.model
    def _outcome_counts(self):
        """{outcome: devices} among the devices the user reads, every
        outcome of lifecycle.OUTCOMES present (in that order)."""
        counts = dict.fromkeys(lifecycle.OUTCOMES, 0)
        Equipment = self.env["reemploi.equipment"]
        if not Equipment.has_access("read"):
            return counts
        for state, count in Equipment._read_group([], ["state"], ["__count"]):
            counts[lifecycle.outcome(state)] += count
        return counts

    @api.model
    def _co2_total(self):
        Equipment = self.env["reemploi.equipment"]
        if not Equipment.has_access("read"):
            return 0.0
        [(total,)] = Equipment._read_group(
            [("state", "in", sorted(lifecycle.REUSED_STATES))],
            [],
            ["co2e_avoided_kg:sum"],
        )
        return round(total or 0.0, 1)

    @api.model
    def _kpis(self):
        _ = self.env._
        counts = self._outcome_counts()
        # a count by state: reemploi.equipment.tally answers it when the
        # user's record rules allow it, without counting the devices
        [(chain,)] = self.env["reemploi.equipment"]._read_group(
            [("state", "in", lifecycle.CHAIN_STATES)], [], ["__count"]
        )
        lots = self.env["reemploi.lot"].search_count(
            [("state", "in", sorted(lot_lifecycle.IN_PROGRESS_STATES))]
        )
        reused = counts[lifecycle.OUTCOME_SOLD] + counts[lifecycle.OUTCOME_DONATED]
        device = "reemploi.equipment"
        return [
            {
                "key": "lots",
                "label": _("Lots in progress"),
                "value": lots,
                "action": self._action(
                    _("Lots in progress"),
                    "reemploi.lot",
                    [("state", "in", sorted(lot_lifecycle.IN_PROGRESS_STATES))],
                ),
            },
            {
                "key": "in_progress",
                "label": _("Devices in the reuse chain"),
                "value": chain,
                "action": self._action(
                    _("Devices in the reuse chain"),
                    device,
                    [("state", "in", lifecycle.CHAIN_STATES)],
                ),
            },
            {
                "key": "reused",
                "label": _("Devices reused"),
                "value": reused,
                "action": self._action(
                    _("Devices reused"),
                    device,
                    [("state", "in", sorted(lifecycle.REUSED_STATES))],
                ),
            },
            {
                "key": "recycled",
                "label": _("Devices recycled"),
                "value": counts[lifecycle.OUTCOME_RECYCLED],
                "action": self._action(
                    _("Devices recycled"),
                    device,
                    [("state", "in", lifecycle.states_of(lifecycle.OUTCOME_RECYCLED))],
                ),
            },
            {
                "key": "co2",
                "label": _("CO2e avoided (t)"),
                "value": round(self._co2_total() / 1000.0, 1),
                "action": self._action(
                    _("Devices reused"),
                    device,
                    [("state", "in", sorted(lifecycle.REUSED_STATES))],
                ),
            },
        ]

    # ------------------------------------------------------------------
    # Map
    # ------------------------------------------------------------------
    @api.model
    def _map(self, coordinator):
        _ = self.env._
        ICP = self.env["ir.config_parameter"].sudo()
        markers = []
        Lot = self.env["reemploi.lot"]
        # lots in progress, by pickup site (the donor itself when none)
        in_progress = Lot._read_group(
            [("state", "in", sorted(lot_lifecycle.IN_PROGRESS_STATES))],
            ["site_id", "partner_id"],
            ["__count"],
        )
        lots_by_place = {}
        for site, donor, count in in_progress:
            place = site or donor
            lots_by_place[place] = lots_by_place.get(place, 0) + count
        # donors' sites: the sites of the devices the user reads
        Equipment = self.env["reemploi.equipment"]
        sites = Equipment._read_group(
            [("site_id", "!=", False)], ["site_id"], ["__count"]
        )
        places = self.env["res.partner"].union(
            *lots_by_place, *(site for site, _count in sites)
        )
        devices_by_site = dict(sites)
        for place in places:
            if not (place.partner_latitude or place.partner_longitude):
                continue
            lots = lots_by_place.get(place, 0)
            devices = devices_by_site.get(place, 0)
            detail = []
            if devices:
                detail.append(_("%(count)s device(s)", count=devices))
            if lots:
                detail.append(_("%(count)s lot(s) in progress", count=lots))
            markers.append(
                {
                    "kind": "lot" if lots else "site",
                    "lat": place.partner_latitude,
                    "lon": place.partner_longitude,
                    "name": place.display_name,
                    "detail": " · ".join(detail),
                    "action": self._action(
                        place.display_name,
                        "reemploi.lot" if lots else "reemploi.equipment",
                        [
                            ("state", "in", sorted(lot_lifecycle.IN_PROGRESS_STATES)),
                            "|",
                            ("site_id", "=", place.id),
                            "&",
                            ("site_id", "=", False),
                            ("partner_id", "=", place.id),
                        ]
                        if lots
                        else [("site_id", "=", place.id)],
                    ),
                }
            )
        for company in self._operator_companies(coordinator):
            partner = company.partner_id
            if not (partner.partner_latitude or partner.partner_longitude):
                continue
            markers.append(
                {
                    "kind": "operator",
                    "lat": partner.partner_latitude,
                    "lon": partner.partner_longitude,
                    "name": company.name,
                    "detail": _("Reuse operator"),
                    "action": self._action(
                        company.name,
                        "reemploi.lot",
                        [
                            ("company_id", "=", company.id),
                            ("state", "in", sorted(lot_lifecycle.IN_PROGRESS_STATES)),
                        ],
                    ),
                }
            )
        return {
            "tile_url": ICP.get_param("reemploi_market.directory_tile_url", ""),
            "tile_attribution": ICP.get_param(
                "reemploi_market.directory_tile_attribution", DEFAULT_TILE_ATTRIBUTION
            ),
            "markers": markers,
        }

    @api.model
    def _operator_companies(self, coordinator):
        """The operators of the overview: every company taking lots for the
        coordinator, the user's own companies for an operator."""
        Company = self.env["res.company"]
        if coordinator:
            # sudo: a coordinator is not a member of every operator's company;
            # the operators' names, places and capacities are shared on the
            # public directory anyway
            return Company.sudo()._reemploi_operators()
        return self.env.companies.filtered("reemploi_category_ids")

    # ------------------------------------------------------------------
    # Flows, CO2 over time
    # ------------------------------------------------------------------
    @api.model
    def _flows(self, months):
        """Devices collected, sold, donated and recycled, month by month,
        from the chain of custody."""
        _ = self.env._
        Event = self.env["reemploi.custody.event"]
        start, _end = self._month_bounds(months[0])
        series = {
            "collected": _("Devices collected"),
            lifecycle.SOLD: _("Devices sold"),
            lifecycle.DONATED: _("Devices donated"),
            lifecycle.RECYCLED: _("Devices recycled"),
        }
        values = {key: dict.fromkeys(range(len(months)), 0) for key in series}
        index = {self._month_key(month): n for n, month in enumerate(months)}
        if Event.has_access("read") and tally_rules(self.env, Event._name, ()) == []:
            # the user reads every event (the coordinator): the devices
            # entering each flow are kept by month, whatever the number of
            # events; sudo: the tally has no record rules of its own
            counts = self.env["reemploi.custody.flow.tally"].sudo()._monthly(start)
            for (month, key), count in counts.items():
                n = index.get(self._month_key(month))
                if n is not None:
                    values[key][n] += count
        elif Event.has_access("read"):
            since = [("date", ">=", start)]
            # a device both collected and received counts once a month
            collected = Event._read_group(
                [("to_state", "in", FLOW_COLLECTED)] + since,
                ["date:month"],
                ["equipment_id:count_distinct"],
            )
            outcomes = Event._read_group(
                [("to_state", "in", FLOW_OUTCOMES)] + since,
                ["date:month", "to_state"],
                ["equipment_id:count_distinct"],
            )
            rows = [(month, "collected", count) for month, count in collected]
            rows += outcomes
            for month, key, count in rows:
                n = index.get(self._month_key(month))
                if n is not None:
                    values[key][n] += count
        result = []
        for key, label in series.items():
            states = FLOW_COLLECTED if key == "collected" else (key,)
            actions = []
            for month in months:
                month_start, month_end = self._month_bounds(month)
                actions.append(
                    self._action(
                        f"{label} — {self._month_label(month)}",
                        "reemploi.custody.event",
                        [
                            ("to_state", "in", list(states)),
                            ("date", ">=", fields.Datetime.to_string(month_start)),
                            ("date", "<", fields.Datetime.to_string(month_end)),
                        ],
                    )
                )
            result.append(
                {
                    "key": key,
                    "label": label,
                    "values": [values[key][n] for n in range(len(months))],
                    "actions": actions,
                }
            )
        return {"labels": [self._month_label(m) for m in months], "series": result}

    @api.model
    def _co2_over_time(self, months):
        """CO2e avoided (kg) by the devices reused each month: the day a
        device was sold or donated is the day of its current state."""
        Equipment = self.env["reemploi.equipment"]
        values = [0.0] * len(months)
        index = {self._month_key(month): n for n, month in enumerate(months)}
        start, _end = self._month_bounds(months[0])
        reused = [("state", "in", sorted(lifecycle.REUSED_STATES))]
        rules = tally_rules(self.env, Equipment._name, MONTH_TALLY_KEYS)
        if Equipment.has_access("read") and rules is not None:
            # the CO2e avoided by operator, state and month is kept: its
            # months, read in the user's time zone, are the devices' (the
            # coordinator, an operator); sudo: the tally has no record rules
            # of its own, the devices' are added to the domain
            Equipment.flush_model(TALLY_FIELDS)
            rows = (
                self.env["reemploi.equipment.month.tally"]
                .sudo()
                ._read_group(
                    expression.AND([reused + [("state_period", ">=", start)], rules]),
                    ["state_period:month"],
                    ["co2e_avoided_kg:sum"],
                )
            )
        elif Equipment.has_access("read"):
            rows = Equipment._read_group(
                reused + [("state_date", ">=", start)],
                ["state_date:month"],
                ["co2e_avoided_kg:sum"],
            )
        else:
            rows = []
        for month, total in rows:
            n = index.get(self._month_key(month))
            if n is not None:
                values[n] = round(total or 0.0, 1)
        actions = []
        for month in months:
            month_start, month_end = self._month_bounds(month)
            actions.append(
                self._action(
                    self.env._(
                        "Devices reused — %(month)s", month=self._month_label(month)
                    ),
                    "reemploi.equipment",
                    reused
                    + [
                        ("state_date", ">=", fields.Datetime.to_string(month_start)),
                        ("state_date", "<", fields.Datetime.to_string(month_end)),
                    ],
                )
            )
        return {
            "labels": [self._month_label(m) for m in months],
            "values": values,
            "actions": actions,
        }

    @api.model
    def _co2(self, months, coordinator):
        """CO2e avoided over time, and per donor organisation (and per
        operator for the coordinator)."""
        Equipment = self.env["reemploi.equipment"]
        reused = [("state", "in", sorted(lifecycle.REUSED_STATES))]
        by_donor = []
        rows = Equipment._read_group(
            reused + [("owner_id", "!=", False)],
            ["owner_id"],
            ["co2e_avoided_kg:sum"],
            order="co2e_avoided_kg:sum desc",
            limit=TOP_ORGANISATIONS,
        )
        for owner, total in rows:
            by_donor.append(
                {
                    "name": owner.display_name,
                    "value": round(total or 0.0, 1),
                    "action": self._action(
                        owner.display_name,
                        "reemploi.equipment",
                        reused + [("owner_id", "=", owner.id)],
                    ),
                }
            )
        by_operator = []
        if coordinator:
            rows = Equipment._read_group(
                reused + [("company_id", "!=", False)],
                ["company_id"],
                ["co2e_avoided_kg:sum"],
                order="co2e_avoided_kg:sum desc",
                limit=TOP_ORGANISATIONS,
            )
            for company, total in rows:
                # sudo: the coordinator is not a member of every operator's
                # company; only its name is read (public on the directory)
                name = company.sudo().name
                by_operator.append(
                    {
                        "name": name,
                        "value": round(total or 0.0, 1),
                        "action": self._action(
                            name,
                            "reemploi.equipment",
                            reused + [("company_id", "=", company.id)],
                        ),
                    }
                )
        return {
            "over_time": self._co2_over_time(months),
            "by_donor": by_donor,
            "by_operator": by_operator,
        }

    # ------------------------------------------------------------------
    # Forecast, legal rates
    # ------------------------------------------------------------------
    @api.model
    def _forecast(self):
        """Devices expected per quarter and category (the supply forecast
        of reemploi_asset, among the devices the user reads)."""
        Equipment = self.env["reemploi.equipment"]
        if not Equipment.has_access("read"):
            return {"labels": [], "series": []}
        window, keys, counts = Equipment._forecast(by_owner=False)
        series = [
            {
                "label": key[0],
                "values": [counts.get((quarter, key), 0) for quarter in window],
            }
            for key in sorted(keys)
        ]
        return {
            "labels": [forecast.quarter_label(quarter) for quarter in window],
            "series": series,
            "action": self._action(
                self.env._("Supply forecast"),
                "reemploi.equipment",
                Equipment._forecast_domain(fields.Date.context_today(self)),
                view="pivot",
            ),
        }

    @api.model
    def _reuse_rates(self):
        """Reuse rate of décret 2023-266 of each public body the user
        reads, for the latest year it has a line of AGEC indicators."""
        Stock = self.env["reemploi.agec.stock"]
        if not Stock.has_access("read"):
            return []
        year = fields.Date.context_today(self).year
        lines = Stock.search([("year", "in", (year - 1, year))], order="year desc, id")
        status = dict(Stock._fields["reuse_status"]._description_selection(self.env))
        result, seen = [], set()
        for line in lines:
            if line.partner_id in seen:
                continue
            seen.add(line.partner_id)
            result.append(
                {
                    "name": line.partner_id.display_name,
                    "year": line.year,
                    "rate": line.reuse_rate,
                    "target": line.reuse_target,
                    "status": line.reuse_status,
                    "status_label": status.get(line.reuse_status, ""),
                    "sent": line.sent_to_reuse,
                    "stock": line.stock_used,
                    "id": line.id,
                    "action": self._action(
                        line.partner_id.display_name,
                        "reemploi.agec.stock",
                        [("id", "=", line.id)],
                        view="form",
                    ),
                }
            )
        return result

    # ------------------------------------------------------------------
    # Operators: lead times, remaining capacity
    # ------------------------------------------------------------------
    @api.model
    def _lead_times(self):
        """{company id: (days from collection to erasure, days from erasure
        to on sale, devices counted)}: averages over the devices the user
        reads that were put on sale in the last twelve months."""
        Equipment = self.env["reemploi.equipment"]
        since = datetime.combine(self._months()[0], time.min)
        # the first dates the chain of custody keeps on each device
        # (lifecycle.FIRST_DATE_FIELDS), as the user's record rules allow
        devices = Equipment._search(
            [("company_id", "!=", False), ("first_for_sale_date", ">=", since)]
        )
        # aggregated in the same scan as the devices are found (an index
        # holds the columns read: reemploi_equipment_first_for_sale_covering_index)
        table = SQL.identifier(devices.table)
        devices.groupby = SQL("%s.company_id", table)
        self.env.cr.execute(
            devices.select(
                SQL(
                    """
                    %(table)s.company_id,
                    avg(EXTRACT(EPOCH FROM %(table)s.first_erased_date
                                         - %(table)s.first_collected_date)) / 86400,
                    avg(EXTRACT(EPOCH FROM %(table)s.first_for_sale_date
                                         - %(table)s.first_erased_date)) / 86400,
                    count(*)
                    """,
                    table=table,
                )
            )
        )
        return {
            company: (
                round(float(erasure), 1) if erasure is not None else None,
                round(float(sale), 1) if sale is not None else None,
                count,
            )
            for company, erasure, sale, count in self.env.cr.fetchall()
        }

    @api.model
    def _operators(self, coordinator):
        _ = self.env._
        companies = self._operator_companies(coordinator)
        if not companies:
            return []
        lead_times = self._lead_times()
        capacity = companies._reemploi_remaining_capacity()
        Lot = self.env["reemploi.lot"]
        in_progress = {
            company.id: count
            for company, count in Lot._read_group(
                [
                    ("state", "in", sorted(lot_lifecycle.IN_PROGRESS_STATES)),
                    ("company_id", "in", companies.ids),
                ],
                ["company_id"],
                ["__count"],
            )
        }
        result = []
        for company in companies.sorted("name"):
            erasure, sale, counted = lead_times.get(company.id, (None, None, 0))
            result.append(
                {
                    "id": company.id,
                    "name": company.name,
                    "collection_to_erasure": erasure,
                    "erasure_to_sale": sale,
                    "devices_counted": counted,
                    "lots_in_progress": in_progress.get(company.id, 0),
                    "capacity": company.reemploi_lots_per_period,
                    "period_days": company.reemploi_period_days,
                    "remaining_capacity": capacity.get(company.id, 0),
                    "action": self._action(
                        _("Lots in progress — %(operator)s", operator=company.name),
                        "reemploi.lot",
                        [
                            ("company_id", "=", company.id),
                            ("state", "in", sorted(lot_lifecycle.IN_PROGRESS_STATES)),
                        ],
                    ),
                }
            )
        return result
