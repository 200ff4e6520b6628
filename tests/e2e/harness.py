"""Drive a real Odoo 18.0 server from outside, for the end-to-end tests.

Odoo's ``HttpCase`` runs every request of a test in the test's own cursor,
one after the other: it cannot show what concurrent transactions do. These
tests start ``python3 -m odoo`` as a real multi-process server (``--workers``)
on a loopback port and talk to it the way browsers and integrations do:
HTTP with a session cookie and a CSRF token (``requests``), XML-RPC for the
administrator's setup (``xmlrpc.client``), and ``psycopg2`` straight to the
database to check what was committed.

The server is shared by every test of the process (``shared_server()``) and
stopped at the end. Its database is either

* a new one, ``reemploi_e2e_<timestamp>_<random>``, where ``MODULES`` are
  installed without demo data, dropped at the end unless ``KEEP_DB=1``; or
* an existing one that has ``MODULES`` installed already, given by
  ``E2E_DB`` (or ``configure()``, as ``tests/run.py`` does with the database
  it has just tested): left as it is, never dropped here.

Journeys that start from the demo database (what ``docker compose up`` and
``./demo.sh`` show: the four addons with their demo data, in French) use
``DemoCase`` or ``demo_server()``: the demo database is built once per
process by the demo's own builder, ``demo/build.py`` (``build()``, as
``python3 demo/build.py --db reemploi_demo_<timestamp>_<random>``), then each
``DemoCase`` class gets its own copy (``CREATE DATABASE ... TEMPLATE``, plus
the filestore) served by its own ``OdooServer``, dropped when the class ends.
``E2E_DEMO_DB`` (and ``E2E_DEMO_DATA_DIR``, its data directory) names a demo
database built already (``./demo.sh --no-serve --db NAME``): it is copied,
never changed. See ``tests/e2e/test_demo_database.py``.

Odoo, its addons and PostgreSQL are found the way ``tests/run.py`` finds
them (``ODOO_PATH``, ``EXTRA_ADDONS_PATH``, ``PGHOST``/``PGPORT``/``PGUSER``/
``PGPASSWORD``). Other settings: ``E2E_WORKERS`` (default 4), ``E2E_DATA_DIR``
(the filestore of the ``E2E_DB`` database).

Run alone: ``python3 -m unittest discover -s tests/e2e -v``.
"""

import atexit
import importlib.util
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xmlrpc.client
from pathlib import Path

import requests

TESTS_DIR = Path(__file__).resolve().parent.parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

import run as runner  # noqa: E402 (tests/run.py: finds Odoo and PostgreSQL)
from front import Front  # noqa: E402


def _load_demo_builder():
    """demo/build.py, the builder of the demo database, as a module (its
    name, "build", is too common to put its directory on sys.path)."""
    name = "reemploi_demo_build"
    if name not in sys.modules:
        path = TESTS_DIR.parent / "demo" / "build.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


demo_builder = _load_demo_builder()

MODULES = runner.E2E_MODULES
ADMIN = ("admin", "admin")
CSRF_RE = re.compile(
    r'name="csrf_token"\s+value="(?P<input>[^"]+)"|csrf_token:\s*"(?P<script>[^"]+)"'
)
# odoo/service/model.py: retrying() after a serialization failure or deadlock
RETRY_RE = re.compile(r"^(?P<code>\w+), \d+ tries left, try again")
GAVE_UP_RE = re.compile(r"^(?P<code>\w+), maximum number of tries reached")
# odoo/sql_db.py logs every failed query at ERROR, also those retrying()
# runs again: these are the retries counted above, not errors
RETRIED_QUERY_RE = re.compile(
    r"^bad query: .*^ERROR: (could not serialize access|deadlock detected|"
    r"could not obtain lock)",
    re.S | re.M,
)
HTTP_TIMEOUT = 300
# What odoo-bin does. `python3 -m odoo` would do for one process, but the
# prefork server starts its gevent process as `python3 <sys.argv[0]> gevent`,
# which needs a script, not odoo/__main__.py.
LAUNCHER = """\
__import__("os").environ["TZ"] = "UTC"
import odoo

odoo.cli.main()
"""


class ServerError(Exception):
    """The server could not be prepared or started."""


class OdooServer:
    """One ``python3 -m odoo`` process serving one database on loopback."""

    def __init__(
        self,
        modules=MODULES,
        dbname=None,
        data_dir=None,
        workers=4,
        drop=False,
        cron_threads=0,
    ):
        """``drop``: drop ``dbname`` (and its filestore) on stop, e.g. a
        copy of the demo database made for this server; ``cron_threads``:
        scheduled jobs run by the server (none by default: tests trigger
        what they need)."""
        self.cron_threads = cron_threads
        self.modules = list(modules)
        self.dbname = dbname
        self.owns_db = dbname is None
        self.drops_db = self.owns_db or drop
        self.data_dir = Path(data_dir) if data_dir else None
        self.workers = workers
        self.tmp = None
        self.proc = None
        self.port = None
        self.url = None
        self.log_path = None
        self.records = []  # (level, logger, text) of the server's log
        self._lock = threading.Lock()
        self._reader = None
        self._front = None

    # ------------------------------------------------------------ lifecycle
    def start(self):
        _odoo_pkg, core = runner.find_odoo()
        self.addons = runner.addons_dirs(core)
        self.conn_args = runner.pg_connect_args()
        self.env = runner.odoo_environ()
        self.tmp = Path(tempfile.mkdtemp(prefix="reemploi-e2e-"))
        self.config = self.tmp / "odoo.conf"
        self.config.write_text("[options]\n", encoding="utf-8")  # ignore ~/.odoorc
        self.launcher = self.tmp / "odoo-server.py"
        self.launcher.write_text(LAUNCHER, encoding="utf-8")
        if self.data_dir is None:
            self.data_dir = self.tmp / "data"
        try:
            if self.owns_db:
                self.dbname = (
                    f"reemploi_e2e_{time.strftime('%Y%m%d_%H%M%S')}_"
                    f"{secrets.token_hex(3)}"
                )
                self._install()
            else:
                self._check_installed()
            self._serve()
        except BaseException:
            self.stop()
            raise
        return self

    def _base_cmd(self):
        return [
            sys.executable,
            str(self.launcher),
            *runner.database_args(
                self.config, self.addons, self.data_dir, self.dbname, self.conn_args
            ),
            "--max-cron-threads=0",
            "--limit-memory-hard=0",
            "--http-interface=127.0.0.1",
        ]

    def _install(self):
        """Create the database and install the modules, without demo data:
        the tests create what they need."""
        log = self.tmp / "install.log"
        cmd = self._base_cmd() + [
            f"--init={','.join(self.modules)}",
            "--without-demo=all",
            "--stop-after-init",
            "--workers=0",
            f"--http-port={runner.free_port()}",
            "--log-level=warn",
        ]
        print(f"e2e: installing {', '.join(self.modules)} in {self.dbname}", flush=True)
        started = time.monotonic()
        with open(log, "w", encoding="utf-8") as out:
            done = subprocess.run(
                cmd,
                env=self.env,
                cwd=self.tmp,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        text = log.read_text(encoding="utf-8", errors="replace")
        errors = [
            m.group(0)
            for m in map(runner.LOG_RE.match, text.splitlines())
            if m and m["level"] in ("ERROR", "CRITICAL")
        ]
        if done.returncode or errors:
            raise ServerError(
                f"installing {', '.join(self.modules)} failed (exit "
                f"{done.returncode}, log {log}): "
                + " | ".join(errors[:3] or text.splitlines()[-5:])
            )
        self._check_installed()
        print(f"e2e: installed in {time.monotonic() - started:.0f} s", flush=True)

    def _check_installed(self):
        states, error = runner.module_states(self.conn_args, self.dbname, self.modules)
        if states is None:
            raise ServerError(f"database {self.dbname} unreadable: {error}")
        missing = [m for m in self.modules if states.get(m) != "installed"]
        if missing:
            raise ServerError(
                f"{', '.join(missing)} not installed in database {self.dbname}"
            )

    def _serve(self):
        self.port = runner.free_port()
        self.gevent_port = runner.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.tmp / "server.log"
        cmd = self._base_cmd() + [
            f"--workers={self.workers}",
            f"--max-cron-threads={self.cron_threads}",
            f"--http-port={self.port}",
            # the prefork server also starts a gevent process for websockets
            f"--gevent-port={self.gevent_port}",
            "--limit-time-real=900",
            "--limit-time-cpu=600",
            "--log-level=info",
        ]
        self.proc = subprocess.Popen(
            cmd,
            env=self.env,
            cwd=self.tmp,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
            start_new_session=True,  # its own process group: workers included
        )
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        self._wait_health()
        print(
            f"e2e: Odoo serving {self.dbname} at {self.url} with {self.workers} "
            f"workers (log {self.log_path})",
            flush=True,
        )

    def _read_log(self):
        record = None
        with open(self.log_path, "w", encoding="utf-8") as log:
            for line in self.proc.stdout:
                log.write(line)
                log.flush()
                match = runner.LOG_RE.match(line.rstrip("\n"))
                if match:
                    self._keep(record)
                    record = [match["level"], match["logger"], [match["msg"]]]
                elif record is not None:
                    record[2].append(line.rstrip("\n"))
            self._keep(record)

    def _keep(self, record):
        if record is not None:
            with self._lock:
                self.records.append((record[0], record[1], "\n".join(record[2])))

    def _wait_health(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(
                    f"Odoo exited with code {self.proc.returncode} on start: "
                    f"{self._tail()}"
                )
            try:
                response = requests.get(f"{self.url}/web/health", timeout=5)
                if response.status_code == 200 and response.json()["status"] == "pass":
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        raise ServerError(f"/web/health did not answer in {timeout} s: {self._tail()}")

    def _tail(self, lines=5):
        time.sleep(0.5)
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return (
            " | ".join(text.strip().splitlines()[-lines:]) + f" (log {self.log_path})"
        )

    @property
    def front_url(self):
        """The address browsers use: a front routing ``/websocket`` to the
        gevent port, as a deployment's reverse proxy does (front.py)."""
        if self._front is None:
            self._front = Front(self.port, self.gevent_port)
        return self._front.url

    def stop(self):
        """Stop the server, drop the database it created (unless KEEP_DB=1)."""
        if self._front is not None:
            self._front.close()
            self._front = None
        if self.proc is not None and self.proc.poll() is None:
            _signal_group(self.proc, signal.SIGTERM)  # graceful: workers end
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                _signal_group(self.proc, signal.SIGKILL)
                self.proc.wait()
        if self.proc is not None:
            _signal_group(self.proc, signal.SIGKILL)  # workers left behind
            self.proc = None
        if self._reader is not None:
            self._reader.join(10)
            self._reader = None
        if self.drops_db and self.dbname:
            if os.environ.get("KEEP_DB") == "1":
                print(
                    f"KEEP_DB=1: e2e database {self.dbname} kept, filestore in "
                    f"{self.data_dir}",
                    flush=True,
                )
            else:
                try:
                    runner.drop_database(self.conn_args, self.dbname)
                except Exception as exc:  # noqa: BLE001 (report, then carry on)
                    print(f"warning: could not drop database {self.dbname}: {exc}")
                if self.owns_db:
                    shutil.rmtree(self.tmp / "data", ignore_errors=True)
                else:
                    shutil.rmtree(
                        self.data_dir / "filestore" / self.dbname, ignore_errors=True
                    )

    # ------------------------------------------------------------- the log
    def log_mark(self):
        with self._lock:
            return len(self.records)

    def records_since(self, mark, levels=("ERROR", "CRITICAL")):
        time.sleep(0.3)  # the last lines of a finished request
        with self._lock:
            return [
                r
                for r in self.records[mark:]
                if r[0] in levels
                and not (r[1] == "odoo.sql_db" and RETRIED_QUERY_RE.match(r[2]))
            ]

    def retries_since(self, mark):
        """(retries after a serialization failure or deadlock, requests
        that gave up after Odoo's last try) logged since ``mark``."""
        records = self.records_since(mark, levels=("INFO",))
        retries = sum(1 for r in records if RETRY_RE.match(r[2]))
        gave_up = sum(1 for r in records if GAVE_UP_RE.match(r[2]))
        return retries, gave_up

    # ---------------------------------------------------------- clients
    def rpc(self, login=ADMIN[0], password=ADMIN[1]):
        return Rpc(self.url, self.dbname, login, password)

    def session(self, login, password):
        """A ``requests.Session`` logged in through the login form."""
        session = requests.Session()
        page = session.get(f"{self.url}/web/login", timeout=HTTP_TIMEOUT)
        page.raise_for_status()
        response = session.post(
            f"{self.url}/web/login",
            data={
                "login": login,
                "password": password,
                "csrf_token": csrf_token(page.text),
                "redirect": "",
            },
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )
        if response.status_code not in (302, 303):
            raise ServerError(
                f"login of {login} refused (HTTP {response.status_code}): wrong "
                "password, or a user without access?"
            )
        return session

    def sql(self):
        """A psycopg2 connection to the server's database (autocommit)."""
        import psycopg2  # noqa: PLC0415 (an Odoo dependency)

        conn = psycopg2.connect(dbname=self.dbname, connect_timeout=5, **self.conn_args)
        conn.autocommit = True
        return conn


class Rpc:
    """XML-RPC as one user: ``rpc("res.partner", "create", [{...}])``.

    One ``ServerProxy`` per call: they are not thread-safe."""

    def __init__(self, url, dbname, login, password):
        self.url = url
        self.dbname = dbname
        self.password = password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.uid = common.authenticate(dbname, login, password, {})
        if not self.uid:
            raise ServerError(f"XML-RPC login of {login} refused")

    def __call__(self, model, method, *args, **kwargs):
        proxy = xmlrpc.client.ServerProxy(
            f"{self.url}/xmlrpc/2/object", allow_none=True
        )
        return proxy.execute_kw(
            self.dbname, self.uid, self.password, model, method, list(args), kwargs
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        found = self(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        if not found:
            raise ServerError(f"no record {xmlid}")
        return found[0]["res_id"]


def csrf_token(html):
    """The CSRF token of a page: a form's hidden input, or ``odoo.csrf_token``."""
    match = CSRF_RE.search(html)
    if not match:
        raise ServerError("no CSRF token in the page")
    return match["input"] or match["script"]


def _signal_group(proc, signum):
    try:
        os.killpg(proc.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


# ------------------------------------------------------- the shared server
_settings = {}
_server = None
_failure = []  # why the server could not start: not tried again


def configure(dbname=None, data_dir=None):
    """Serve an existing database (MODULES installed) instead of a new one."""
    _settings.update(dbname=dbname, data_dir=data_dir)


def shared_server():
    """The server of this process, started on first use."""
    global _server  # noqa: PLW0603 (one server per process)
    if _failure:
        raise ServerError(f"the server could not start: {_failure[0]}")
    if _server is None:
        dbname = _settings.get("dbname") or os.environ.get("E2E_DB") or None
        data_dir = _settings.get("data_dir") or os.environ.get("E2E_DATA_DIR") or None
        workers = int(os.environ.get("E2E_WORKERS") or 4)
        server = OdooServer(dbname=dbname, data_dir=data_dir, workers=workers)
        try:
            server.start()
        except Exception as exc:
            _failure.append(exc)
            raise
        _server = server
    return _server


def shutdown():
    global _server  # noqa: PLW0603
    if _server is not None:
        server, _server = _server, None
        server.stop()
    _drop_demo_database()


atexit.register(shutdown)


class ServerCase(unittest.TestCase):
    """A test against the shared server; fails on any ERROR the server logs
    during the test."""

    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = shared_server()

    def setUp(self):
        super().setUp()
        self._log_mark = self.server.log_mark()
        self.addCleanup(self._check_server_log)

    def _check_server_log(self):
        errors = self.server.records_since(self._log_mark)
        if errors:
            self.fail(
                f"the server logged {len(errors)} error(s) (log "
                f"{self.server.log_path}); first: "
                + runner._gist(f"{errors[0][1]}: {errors[0][2]}")
            )


# ------------------------------------------------------ the demo database
# README.md's demo accounts (password = login) and their role
DEMO_ACCOUNTS = {
    "claire.martin": "donor",
    "karim.benali": "donor",
    "lea.garnier": "operator",
    "thomas.roux": "operator",
    "sophie.lambert": "coordinator",
    "nadia.haddad": "association",
    "julien.morel": "association",
    "claire.morel": "social worker",
}
_demo = {}  # the demo database of this process: dbname, data_dir, built here


def demo_database():
    """(dbname, data_dir) of the demo database, built on first use with
    demo/build.py (``E2E_DEMO_DB``: one built already). Never served
    itself: journeys get copies (``copy_demo_database()``)."""
    if "error" in _demo:
        raise ServerError(f"the demo database could not be built: {_demo['error']}")
    if "dbname" not in _demo:
        given = os.environ.get("E2E_DEMO_DB")
        if given:
            data_dir = os.environ.get("E2E_DEMO_DATA_DIR") or str(
                demo_builder.DEFAULT_DATA_DIR
            )
            _demo.update(dbname=given, data_dir=Path(data_dir), built=False)
        else:
            tmp = Path(tempfile.mkdtemp(prefix="reemploi-demo-"))
            dbname = (
                f"reemploi_demo_{time.strftime('%Y%m%d_%H%M%S')}_{secrets.token_hex(3)}"
            )
            print(
                f"e2e: building the demo database {dbname} (demo/build.py)", flush=True
            )
            started = time.monotonic()
            _demo.update(dbname=dbname, data_dir=tmp / "data", built=True, tmp=tmp)
            try:
                odoo = demo_builder.build(dbname, tmp / "data", log=tmp / "build.log")
            except Exception as exc:
                _demo["error"] = exc
                raise
            odoo.cleanup()
            print(f"e2e: demo database built in {time.monotonic() - started:.0f} s")
    return _demo["dbname"], _demo["data_dir"]


def copy_demo_database(name=None):
    """A copy of the demo database and of its filestore (same data
    directory): (dbname, data_dir). The caller drops it (``OdooServer(...,
    drop=True)`` does)."""
    import psycopg2  # noqa: PLC0415 (an Odoo dependency)
    from psycopg2 import sql  # noqa: PLC0415

    source, data_dir = demo_database()
    name = name or f"{source[:40]}_copy_{secrets.token_hex(3)}"
    conn_args = runner.pg_connect_args()
    conn = psycopg2.connect(dbname="postgres", connect_timeout=5, **conn_args)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(source)
                )
            )
    finally:
        conn.close()
    filestore = Path(data_dir) / "filestore"
    if (filestore / source).is_dir():
        shutil.copytree(filestore / source, filestore / name)
    return name, data_dir


def demo_server(workers=None):
    """A started OdooServer serving a new copy of the demo database; its
    ``stop()`` drops the copy."""
    dbname, data_dir = copy_demo_database()
    workers = workers or int(os.environ.get("E2E_WORKERS") or 4)
    server = OdooServer(
        modules=demo_builder.MODULES,
        dbname=dbname,
        data_dir=data_dir,
        workers=workers,
        drop=True,
    )
    try:
        server.start()
    except BaseException:
        server.stop()  # drops the copy
        raise
    return server


def _drop_demo_database():
    if not _demo.get("built"):
        return
    dbname, tmp = _demo.pop("dbname"), _demo.pop("tmp")
    _demo.clear()
    if os.environ.get("KEEP_DB") == "1":
        print(f"KEEP_DB=1: demo database {dbname} kept, filestore in {tmp / 'data'}")
        return
    try:
        runner.drop_database(runner.pg_connect_args(), dbname)
    except Exception as exc:  # noqa: BLE001 (report, then carry on)
        print(f"warning: could not drop database {dbname}: {exc}")
    shutil.rmtree(tmp, ignore_errors=True)


class DemoCase(ServerCase):
    """A test class against its own copy of the demo database (the demo
    accounts of README.md, DEMO_ACCOUNTS, log in with password = login);
    fails on any ERROR the server logs during a test, as ServerCase."""

    @classmethod
    def setUpClass(cls):
        super(ServerCase, cls).setUpClass()  # not ServerCase's shared server
        cls.server = demo_server()
        cls.addClassCleanup(cls.server.stop)

    @classmethod
    def without_onboarding(cls, *logins):
        """Turn the onboarding off for these users: on the demo database
        the tour of their role starts at their first login (operators and
        coordinators), and its bubbles cover the page."""
        rpc = cls.server.rpc()
        users = rpc("res.users", "search", [("login", "in", list(logins))])
        if len(users) != len(logins):
            raise ServerError(f"not all of {', '.join(logins)} exist")
        rpc("res.users", "write", users, {"tour_enabled": False})
