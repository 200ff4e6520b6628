from datetime import date, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, tagged

from .common_takeback import TakebackCase


class OverviewBaseline(TransactionCase):
    """The territory's figures before the test's records: the database may
    hold others (demo data), which the coordinator counts too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.baseline = cls.env["reemploi.overview"].get_data()


@tagged("post_install", "-at_install")
class TestOverview(TakebackCase, OverviewBaseline, HttpCase):
    """The overview's figures, counted by hand on TakebackCase's lots
    (donor A at operator X: sold, donated, recycled, missing, on sale;
    donor B at operator Y: sold), plus a lot in progress for each donor and
    a device of each donor still in use."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_donor_a.password = "donor_a"
        cls.user_donor_b.password = "donor_b"
        (cls.company_x | cls.company_y).write(
            {"reemploi_category_ids": [(6, 0, cls.laptop.ids)]}
        )
        cls.company_x.partner_id.write(
            {"partner_latitude": 45.19, "partner_longitude": 5.72}
        )
        cls.company_y.partner_id.write(
            {"partner_latitude": 45.25, "partner_longitude": 5.80}
        )
        cls.site_a.write({"partner_latitude": 45.18, "partner_longitude": 5.71})
        cls.lot_open_a = cls._matched_lot(
            company=cls.company_x, quantities={cls.laptop: 3}
        )
        cls.lot_open_b = cls._matched_lot(
            company=cls.company_y, donor=cls.donor_b, quantities={cls.laptop: 2}
        )
        # still in use, expected back within the forecast's window
        cls.in_use_a = cls._device(
            "A-USE", purchase_date=date.today().replace(year=date.today().year - 4)
        )
        cls.in_use_b = cls._device(
            "B-USE",
            owner=cls.donor_b,
            purchase_date=date.today().replace(year=date.today().year - 4),
        )

    def _data(self, user):
        return (
            self.env["reemploi.overview"]
            .with_user(user)
            .with_company(user.company_id)
            .get_data()
        )

    def _kpis(self, data):
        return {kpi["key"]: kpi["value"] for kpi in data["kpis"]}

    def _operator_row(self, data, name):
        return next(row for row in data["operators"] if row["name"] == name)

    def _this_month(self, data, key):
        serie = next(s for s in data["flows"]["series"] if s["key"] == key)
        return serie["values"][-1]

    def test_coordinator_figures(self):
        data = self._data(self.user_coordinator)
        before = self.baseline
        self.assertEqual(data["scope"], "coordinator")
        kpis, kpis_before = self._kpis(data), self._kpis(before)
        added = {key: kpis[key] - kpis_before[key] for key in kpis}
        self.assertEqual(added["lots"], 2)
        self.assertEqual(added["reused"], 3)  # L-SOLD, L-DON, B-SOLD
        self.assertEqual(added["recycled"], 1)
        self.assertEqual(added["in_progress"], 1)  # 00042, on sale
        # flows of the month: 6 devices collected, 2 sold, 1 donated, 1 recycled
        for key, count in (
            ("collected", 6),
            ("sold", 2),
            ("donated", 1),
            ("recycled", 1),
        ):
            with self.subTest(flow=key):
                self.assertEqual(
                    self._this_month(data, key) - self._this_month(before, key), count
                )
        co2_month = data["co2"]["over_time"]["values"][-1]
        self.assertEqual(co2_month - before["co2"]["over_time"]["values"][-1], 525.0)
        by_donor = {row["name"]: row["value"] for row in data["co2"]["by_donor"]}
        self.assertEqual(by_donor["Donateur A"], 350.0)
        self.assertEqual(by_donor["Donateur B"], 175.0)
        by_operator = {row["name"]: row["value"] for row in data["co2"]["by_operator"]}
        self.assertEqual(by_operator["Opérateur X"], 350.0)
        self.assertEqual(by_operator["Opérateur Y"], 175.0)
        # the forecast: the two laptops still in use
        self.assertEqual(
            sum(sum(s["values"]) for s in data["forecast"]["series"])
            - sum(sum(s["values"]) for s in before["forecast"]["series"]),
            2,
        )
        # put on sale this year: L-SOLD and 00042 at X, B-SOLD at Y
        operator_x = self._operator_row(data, "Opérateur X")
        self.assertEqual(operator_x["devices_counted"], 2)
        self.assertEqual(operator_x["lots_in_progress"], 1)
        self.assertEqual(self._operator_row(data, "Opérateur Y")["devices_counted"], 1)
        markers = {(m["kind"], m["name"]) for m in data["map"]["markers"]}
        self.assertLessEqual(
            {
                ("operator", "Opérateur X"),
                ("operator", "Opérateur Y"),
                ("lot", self.site_a.display_name),
            },
            markers,
        )
        # a figure opens the records it counts
        action = next(k for k in data["kpis"] if k["key"] == "reused")["action"]
        devices = self.env["reemploi.equipment"].with_user(self.user_coordinator)
        self.assertEqual(devices.search_count(action["domain"]), kpis["reused"])

    def test_same_figures_without_the_kept_counts(self):
        """The figures read from the kept counts (the register's tallies,
        the monthly flows) are those of the devices and events themselves,
        right after writes, for the coordinator and an operator."""
        self.in_use_a.action_to_decommission()
        self.in_use_b.action_archive()
        for user in (self.user_coordinator, self.user_operator_x):
            with self.subTest(user=user.login):
                overview = (
                    self.env["reemploi.overview"]
                    .with_user(user)
                    .with_company(user.company_id)
                    .with_context(tz="Europe/Paris")
                )
                data = overview.get_data()
                self.assertEqual(
                    data, overview.with_context(reemploi_no_tally=True).get_data()
                )
        # the coordinator's come from the kept counts
        self.assertEqual(
            self.env["reemploi.equipment"]
            .with_user(self.user_coordinator)
            ._read_group_tally_args(
                [("state", "in", ["sold"]), ("company_id", "!=", False)],
                ["company_id"],
                ["co2e_avoided_kg:sum"],
                (),
                "co2e_avoided_kg:sum desc",
            )[0],
            "reemploi.equipment.month.tally",
        )

    def test_operator_sees_only_its_company(self):
        data = self._data(self.user_operator_x)
        self.assertEqual(data["scope"], "operator")
        kpis = self._kpis(data)
        self.assertEqual(kpis["lots"], 1)
        self.assertEqual(kpis["reused"], 2)
        self.assertEqual(kpis["recycled"], 1)
        self.assertEqual(self._this_month(data, "collected"), 5)
        self.assertEqual(self._this_month(data, "sold"), 1)
        self.assertEqual(data["co2"]["over_time"]["values"][-1], 350.0)
        self.assertEqual(
            [row["name"] for row in data["co2"]["by_donor"]], ["Donateur A"]
        )
        self.assertFalse(data["co2"]["by_operator"])
        self.assertEqual([row["name"] for row in data["operators"]], ["Opérateur X"])
        names = {marker["name"] for marker in data["map"]["markers"]}
        self.assertNotIn("Opérateur Y", names)
        self.assertFalse(any("Donateur B" in name for name in names))
        # devices in use are the donors', not the operator's
        self.assertFalse(data["forecast"]["series"])
        # AGEC figures are the coordinator's and the bodies'
        self.assertEqual(data["reuse_rates"], [])

    def test_donor_portal_figures(self):
        overview = self.env["reemploi.overview"].with_user(self.user_donor_a)
        data = overview.get_portal_data()
        self.assertEqual(
            data["devices"],
            {"sold": 1, "donated": 1, "recycled": 1, "missing": 1, "in_progress": 2},
        )
        self.assertEqual(data["with_owner"], 1)
        self.assertEqual(data["co2e_avoided_kg"], 350.0)
        self.assertEqual(data["lots_in_progress"], 1)
        data_b = self.env["reemploi.overview"].with_user(self.user_donor_b)
        data_b = data_b.get_portal_data()
        self.assertEqual(data_b["devices"]["sold"], 1)
        self.assertEqual(data_b["devices"]["donated"], 0)
        self.assertEqual(data_b["co2e_avoided_kg"], 175.0)

    def test_donor_cannot_call_the_backend_overview(self):
        with self.assertRaises(AccessError):
            self.env["reemploi.overview"].with_user(self.user_donor_a).get_data()

    def test_portal_page(self):
        self.authenticate("donor_b", "donor_b")
        response = self.url_open("/my/overview")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_reemploi_overview_portal", response.text)
        self.assertIn("/my/lots?filterby=in_progress", response.text)
        # donor A's lots stay out of reach: 404, not the lot nor an error
        for lot in (self.lot_open_a, self.lot):
            with self.subTest(lot=lot.name):
                response = self.url_open(f"/my/lots/{lot.id}", allow_redirects=False)
                self.assertIn(response.status_code, (403, 404))
        # the home of the portal leads to the overview
        self.assertIn('href="/my/overview"', self.url_open("/my").text)

    def test_portal_page_for_donors_only(self):
        """A user without the donor group (here the administrator) is sent
        back to the portal home."""
        self.authenticate("admin", "admin")
        response = self.url_open("/my/overview", allow_redirects=False)
        self.assertEqual(response.status_code, 303)

    def test_backend_page_without_tiles(self):
        """The coordinator's page draws its charts, and its map's points on a
        blank background with a note when no tiles are set, without any
        error in the browser."""
        self.env["ir.config_parameter"].set_param(
            "reemploi_market.directory_tile_url", ""
        )
        self.user_coordinator.password = "coordinator"
        self.browser_js(
            "/odoo/action-reemploi_market.reemploi_overview_action",
            "console.log('test successful')",
            ready="document.querySelectorAll('.o_reemploi_overview canvas').length >= 3"
            " && !!document.querySelector('.o_reemploi_overview_tiles_unavailable')"
            " && document.querySelectorAll('.o_reemploi_overview_map path.leaflet-interactive').length > 0"
            " && !document.querySelector('.o_reemploi_overview_map_unavailable')",
            login="coordinator",
        )

    def test_leaving_while_the_map_draws(self):
        """The overview opened again and again (the app's name clicked
        while its map draws and zooms to its points) raises no error:
        Leaflet once finished a zoom on a map already removed."""
        self.user_coordinator.password = "coordinator"
        self.browser_js(
            "/odoo/action-reemploi_market.reemploi_overview_action",
            """
            (async () => {
                const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
                for (const delay of [0, 20, 60, 120, 250]) {
                    document.querySelector(".o_menu_brand").click();
                    await wait(delay);
                }
                for (let i = 0; i < 100; i++) {
                    if (document.querySelector(".o_reemploi_overview_map path.leaflet-interactive")) {
                        break;
                    }
                    await wait(100);
                }
                await wait(1000);
                if (document.querySelector(".o_error_dialog")) {
                    console.error("an error dialog is open");
                } else {
                    console.log("test successful");
                }
            })();
            """,
            ready="document.querySelectorAll('.o_reemploi_overview_map path.leaflet-interactive').length > 0",
            login="coordinator",
        )


@tagged("post_install", "-at_install")
class TestOverviewLeadTimes(TakebackCase):
    """Operators' lead times: collection -> erasure -> on sale, averaged
    over the devices put on sale in the last twelve months."""

    def test_lead_times_from_the_first_dates(self):
        from odoo.tests import freeze_time  # noqa: PLC0415

        company = self.env["res.company"].create({"name": "Opérateur Z"})
        today = date.today()
        with freeze_time(today.replace(day=1).isoformat() + " 08:00:00"):
            device = self._received("LEAD-1", company=company)
            other = self._received("LEAD-2", company=company)
        start = device.first_collected_date
        with freeze_time(str(start + timedelta(days=2))):
            self._erase(device)
            device.action_mark_erased()
        with freeze_time(str(start + timedelta(days=4))):
            self._erase(other)
            other.action_mark_erased()
        with freeze_time(str(start + timedelta(days=5))):
            self._grading(device)
            device.action_grade()
            device.action_publish()
            self._grading(other)
            other.action_grade()
            other.action_publish()
        lead = self.env["reemploi.overview"]._lead_times()[company.id]
        # (2 + 4) / 2 days to erasure, (3 + 1) / 2 days to sale
        self.assertEqual(lead, (3.0, 2.0, 2))
        # a device put on sale more than twelve months ago is left out
        with freeze_time(str(start - timedelta(days=400))):
            old = self._received("LEAD-OLD", company=company)
            self._erase(old)
            old.action_mark_erased()
            self._grading(old)
            old.action_grade()
            old.action_publish()
        self.assertEqual(self.env["reemploi.overview"]._lead_times()[company.id], lead)
        # an operator reads its own only
        own = (
            self.env["reemploi.overview"].with_user(self.user_operator_y)._lead_times()
        )
        self.assertNotIn(company.id, own)
