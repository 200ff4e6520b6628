"""Synchronisation of connected sources, end to end: our connector talks to
a real local server that answers like the tool, and the register follows."""

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import ReemploiCase
from .fake_servers import FakeGlpi, FakeGlpiHl, FakeOcsSoap, FakeSnipeIt


@tagged("post_install", "-at_install")
class TestImportSync(ReemploiCase):
    def serve(self, server):
        server.start()
        self.addCleanup(server.stop)
        return server

    def _source(self, kind, server, **values):
        return self.env["reemploi.import.source"].create(
            {
                "name": f"{kind} test",
                "kind": kind,
                "owner_id": self.donor_a.id,
                "url": server.url,
                "timeout": 5,
                **values,
            }
        )

    def _devices(self, source):
        return self.Equipment.search([("import_source_id", "=", source.id)])

    def test_glpi_full_then_incremental(self):
        server = self.serve(FakeGlpi(count=40, monitors=5, phones=3))
        source = self._source(
            "glpi", server, app_token=server.app_token, user_token=server.user_token
        )
        self.assertTrue(source.cron_id.active)
        self.assertEqual(source.cron_id.interval_number, 15)
        run = source._sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.created_count + run.rejected_count, 48)
        self.assertGreater(run.created_count, 40)
        self.assertTrue(source.cursor)
        device = self._devices(source).filtered(lambda d: d.source_ref == "Computer/7")
        self.assertEqual(device.owner_id, self.donor_a)
        self.assertTrue(device.serial)
        # nothing changed: the next sync pulls little and changes nothing
        again = source._sync()
        self.assertEqual((again.created_count, again.updated_count), (0, 0))

    def _glpi(self, server):
        return self._source(
            "glpi", server, app_token=server.app_token, user_token=server.user_token
        )

    def _map_type(self, source, value, category):
        with Form(source) as form, form.mapping_ids.new() as line:
            line.mapping_type = "category"
            line.source_value = value
            line.category_id = category

    def test_rejected_rows_retried_once_mapped(self):
        """A computer of a type nobody mapped yet is rejected; once the type
        is mapped, the next synchronisation brings it, though the cursor has
        moved past it and nothing changed in GLPI."""
        server = self.serve(FakeGlpi(count=6, monitors=1, phones=1))
        server.item("Computer", 2)["computertypes_id"] = 3
        source = self._glpi(server)
        run = source._sync()
        self.assertEqual((run.created_count, run.rejected_count), (7, 1), run.message)
        self.assertIn("unknown category 'Chariot de soins'", run.line_ids.reason)
        cursor = source.cursor
        self.assertTrue(cursor)
        # nothing mapped: tried again, rejected again, never lost
        again = source._sync()
        self.assertEqual((again.retried_count, again.rejected_count), (1, 1))
        self.assertTrue(run.line_ids.replayed)
        self._map_type(
            source, "Chariot de soins", self.env.ref("reemploi_asset.category_desktop")
        )
        mapped = source._sync()
        self.assertEqual(mapped.state, "done", mapped.message)
        self.assertEqual(source.cursor, cursor)
        self.assertEqual(
            (mapped.retried_count, mapped.created_count, mapped.rejected_count),
            (1, 1, 0),
        )
        device = self._devices(source).filtered(lambda d: d.source_ref == "Computer/2")
        self.assertEqual(device.category_id.code, "desktop")
        self.assertEqual(device.serial, "PCSN000002")
        self.assertEqual(
            mapped.created_count
            + mapped.updated_count
            + mapped.unchanged_count
            + mapped.merged_count
            + mapped.rejected_count,
            mapped.row_count,
        )
        # done: the next synchronisation has nothing to try again
        last = source._sync()
        self.assertEqual((last.retried_count, last.created_count), (0, 0))

    def test_rejected_row_changed_in_the_tool_taken_from_the_tool(self):
        server = self.serve(FakeGlpi(count=6, monitors=1, phones=1))
        server.item("Computer", 2)["computertypes_id"] = 3
        source = self._glpi(server)
        source._sync()
        # the type is corrected in GLPI: its new row replaces the old one
        server.item("Computer", 2)["computertypes_id"] = 1
        server.touch("Computer", [2], "2030-01-01 10:00:00")
        run = source._sync()
        self.assertEqual(
            (run.retried_count, run.created_count, run.rejected_count), (0, 1, 0)
        )
        device = self._devices(source).filtered(lambda d: d.source_ref == "Computer/2")
        self.assertEqual(device.category_id.code, "laptop")

    def test_glpi_bad_token_leaves_register_untouched(self):
        server = self.serve(FakeGlpi(count=10, monitors=0, phones=0))
        source = self._source(
            "glpi", server, app_token=server.app_token, user_token="wrong"
        )
        run = source._sync()
        self.assertEqual(run.state, "failed")
        self.assertIn("token", run.message.lower())
        self.assertFalse(self._devices(source))
        self.assertFalse(source.cursor)

    def _glpi_v2(self, server, **values):
        credentials = {
            "oauth_client_id": server.client_id,
            "oauth_client_secret": server.client_secret,
            "oauth_username": server.username,
            "oauth_password": server.password,
        }
        return self._source("glpi", server, glpi_api="v2", **{**credentials, **values})

    def test_glpi_v2_full_then_incremental(self):
        server = self.serve(FakeGlpiHl(count=40, monitors=5, phones=3))
        source = self._glpi_v2(server)
        run = source._sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.created_count + run.rejected_count, 48)
        self.assertGreater(run.created_count, 40)
        self.assertEqual(source.cursor, "2024-01-11 00:19:00")
        device = self._devices(source).filtered(lambda d: d.source_ref == "Computer/7")
        self.assertEqual(device.serial, "PCSN000007")
        self.assertEqual(device.model, "EliteDesk 800 G4")
        self.assertEqual(device.owner_id, self.donor_a)
        # one device changed in GLPI: the next sync asks for what changed
        server.touch("Computer", [7], "2024-02-01 09:00:00")
        server.item("Computer", 7)["computermodels_id"] = 3
        again = source._sync()
        self.assertEqual(again.state, "done", again.message)
        self.assertEqual((again.created_count, again.updated_count), (0, 1))
        self.assertEqual(device.model, "T480")
        self.assertEqual(source.cursor, "2024-02-01 09:00:00")
        self.assertEqual(
            server.requests[-1].param("filter"),
            'is_deleted==false;date_mod=ge="2024-01-11 00:19:00"',
        )

    def test_glpi_switch_to_v2_keeps_devices(self):
        legacy = self.serve(FakeGlpi(count=30, monitors=4, phones=2))
        source = self._source(
            "glpi", legacy, app_token=legacy.app_token, user_token=legacy.user_token
        )
        first = source._sync()
        self.assertEqual(first.state, "done", first.message)
        devices = self._devices(source)
        server = self.serve(FakeGlpiHl(count=30, monitors=4, phones=2))
        source.write(
            {
                "url": server.url,
                "glpi_api": "v2",
                "oauth_client_id": server.client_id,
                "oauth_client_secret": server.client_secret,
                "oauth_username": server.username,
                "oauth_password": server.password,
                "cursor": False,
            }
        )
        run = source._sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.created_count, 0)
        self.assertEqual(self._devices(source), devices)

    def test_glpi_v2_bad_credentials_leave_register_untouched(self):
        server = self.serve(FakeGlpiHl(count=10, monitors=0, phones=0))
        source = self._glpi_v2(server, oauth_client_secret="wrong")
        run = source._sync()
        self.assertEqual(run.state, "failed")
        # the source, what failed and what to do
        self.assertIn("glpi test: GLPI at", run.message)
        self.assertIn("check the client ID and client secret", run.message)
        self.assertNotIn("wrong", run.message)
        self.assertFalse(self._devices(source))
        self.assertFalse(source.cursor)

    def test_glpi_v2_network_error_mid_sync_loses_nothing(self):
        server = self.serve(FakeGlpiHl(count=120, monitors=0, phones=0))
        source = self._glpi_v2(server)
        first = source._sync()
        self.assertEqual(first.state, "done", first.message)
        devices = self._devices(source)
        models = devices.mapped("model")
        cursor = source.cursor
        for number in range(1, 121):
            server.item("Computer", number)["computermodels_id"] = 3
        server.touch("Computer", range(1, 121), "2030-01-01 10:00:00")
        server.inject("disconnect", "/v2/Assets/Computer", page=1)
        failed = source._sync()
        self.assertEqual(failed.state, "failed")
        self.assertIn("GET /glpi/api.php/v2/Assets/Computer", failed.message)
        self.assertIn("4 attempt(s)", failed.message)
        self.assertFalse(failed.created_count or failed.updated_count)
        self.assertEqual(self._devices(source), devices)
        self.assertEqual(devices.mapped("model"), models)
        self.assertEqual(source.cursor, cursor)

    def test_oauth_credentials_for_administrators_only(self):
        source = self.env["reemploi.import.source"].create(
            {
                "name": "GLPI 11",
                "kind": "glpi",
                "owner_id": self.donor_a.id,
                "url": "https://glpi.example.org/api.php",
                "glpi_api": "v2",
                "oauth_client_id": "client",
                "oauth_client_secret": "secret",
            }
        )
        coordinator = source.with_user(self.user_coordinator)
        self.assertEqual(coordinator.glpi_api, "v2")
        for name in (
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_username",
            "oauth_password",
        ):
            with self.subTest(field=name):
                self.assertNotIn(name, coordinator.fields_get())
                with self.assertRaises(AccessError):
                    coordinator.read([name])
        admin = new_test_user(
            self.env,
            login="glpi_admin",
            groups="base.group_system,reemploi_asset.group_reemploi_coordinator",
        )
        with Form(source.with_user(admin)) as form:
            form.oauth_username = "api-reemploi"
        self.assertEqual(source.oauth_username, "api-reemploi")
        self.assertEqual(source.oauth_client_secret, "secret")

    def test_network_error_mid_sync_loses_nothing(self):
        server = self.serve(FakeSnipeIt(count=120))
        source = self._source("snipeit", server, user_token=server.token)
        first = source._sync()
        self.assertEqual(first.state, "done", first.message)
        devices = self._devices(source)
        cursor = source.cursor
        server.touch(range(1, 120), "2030-01-01 10:00:00")
        server.inject("disconnect", "/api/v1/hardware", page=1)
        failed = source._sync()
        self.assertEqual(failed.state, "failed")
        self.assertFalse(failed.created_count or failed.updated_count)
        self.assertEqual(self._devices(source), devices)
        self.assertEqual(source.cursor, cursor)

    def test_ocs_soap(self):
        server = self.serve(FakeOcsSoap(count=30, results_limit=10))
        source = self._source(
            "ocs",
            server,
            ocs_protocol="soap",
            app_token=server.login,
            user_token=server.password,
        )
        run = source._sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.created_count + run.rejected_count, 30)
        self.assertGreater(run.created_count, 0)

    def test_large_sync_in_background_cursor_at_the_end(self):
        server = self.serve(FakeSnipeIt(count=60))
        source = self._source("snipeit", server, user_token=server.token)
        run = source.with_context(reemploi_background_rows=20)._sync()
        self.assertEqual(run.state, "queued")
        self.assertFalse(source.cursor)
        while run.state == "queued":
            self.env["reemploi.import.run"]._cron_process_queued()
        self.assertEqual(run.state, "done")
        self.assertTrue(source.cursor)

    def test_cron_follows_source(self):
        server = self.serve(FakeSnipeIt(count=12))
        source = self._source("snipeit", server, user_token=server.token)
        source.interval_minutes = 60
        self.assertEqual(source.cron_id.interval_number, 60)
        source.active = False
        self.assertFalse(source.cron_id.active)
        file_source = self.env["reemploi.import.source"].create(
            {"name": "Fichier", "owner_id": self.donor_a.id}
        )
        self.assertFalse(file_source.cron_id)
