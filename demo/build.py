#!/usr/bin/env python3
"""Build the French demonstration database of Réemploi, and serve it.

    python3 demo/build.py [--db reemploi] [--data-dir DIR] [--force] [--serve]

The one way the demo database is made: ``docker compose up`` (service
``odoo-init`` of docker-compose.yml), ``./demo.sh`` (Odoo without Docker)
and the end-to-end tests (``demo_server()`` in tests/e2e/harness.py) all run
this script.

1. Create the database as Odoo's database manager does for an
   organisation in France (demo data, French, country France): accounting,
   installed next, then keeps the French chart of accounts and the euro
   (a company's currency cannot change once the accounting demo posted
   entries).
   Then install the four addons WITH their demo data and French loaded:
   ``odoo --init=<addons> --load-language=fr_FR --stop-after-init``.
2. Finish the demo inside Odoo, ``odoo shell`` running
   ``env["reemploi.demo"]._setup()`` (reemploi_market/models/reemploi_demo.py):
   French for every user and contact and for the ones created later, French
   as the websites' default language, onboarding tours on for the operators
   and coordinators.
3. With ``--serve``: run Odoo on ``--port`` (8069) serving that database.

A database already built (the four addons installed and French the default
language) is left as it is; ``--force`` drops it and its filestore first.
Exit codes: 0 success, 1 failure (Odoo logged an ERROR, demo data that did
not install...), 2 missing prerequisite.

Odoo and PostgreSQL are found as tests/run.py finds them: the ``odoo``
package importable by this Python (or ``ODOO_PATH``), ``PGHOST``,
``PGPORT`` (default 127.0.0.1:5432, then the local socket), ``PGUSER``,
``PGPASSWORD``, ``EXTRA_ADDONS_PATH``. ``~/.odoorc`` is not read.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

import run as runner  # noqa: E402 (tests/run.py: finds Odoo and PostgreSQL)

MODULES = (
    "reemploi_asset",
    "reemploi_market",
    "reemploi_social",
    "reemploi_gamification",
)
LANG = "fr_FR"
DEFAULT_DB = "reemploi"
DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "Odoo"  # Odoo's own default
READY = "REEMPLOI_DEMO_READY"
COUNTRY = "fr"
# odoo/service/db.py: what the database manager's "Create database" runs for
# an organisation in France: demo data, French, and the country, from which
# accounting (installed with the addons) takes the French chart of accounts
# and the euro
CREATE = f"""\
import sys

import odoo
from odoo.service import db

odoo.tools.config.parse_config(sys.argv[1:])
name = odoo.tools.config["db_name"]
if not db.exp_db_exist(name):
    db.exp_create_database(name, True, {LANG!r}, "admin", "admin", {COUNTRY!r})
"""
SETUP = f"""\
env["reemploi.demo"]._setup({LANG!r})
env.cr.commit()
print({READY!r})
"""
# what Odoo prints while it installs: shown as progress
PROGRESS_RE = re.compile(r"^(loading \d+ modules|Modules loaded|\d+ modules? )")


class BuildError(Exception):
    """Odoo failed to build the database."""


class Odoo:
    """Command lines of one Odoo 18.0 for one database."""

    def __init__(self, dbname, data_dir):
        _pkg, core = runner.find_odoo()
        self.addons = runner.addons_dirs(core)
        self.conn_args = runner.pg_connect_args()
        self.dbname = dbname
        self.data_dir = Path(data_dir)
        self.env = runner.odoo_environ()
        self.tmp = Path(tempfile.mkdtemp(prefix="reemploi-demo-"))
        self.config = self.tmp / "odoo.conf"
        self.config.write_text("[options]\n", encoding="utf-8")  # not ~/.odoorc

    def command(self, *args, subcommand=None):
        cmd = [sys.executable, "-m", "odoo"]
        if subcommand:
            cmd.append(subcommand)
        cmd += runner.database_args(
            self.config, self.addons, self.data_dir, self.dbname, self.conn_args
        )
        return cmd + list(args)

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ------------------------------------------------------------ state
    def is_built(self):
        """The four addons installed and French the default language."""
        states, _error = runner.module_states(
            self.conn_args, self.dbname, list(MODULES)
        )
        if not states or any(states.get(m) != "installed" for m in MODULES):
            return False
        import psycopg2  # noqa: PLC0415 (an Odoo dependency)

        conn = psycopg2.connect(dbname=self.dbname, connect_timeout=5, **self.conn_args)
        try:
            with conn, conn.cursor() as cr:
                cr.execute(
                    "SELECT d.json_value FROM ir_default d "
                    "JOIN ir_model_fields f ON f.id = d.field_id "
                    "WHERE f.model = 'res.partner' AND f.name = 'lang' "
                    "AND d.user_id IS NULL AND d.company_id IS NULL"
                )
                return [row[0] for row in cr.fetchall()] == [f'"{LANG}"']
        finally:
            conn.close()

    def drop(self):
        runner.drop_database(self.conn_args, self.dbname)
        shutil.rmtree(self.data_dir / "filestore" / self.dbname, ignore_errors=True)

    # ------------------------------------------------------------- steps
    def create(self, log):
        """The database with Odoo's demo data, French and country France,
        when it does not exist yet."""
        cmd = [sys.executable, "-c", CREATE] + self.command()[3:]
        self._run(cmd, log, "creating the database (France, euro)")

    def install(self, log):
        cmd = self.command(
            f"--init={','.join(MODULES)}",
            f"--load-language={LANG}",
            "--stop-after-init",
            "--workers=0",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            f"--http-port={runner.free_port()}",
            "--log-level=info",
        )
        self._run(cmd, log, "installing the addons with their demo data")

    def setup(self, log):
        cmd = self.command("--no-http", "--log-level=warn", subcommand="shell")
        output = self._run(cmd, log, "French and onboarding", stdin=SETUP)
        if READY not in output:
            raise BuildError(f"odoo shell did not finish the setup (log {log})")

    def _run(self, cmd, log, what, stdin=None):
        """Run Odoo, keep its log in ``log``, show its progress and its
        warnings; raise BuildError on an ERROR line or a failure."""
        print(f"demo: {what} ({self.dbname})...", flush=True)
        started = time.monotonic()
        errors, lines = [], []
        with (
            open(log, "a", encoding="utf-8") as out,
            subprocess.Popen(
                cmd,
                env=self.env,
                cwd=self.tmp,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                bufsize=1,
            ) as proc,
        ):
            if stdin is not None:
                proc.stdin.write(stdin)
                proc.stdin.close()
            for line in proc.stdout:
                out.write(line)
                lines.append(line)
                match = runner.LOG_RE.match(line.rstrip("\n"))
                if not match:
                    continue
                level, msg = match["level"], match["msg"]
                if level in ("ERROR", "CRITICAL") or (
                    level == "WARNING" and runner.DEMO_FAILED_RE.search(msg)
                ):
                    errors.append(f"{level} {match['logger']}: {msg}")
                if level != "INFO" or PROGRESS_RE.match(msg):
                    print(f"  {level} {match['logger']}: {msg}", flush=True)
            returncode = proc.wait()
        if returncode or errors:
            raise BuildError(
                f"{what} failed (exit {returncode}, log {log}): "
                + " | ".join(errors[:3] or [ln.strip() for ln in lines[-5:]])
            )
        print(f"demo: {what}: {time.monotonic() - started:.0f} s", flush=True)
        return "".join(lines)


def build(dbname=DEFAULT_DB, data_dir=DEFAULT_DATA_DIR, force=False, log=None):
    """Build the demo database ``dbname`` (filestore under ``data_dir``)
    unless it is built already; return the Odoo used (``cleanup()`` it)."""
    odoo = Odoo(dbname, data_dir)
    log = Path(log) if log else odoo.tmp / "build.log"
    if force:
        print(f"demo: --force: dropping {dbname} and its filestore", flush=True)
        odoo.drop()
    elif odoo.is_built():
        print(f"demo: database {dbname} is built already (--force rebuilds it)")
        return odoo
    odoo.create(log)
    odoo.install(log)
    odoo.setup(log)
    if not odoo.is_built():
        raise BuildError(
            f"database {dbname} is not complete after the build (log {log})"
        )
    print(f"demo: database {dbname} ready (log {log})", flush=True)
    return odoo


def serve(odoo, port):
    """Replace this process with Odoo serving the database."""
    cmd = odoo.command(
        "--workers=0",
        "--max-cron-threads=1",
        f"--http-port={port}",
        "--log-level=info",
    )
    print(
        f"demo: serving {odoo.dbname} on http://localhost:{port} "
        "(admin / admin; README.md lists the demo accounts); Ctrl+C stops",
        flush=True,
    )
    sys.stdout.flush()
    os.execve(sys.executable, cmd, odoo.env)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Build (and serve) the French demo database of Réemploi."
    )
    parser.add_argument("--db", default=DEFAULT_DB, help="database name (reemploi)")
    parser.add_argument(
        "--data-dir",
        default=str(DEFAULT_DATA_DIR),
        help=f"Odoo's data directory, holding the filestore ({DEFAULT_DATA_DIR})",
    )
    parser.add_argument(
        "--force", action="store_true", help="drop the database and build it again"
    )
    parser.add_argument(
        "--serve",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="serve the database once built (default: build only)",
    )
    parser.add_argument("--port", type=int, default=8069, help="HTTP port (8069)")
    parser.add_argument("--log", help="keep Odoo's log in this file")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[\w.-]+", args.db):
        parser.error(f"invalid database name {args.db!r}")
    try:
        odoo = build(args.db, Path(args.data_dir).expanduser(), args.force, args.log)
    except runner.Prerequisite as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    if args.serve:
        serve(odoo, args.port)
    odoo.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
