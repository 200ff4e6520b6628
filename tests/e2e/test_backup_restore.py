"""Backup and restore of the database with its filestore, as README.md
documents them (``odoo db dump`` / ``odoo db load``), and the web database
manager's backup (``/web/database/backup``): the restored database serves
the same register, its custody chains still verify and its documents are
read back from the restored filestore, byte for byte.
"""

import hashlib
import io
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import requests
from harness import HTTP_TIMEOUT, OdooServer, ServerCase, runner
from journeys import b64

# the tables whose rows must all come back
TABLES = (
    "reemploi_equipment",
    "reemploi_custody_event",
    "reemploi_lot",
    "ir_attachment",
    "res_partner",
)
# Odoo's master password when the configuration sets none (the harness's)
MASTER_PASSWORD = os.environ.get("E2E_MASTER_PASSWORD", "admin")


class TestBackupRestore(ServerCase):
    def setUp(self):
        super().setUp()
        self.tmp = Path(tempfile.mkdtemp(prefix="reemploi-backup-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.token = secrets.token_hex(4)
        self.restored = f"{self.server.dbname}_restored_{self.token}"[:63]

    # ------------------------------------------------------------ helpers
    def _odoo_db(self, *args):
        """``odoo db ...`` (the CLI of README.md) against the server's
        PostgreSQL and data directory."""
        conn = self.server.conn_args
        cmd = [
            sys.executable,
            str(self.server.launcher),
            "db",
            f"--config={self.server.config}",
            f"--data-dir={self.server.data_dir}",
            f"--db_port={conn['port']}",
            f"--db_user={conn['user']}",
        ]
        if conn["host"]:
            cmd.append(f"--db_host={conn['host']}")
        done = subprocess.run(
            cmd + list(args),
            env=self.server.env,
            cwd=self.tmp,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        self.assertEqual(
            done.returncode, 0, f"odoo db {args[0]}: {done.stderr[-2000:]}"
        )
        return done

    def _counts(self, dbname):
        import psycopg2  # noqa: PLC0415 (an Odoo dependency)

        conn = psycopg2.connect(
            dbname=dbname, connect_timeout=5, **self.server.conn_args
        )
        try:
            with conn.cursor() as cr:
                counts = {}
                for table in TABLES:
                    cr.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (constants)
                    counts[table] = cr.fetchone()[0]
                return counts
        finally:
            conn.close()

    def _drop_restored(self):
        runner.drop_database(self.server.conn_args, self.restored)
        shutil.rmtree(
            self.server.data_dir / "filestore" / self.restored, ignore_errors=True
        )

    def _data(self):
        """Two devices with a history and a document of the first one."""
        admin = self.server.rpc()
        donor_id = admin(
            "res.partner",
            "create",
            {"name": f"Donateur sauvegarde {self.token}", "is_company": True},
        )
        device_ids = admin(
            "reemploi.equipment",
            "create",
            [
                {
                    "serial": f"BK-{self.token}-{index}",
                    "manufacturer": "Lenovo",
                    "model": "ThinkPad T480",
                    "category_id": admin.ref("reemploi_asset.category_laptop"),
                    "owner_id": donor_id,
                }
                for index in (1, 2)
            ],
        )
        admin("reemploi.equipment", "action_to_decommission", device_ids)
        content = b"%PDF-1.4\n% erasure report " + secrets.token_bytes(4096)
        attachment_id = admin(
            "ir.attachment",
            "create",
            {
                "name": f"rapport-effacement-{self.token}.pdf",
                "datas": b64(content),
                "mimetype": "application/pdf",
                "res_model": "reemploi.equipment",
                "res_id": device_ids[0],
            },
        )
        store_fname = admin("ir.attachment", "read", [attachment_id], ["store_fname"])[
            0
        ]["store_fname"]
        self.assertTrue(store_fname, "the attachment is not in the filestore")
        return device_ids, attachment_id, store_fname, content

    # --------------------------------------------------------------- tests
    def test_web_backup_holds_database_and_filestore(self):
        """The database manager's backup: a zip of the SQL dump and the
        filestore (what an administrator downloads when list_db is on)."""
        _devices, _attachment, store_fname, content = self._data()
        response = requests.post(
            f"{self.server.url}/web/database/backup",
            data={
                "master_pwd": MASTER_PASSWORD,
                "name": self.server.dbname,
                "backup_format": "zip",
            },
            timeout=HTTP_TIMEOUT,
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Type"], "application/octet-stream; charset=binary"
        )
        with zipfile.ZipFile(io.BytesIO(response.content)) as backup:
            names = set(backup.namelist())
            self.assertIn("dump.sql", names)
            self.assertIn("manifest.json", names)
            self.assertEqual(backup.read(f"filestore/{store_fname}"), content)
            self.assertIn(b"reemploi_custody_event", backup.read("dump.sql"))

    def test_dump_and_load(self):
        device_ids, attachment_id, store_fname, content = self._data()
        before = self._counts(self.server.dbname)
        backup = self.tmp / "reemploi.zip"
        self._odoo_db("dump", self.server.dbname, str(backup))
        with zipfile.ZipFile(backup) as archive:
            self.assertEqual(archive.read(f"filestore/{store_fname}"), content)

        self.addCleanup(self._drop_restored)
        self._odoo_db("load", self.restored, str(backup))
        self.assertEqual(self._counts(self.restored), before)
        restored_file = self.server.data_dir / "filestore" / self.restored / store_fname
        self.assertEqual(
            hashlib.sha1(restored_file.read_bytes()).hexdigest(),  # noqa: S324
            hashlib.sha1(content).hexdigest(),  # noqa: S324
        )

        # a server on the restored database reads the same records back
        restored = OdooServer(
            dbname=self.restored, data_dir=self.server.data_dir, workers=0
        )
        restored.start()
        self.addCleanup(restored.stop)
        admin = restored.rpc()
        attachment = admin(
            "ir.attachment", "read", [attachment_id], ["datas", "checksum", "res_id"]
        )[0]
        self.assertEqual(attachment["res_id"], device_ids[0])
        self.assertEqual(attachment["datas"], b64(content))
        self.assertEqual(
            attachment["checksum"],
            hashlib.sha1(content).hexdigest(),  # noqa: S324
        )
        devices = admin("reemploi.equipment", "read", device_ids, ["serial", "state"])
        self.assertEqual(
            [(d["serial"], d["state"]) for d in devices],
            [(f"BK-{self.token}-{i}", "to_decommission") for i in (1, 2)],
        )
        for device_id in device_ids:
            result = admin("reemploi.equipment", "action_verify_custody", [device_id])
            self.assertEqual(result["params"]["type"], "success", result)
        errors = restored.records_since(0)  # the whole log of that server
        self.assertFalse(errors, errors[:1])
