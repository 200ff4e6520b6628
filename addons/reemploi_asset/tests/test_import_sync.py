"""Synchronisation of connected sources, end to end: our connector talks to
a real local server that answers like the tool, and the register follows."""

from odoo.tests import tagged

from .common import ReemploiCase
from .fake_servers import FakeGlpi, FakeOcsSoap, FakeSnipeIt


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
