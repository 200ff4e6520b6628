from datetime import datetime

from odoo.tests import freeze_time, tagged

from ..services import lifecycle
from .common import ReemploiCase

# the reader's time zones: none (UTC), a whole number of hours from UTC with
# summer time, behind UTC, half an hour off, the farthest ahead
TIME_ZONES = (
    None,
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Kiritimati",
)
# instants near the ends of months: in March in UTC, in April in Paris
# (UTC+2) and further east; in January in New York, February in UTC
EDGES = (
    "2026-03-31 23:30:00",
    "2026-04-01 08:00:00",
    "2026-02-01 03:00:00",
    "2026-04-15 12:00:00",
    "2026-03-31 10:00:00",
)
SINCE = datetime(2026, 1, 1)


@tagged("post_install", "-at_install")
class TestOverviewTallies(ReemploiCase):
    """The counts kept for the territory's overview (by operator and month
    of the state, by expected end, the devices entering each flow by month)
    are the same as counting the devices and their custody events, in every
    time zone, whatever was written and in which order."""

    def _states_by_month(self, tz, use_tally):
        """{month: (devices, CO2e)} of the devices by month of their state
        since SINCE, from the month tally or from the devices."""
        if use_tally:
            self.Equipment.flush_model()
            rows = (
                self.env["reemploi.equipment.month.tally"]
                .with_context(tz=tz)
                ._read_group(
                    [("state_period", ">=", SINCE)],
                    ["state_period:month", "state"],
                    ["device_count:sum", "co2e_avoided_kg:sum"],
                    having=[("device_count:sum", ">", 0)],
                )
            )
        else:
            rows = self.Equipment.with_context(tz=tz)._read_group(
                [("state_date", ">=", SINCE)],
                ["state_date:month", "state"],
                ["__count", "co2e_avoided_kg:sum"],
            )
        return {
            (month, state): (count, round(co2e or 0.0, 6))
            for month, state, count, co2e in rows
        }

    def _flows(self, tz, use_tally):
        """{(month, flow): devices} entering each flow since SINCE, from
        the flow tally or as the distinct devices of the events."""
        if use_tally:
            return (
                self.env["reemploi.custody.flow.tally"]
                .with_context(tz=tz)
                ._monthly(SINCE)
            )
        counts = {}
        Event = self.env["reemploi.custody.event"].with_context(tz=tz)
        for flow, states in lifecycle.MONTHLY_FLOWS.items():
            for month, count in Event._read_group(
                [("to_state", "in", states), ("date", ">=", SINCE)],
                ["date:month"],
                ["equipment_id:count_distinct"],
            ):
                counts[month.date(), flow] = count
        return counts

    def assertSameCounts(self):
        for tz in TIME_ZONES:
            with self.subTest(tz=tz):
                by_state = self._states_by_month(tz, use_tally=True)
                self.assertEqual(by_state, self._states_by_month(tz, use_tally=False))
                flows = self._flows(tz, use_tally=True)
                self.assertEqual(flows, self._flows(tz, use_tally=False))
        return by_state, flows

    def _at(self, instant, devices, action, *args):
        with freeze_time(instant):
            getattr(devices, action)(*args)

    def test_counts_by_month_in_every_time_zone(self):
        devices = self.Equipment
        for n, instant in enumerate(EDGES):
            device = self._device(f"MONTH-{n}", category=self.laptop)
            self._at(instant, device, "action_declare")
            devices |= device
        # collected at the end of March and received at the start of April:
        # one device of April for Paris, of March and April in UTC
        for n, (collect, receive) in enumerate(
            (
                ("2026-03-31 23:30:00", "2026-04-01 08:00:00"),
                ("2026-03-10 10:00:00", "2026-03-31 22:30:00"),
                ("2026-01-31 23:50:00", "2026-02-01 00:10:00"),
                ("2026-05-20 10:00:00", "2026-05-01 01:00:00"),
                # before the window in UTC, in January in Paris
                ("2025-12-31 23:30:00", "2026-01-05 10:00:00"),
            )
        ):
            self._at(collect, devices[n], "action_collect")
            company = self.company_x if n % 2 else self.company_y
            self._at(receive, devices[n], "action_receive", company)
        # devices[3] and [4]: events recorded after later ones of the same
        # device (a clock set back): its first event of the month changes
        by_state, flows = self.assertSameCounts()
        self.assertTrue(by_state)
        self.assertTrue(flows)
        # in March in UTC: devices[0] and [1]; in Paris: devices[1] only
        # ([0] is collected on 1 April there); January: [2] and [4] in UTC,
        # [4] only in Paris ([2] on 1 February, and [4] was collected
        # before the window in UTC, on 1 January in Paris); April: [0] in
        # UTC, [0] and [1] in Paris
        paris = self._flows("Europe/Paris", use_tally=True)
        utc = self._flows(None, use_tally=True)

        def difference(month):
            key = (datetime(2026, month, 1).date(), "collected")
            return utc.get(key, 0) - paris.get(key, 0)

        self.assertEqual(difference(3), 1)
        self.assertEqual(difference(1), 1)
        self.assertEqual(difference(4), -1)
        # archived, moved to another category, then folded: still the same
        devices[4].action_archive()
        devices[1].write({"category_id": self.monitor.id})
        self.assertSameCounts()
        for model in (
            "reemploi.equipment.month.tally",
            "reemploi.equipment.forecast.tally",
            "reemploi.custody.flow.tally",
        ):
            self.env[model]._compact()
        self.assertSameCounts()
        self.env.cr.execute(
            """SELECT count(*) FROM reemploi_custody_flow_tally
            GROUP BY flow, period, previous_period HAVING count(*) > 1"""
        )
        self.assertFalse(self.env.cr.fetchall())

    def test_operator_counts_from_the_month_tally(self):
        """An operator's counts come from the tally by operator, scoped to
        its company as its record rule says."""
        self._received("OP-X-1", company=self.company_x)
        self._received("OP-X-2", company=self.company_x, category=self.monitor)
        self._received("OP-Y-1", company=self.company_y)
        Equipment = self.Equipment.with_user(self.user_operator_x).with_company(
            self.company_x
        )
        args = Equipment._read_group_tally_args([], ["state"], ["__count"], (), None)
        self.assertEqual(args[0], "reemploi.equipment.month.tally")
        for groupby in (["state"], ["category_id", "state"], ["company_id"], []):
            with self.subTest(groupby=groupby):
                self.assertEqual(
                    Equipment.read_group(
                        [], ["co2e_avoided_kg:sum"], groupby, lazy=False
                    ),
                    Equipment.with_context(reemploi_no_tally=True).read_group(
                        [], ["co2e_avoided_kg:sum"], groupby, lazy=False
                    ),
                )
        [(count,)] = Equipment._read_group([], [], ["__count"])
        self.assertEqual(count, 2)

    def test_forecast_from_the_tally(self):
        """The territory's supply forecast reads the counts by expected end
        for the coordinator, the devices for a donor, with the same
        figures; a device taken out of use leaves it at once."""
        today = datetime.now().date()
        in_use = self.Equipment
        for n in range(4):
            in_use |= self._device(
                f"FORECAST-{n}",
                category=self.monitor if n % 2 else self.laptop,
                expected_end_override=today.replace(year=today.year + n % 2),
            )
        in_use |= self._device(
            "FORECAST-B", owner=self.donor_b, expected_end_override=today
        )
        coordinator = self.Equipment.with_user(self.user_coordinator)

        def total(result):
            _window, _keys, counts = result
            return sum(counts.values())

        before = total(coordinator._forecast(by_owner=False))
        self.assertEqual(
            coordinator._forecast(by_owner=False),
            coordinator.with_context(reemploi_no_tally=True)._forecast(by_owner=False),
        )
        in_use[0].action_declare()
        in_use[1].action_archive()
        after = coordinator._forecast(by_owner=False)
        self.assertEqual(total(after), before - 2)
        self.assertEqual(
            after,
            coordinator.with_context(reemploi_no_tally=True)._forecast(by_owner=False),
        )
        # a donor's forecast counts its own devices only
        donor = self.Equipment.with_user(self.user_donor_b)
        self.assertEqual(total(donor._forecast(by_owner=False)), 1)

    def test_set_based_import_is_counted(self):
        """Devices inserted by the import's set-based INSERT are counted by
        the triggers like the ORM's."""
        self.Equipment._insert_imported(
            [
                {
                    "serial": f"TALLY-IMPORT-{n}",
                    "category_id": self.laptop.id,
                    "owner_id": self.donor_b.id,
                    "state": "in_use",
                    "expected_end_override": datetime(2027, 2, 1).date(),
                }
                for n in range(3)
            ]
        )
        coordinator = self.Equipment.with_user(self.user_coordinator)
        self.assertEqual(
            coordinator._forecast(by_owner=False),
            coordinator.with_context(reemploi_no_tally=True)._forecast(by_owner=False),
        )
        self.assertSameCounts()
