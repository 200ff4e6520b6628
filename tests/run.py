#!/usr/bin/env python3
"""Run the Odoo tests of the Réemploi addons on a fresh database.

One Odoo 18.0 process installs the addons with ``--test-enable
--stop-after-init`` on a new, uniquely named PostgreSQL database, runs their
``at_install`` and ``post_install`` tests (HttpCase tours in headless
Chromium), streams its log and keeps a copy in a temporary directory. The log
is then read back the way Odoo 18.0 writes it (``odoo/tests/result.py``):

* ``INFO  <test module>: Starting <Class>.<method> ...``   one per test run
* ``ERROR <test module>: FAIL: <Class>.<method>``          a failed assertion
* ``ERROR <test module>: ERROR: <Class>.<method>``         an error in a test
  (also ``setUpClass (<module>.<Class>)`` for a class-level error)
* ``INFO  <test module>: skipped <Class>.<method> : <reason>``
  a skipped test, e.g. a tour without Chromium ("Chrome executable not found")
  or without websocket-client ("websocket-client module is not installed")
* ``<LEVEL> odoo.tests.result: N failed, N error(s) of N tests when loading
  database '<db>'``                                         the final summary

With the whole suite, the end-to-end tests of ``tests/e2e/`` then drive a
real multi-process Odoo server (see ``E2E`` below); they count in the same
verdict and the same last line.

The run fails on any failed test, test error or SKIPPED test, on any other
ERROR or CRITICAL log line, on a module whose demo data failed to install
(Odoo only warns and installs it without), when no test ran, when a module
is not installed
at the end, or when Odoo exits abnormally. The database is dropped afterwards
unless ``KEEP_DB=1``. The last line printed is ``N passed, N failed``.

Usage: ``tests/run.py [MODULE[,MODULE...] ...]`` (default: every directory
under ``addons/`` holding a ``__manifest__.py``).

Environment:
  ODOO_PATH          directory holding the ``odoo`` package (an Odoo 18.0
                     checkout), added to PYTHONPATH; default: whatever
                     ``import odoo`` finds
  PGHOST, PGPORT     PostgreSQL server (default 127.0.0.1:5432, then the local
  PGUSER, PGPASSWORD socket); PGUSER defaults to the current user, never
                     ``postgres`` (Odoo refuses it)
  KEEP_DB=1          keep the test database and its filestore
  EXTRA_ADDONS_PATH  more addons directories (``:`` or ``,`` separated)
  TEST_TAGS          Odoo ``--test-tags`` (default ``/module1,/module2,...``)
  CHROME_BIN         Chrome/Chromium executable to use for tours
  QUIET=1            stream only warnings, errors and test lines
  TEST_TIMEOUT       seconds before the run is aborted (default 7200)
  ODOO_ARGS          extra arguments for Odoo (shell syntax)
  E2E=1, E2E=0       run (or skip) the end-to-end tests of tests/e2e/ after
                     the Odoo tests; by default they run when reemploi_social
                     is among the modules and TEST_TAGS is not set. They drive
                     a real multi-process Odoo server serving the database
                     just tested (or a new one), and copies of the demo
                     database that demo/build.py builds once per run (the
                     same as docker compose up): see tests/e2e/harness.py
"""

import collections
import importlib.util
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
E2E_DIR = REPO / "tests" / "e2e"
CHROME_NAMES = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")

# "%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s"
LOG_RE = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+) (?P<pid>\d+) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) (?P<db>\S+) "
    r"(?P<logger>[^\s:]+): (?P<msg>.*)$"
)
START_RE = re.compile(r"^Starting (?P<desc>.+) \.\.\.$")
SKIP_RE = re.compile(r"^skipped (?P<desc>.+?) : (?P<reason>.*)$", re.S)
FAIL_RE = re.compile(r"^(?P<flavour>FAIL|ERROR): (?P<desc>[^\n]+)")
SUMMARY_RE = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
EXC_RE = re.compile(r"^[\w.]*(Error|Exception|Warning|Interrupt|Exit)\w*: ")
SUBTEST_RE = re.compile(r"^Subtest (?P<desc>\S+)")
DEMO_FAILED_RE = re.compile(r"demo data failed to install")
# ERROR lines that only repeat a test failure already counted
CONSEQUENCES = (
    (
        "odoo.modules.loading",
        re.compile(r"^At least one test failed when loading the modules"),
    ),
    (
        "odoo.modules.loading",
        re.compile(r"^Module \w+: \d+ failures, \d+ errors of \d+ tests"),
    ),
    ("odoo.service.server", re.compile(r": at least one error occurred in a test$")),
)
# loggers of the lines OdooTestResult writes: the test's module, or the suite
# for class-level errors and skips
TEST_LOGGERS = ("odoo.addons.", "odoo.tests", "unittest")
# loggers whose lines end the context of the test that started last
PHASE_LOGGERS = (
    "odoo.modules.loading",
    "odoo.service.server",
    "odoo.tests.result",
    "odoo.tests.stats",
)


class Prerequisite(Exception):
    """Something the run needs is missing: exit 2 with one line."""


def env_list(name):
    return [p for p in re.split(r"[:,]", os.environ.get(name, "")) if p.strip()]


# ---------------------------------------------------------------- discovery
def find_odoo():
    """Return (odoo package dir, core addons dir)."""
    odoo_path = os.environ.get("ODOO_PATH")
    if odoo_path:
        if not Path(odoo_path, "odoo", "__init__.py").is_file():
            raise Prerequisite(
                f"ODOO_PATH={odoo_path} holds no odoo/__init__.py: "
                "point it at an Odoo 18.0 checkout"
            )
        sys.path.insert(0, odoo_path)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [odoo_path] + [p for p in [os.environ.get("PYTHONPATH")] if p]
        )
    spec = importlib.util.find_spec("odoo")
    if spec is None or not spec.submodule_search_locations:
        raise Prerequisite(
            f"Odoo 18.0 not found: no importable 'odoo' package for {sys.executable}; "
            "put an Odoo 18.0 checkout on PYTHONPATH (or set ODOO_PATH=/path/to/odoo), "
            "or run inside the odoo:18.0 docker image"
        )
    pkg = Path(list(spec.submodule_search_locations)[0])
    release = (pkg / "release.py").read_text(encoding="utf-8", errors="replace")
    match = re.search(r"^version_info\s*=\s*\((\d+),\s*(\d+)", release, re.M)
    version = f"{match[1]}.{match[2]}" if match else "unknown"
    if version != "18.0":
        raise Prerequisite(
            f"Odoo {version} found at {pkg}, Odoo 18.0 is required: put an Odoo 18.0 "
            "checkout on PYTHONPATH (or ODOO_PATH) or use the odoo:18.0 docker image"
        )
    # packaged installs keep the core addons inside odoo/addons, a source
    # checkout keeps them in addons/ beside the package
    for candidate in (pkg / "addons", pkg.parent / "addons"):
        if (candidate / "web" / "__manifest__.py").is_file():
            return pkg, candidate.resolve()
    raise Prerequisite(
        f"Odoo 18.0 found at {pkg} but not its core addons (no web/__manifest__.py "
        f"in {pkg / 'addons'} nor {pkg.parent / 'addons'}): use a complete Odoo 18.0 "
        "install"
    )


def addons_dirs(core):
    dirs = [REPO / "addons"] + [
        Path(p).expanduser() for p in env_list("EXTRA_ADDONS_PATH")
    ]
    for d in dirs[1:]:
        if not d.is_dir():
            raise Prerequisite(f"EXTRA_ADDONS_PATH entry {d} is not a directory")
    return [d.resolve() for d in dirs if d.is_dir()] + [core]


def select_modules(argv, dirs):
    names = [n.strip() for arg in argv for n in arg.split(",") if n.strip()]
    if not names:
        names = sorted(
            p.parent.name for p in (REPO / "addons").glob("*/__manifest__.py")
        )
        if not names:
            raise Prerequisite(
                f"no addon (directory with a __manifest__.py) under {REPO / 'addons'}; "
                "pass module names as arguments"
            )
    for name in names:
        if not re.fullmatch(r"\w+", name):
            raise Prerequisite(f"invalid module name {name!r}")
        if not any((d / name / "__manifest__.py").is_file() for d in dirs):
            raise Prerequisite(
                f"module {name} not found in the addons path "
                f"({', '.join(map(str, dirs))}); set EXTRA_ADDONS_PATH?"
            )
    return names


def pg_connect_args():
    """Pick a reachable PostgreSQL: PGHOST, else 127.0.0.1, else the socket."""
    try:
        import psycopg2  # noqa: PLC0415 (an Odoo dependency)
    except ImportError as exc:
        raise Prerequisite(
            f"psycopg2 not importable by {sys.executable} ({exc}): "
            "pip install -r requirements.txt"
        ) from exc
    user = os.environ.get("PGUSER") or _current_user()
    if user == "postgres":
        raise Prerequisite(
            "Odoo refuses the database user 'postgres': set PGUSER to another "
            "role allowed to create databases"
        )
    port = os.environ.get("PGPORT") or "5432"
    hosts = [os.environ["PGHOST"]] if os.environ.get("PGHOST") else ["127.0.0.1", None]
    errors = []
    for host in hosts:
        args = {"host": host, "port": port, "user": user}
        try:
            conn = psycopg2.connect(dbname="postgres", connect_timeout=5, **args)
        except psycopg2.Error as exc:
            errors.append(
                f"{host or 'local socket'}: {str(exc).strip().splitlines()[0]}"
            )
            continue
        with conn, conn.cursor() as cr:
            cr.execute(
                "SELECT rolsuper OR rolcreatedb FROM pg_roles "
                "WHERE rolname = current_user"
            )
            can_create = cr.fetchone()[0]
        conn.close()
        if not can_create:
            raise Prerequisite(
                f"PostgreSQL role {user} may not create databases: "
                f"ALTER ROLE {user} CREATEDB, or set PGUSER"
            )
        return args
    raise Prerequisite(
        f"PostgreSQL not reachable as user {user} on port {port} "
        f"({'; '.join(errors)}): start it or set PGHOST/PGPORT/PGUSER/PGPASSWORD"
    )


def _current_user():
    import getpass  # noqa: PLC0415

    return getpass.getuser()


def database_args(config, addons, data_dir, dbname, conn_args):
    """The options of an Odoo process that serves ``dbname`` alone, with our
    config file (not ~/.odoorc), addons, data directory and PostgreSQL."""
    args = [
        f"--config={config}",
        f"--addons-path={','.join(map(str, addons))}",
        f"--data-dir={data_dir}",
        f"--database={dbname}",
        f"--db-filter=^{dbname}$",
        f"--db_port={conn_args['port']}",
        f"--db_user={conn_args['user']}",
    ]
    if conn_args["host"]:
        args.append(f"--db_host={conn_args['host']}")
    return args


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_environ():
    """The environment of an Odoo process: ours, without Odoo's own settings."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("ODOO_PY_COLORS", "ODOO_RC")
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def browser_env(tmp, env):
    """Make Odoo find CHROME_BIN; warn early when tours cannot run."""
    notes = []
    chrome_bin = os.environ.get("CHROME_BIN")
    if chrome_bin:
        exe = shutil.which(chrome_bin)
        if not exe:
            raise Prerequisite(f"CHROME_BIN={chrome_bin} is not an executable")
        # Odoo looks for these names in PATH only (odoo.tests.common._find_executable)
        bindir = tmp / "bin"
        bindir.mkdir()
        (bindir / CHROME_NAMES[0]).symlink_to(exe)
        env["PATH"] = os.pathsep.join([str(bindir), env.get("PATH", os.defpath)])
    elif not any(shutil.which(n, path=env.get("PATH")) for n in CHROME_NAMES):
        notes.append(
            "warning: no Chrome/Chromium in PATH (tried "
            + ", ".join(CHROME_NAMES)
            + "); HttpCase tours will be skipped and counted as failures "
            "(apt-get install chromium, or set CHROME_BIN)"
        )
    if importlib.util.find_spec("websocket") is None:
        notes.append(
            "warning: websocket-client is not installed; HttpCase tours will be "
            "skipped and counted as failures (pip install -r tests/requirements.txt)"
        )
    sbin_path = os.pathsep.join([env.get("PATH", ""), "/usr/sbin"])
    if not shutil.which("nwipe", path=sbin_path):
        notes.append(
            "warning: nwipe is not installed; the live erasure-report test will be "
            "skipped and counted as a failure (apt-get install nwipe; it also needs "
            "root and losetup)"
        )
    return notes


# ------------------------------------------------------------------ parsing
class LogReader:
    """Follow Odoo's log record by record and keep what decides the verdict."""

    def __init__(self):
        self.started = collections.Counter()  # (logger, "Class.method") -> runs
        self.failures = []  # (key, flavour, detail)
        self.skips = []  # (key, reason)
        self.error_lines = []  # (logger, level, text, context test key)
        self.summary = None
        self._record = None
        self._context = None

    def feed(self, line):
        match = LOG_RE.match(line)
        if match:
            self._flush()
            self._record = [match["level"], match["logger"], [match["msg"].rstrip()]]
        elif self._record is not None:
            self._record[2].append(line)

    def close(self):
        self._flush()

    def _flush(self):
        if self._record is None:
            return
        level, logger, lines = self._record
        self._record = None
        text = "\n".join(lines).rstrip()
        first = lines[0]
        if logger.startswith(PHASE_LOGGERS):
            self._context = None
        if level == "INFO" and logger.startswith("odoo.addons."):
            match = START_RE.match(first)
            if match:
                self._context = (logger, match["desc"])
                self.started[self._context] += 1
                return
        if logger.startswith("odoo.tests.result") and SUMMARY_RE.match(first):
            self.summary = {
                k: int(v) for k, v in SUMMARY_RE.match(first).groupdict().items()
            }
            return
        from_tests = logger.startswith(TEST_LOGGERS)
        match = SKIP_RE.match(text)
        if level == "INFO" and from_tests and match:
            self.skips.append(
                ((logger, _test_desc(match["desc"])), match["reason"].strip())
            )
            return
        if level == "WARNING" and DEMO_FAILED_RE.search(first):
            # Odoo installs the module without its demo data and goes on: the
            # demo is part of the product, so this fails the run
            self.error_lines.append((logger, level, text, None))
            return
        if level not in ("ERROR", "CRITICAL"):
            return
        match = FAIL_RE.match(text)
        if match and level == "ERROR" and from_tests:
            self.failures.append(
                (
                    (logger, _test_desc(match["desc"])),
                    match["flavour"],
                    _last_line(text),
                )
            )
            return
        if any(logger == lg and rx.search(first) for lg, rx in CONSEQUENCES):
            return
        self.error_lines.append((logger, level, text, self._context))


def _test_desc(desc):
    match = SUBTEST_RE.match(desc)
    return match["desc"] if match else desc.strip()


def _last_line(text):
    lines = [ln.strip() for ln in text.splitlines()[1:] if ln.strip()]
    return lines[-1] if lines else ""


def _gist(text):
    """First line of a log record, plus the exception line of its traceback."""
    lines = text.splitlines()
    gist = _short(lines[0], 200)
    exc = [ln for ln in lines[1:] if EXC_RE.match(ln)]
    return f"{gist} [{_short(exc[-1], 200)}]" if exc else gist


def _short(text, limit=300):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -------------------------------------------------------------- database
def module_states(conn_args, dbname, modules):
    import psycopg2  # noqa: PLC0415

    try:
        conn = psycopg2.connect(dbname=dbname, connect_timeout=5, **conn_args)
    except psycopg2.Error as exc:
        return None, str(exc).strip().splitlines()[0]
    try:
        with conn, conn.cursor() as cr:
            cr.execute(
                "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)",
                [modules],
            )
            return dict(cr.fetchall()), None
    except psycopg2.Error as exc:
        return None, str(exc).strip().splitlines()[0]
    finally:
        conn.close()


def drop_database(conn_args, dbname):
    import psycopg2  # noqa: PLC0415
    from psycopg2 import sql  # noqa: PLC0415

    conn = psycopg2.connect(dbname="postgres", connect_timeout=5, **conn_args)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            name = sql.Identifier(dbname)
            try:
                cr.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name)
                )
            except psycopg2.errors.SyntaxError:  # PostgreSQL < 13
                cr.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [dbname],
                )
                cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
    finally:
        conn.close()


# ------------------------------------------------------------ end-to-end
E2E_MODULES = ("reemploi_social",)  # what tests/e2e/harness.py installs


def e2e_wanted(modules):
    """E2E=1/0 forces the end-to-end phase on/off; by default it runs with
    the whole suite of modules that include E2E_MODULES (no TEST_TAGS)."""
    flag = os.environ.get("E2E", "")
    if flag not in ("", "0", "1"):
        raise Prerequisite(f"E2E={flag}: use E2E=1 (run them) or E2E=0 (skip them)")
    if flag:
        return flag == "1"
    return not os.environ.get("TEST_TAGS") and set(E2E_MODULES) <= set(modules)


class E2EResult(unittest.TextTestResult):
    """unittest's result, plus the verdict in tests/run.py's terms."""

    def verdict(self):
        """Return (one line per failed, erroring or skipped test, passed)."""
        bad = collections.OrderedDict()
        for flavour, entries in (("FAIL", self.failures), ("ERROR", self.errors)):
            for test, trace in entries:
                test = getattr(test, "test_case", test)  # a subtest's test
                bad.setdefault(
                    test.id(),
                    f"{flavour:<7} e2e: {test.id()}: {_short(_last_line(trace), 200)}",
                )
        for test, reason in self.skipped:
            bad.setdefault(test.id(), f"SKIPPED e2e: {test.id()}: {_short(reason)}")
        for test in self.unexpectedSuccesses:
            bad.setdefault(test.id(), f"FAIL    e2e: {test.id()}: unexpected success")
        counted = sum(1 for key in bad if not key.startswith(("setUp", "tearDown")))
        return list(bad.values()), max(self.testsRun - counted, 0)


def run_e2e(conn_args, dbname, data_dir, modules):
    """Run tests/e2e/test_*.py against a real server; return (problems,
    passed). The server serves ``dbname`` when it has E2E_MODULES installed
    (the database just tested), else a new database of its own."""
    print(f"\n==== Réemploi end-to-end tests: {E2E_DIR}", flush=True)
    states, _error = module_states(conn_args, dbname, list(E2E_MODULES))
    reuse = bool(states) and all(states.get(m) == "installed" for m in E2E_MODULES)
    if not reuse and set(E2E_MODULES) <= set(modules):
        # the Odoo run failed to install them, a failure counted already
        print("not run: the modules they need did not install", flush=True)
        return [], 0
    # the harness imports this file as `run`: share this very module
    sys.modules.setdefault("run", sys.modules[__name__])
    if str(E2E_DIR) not in sys.path:
        sys.path.insert(0, str(E2E_DIR))
    started = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        problems, passed = _run_e2e_suite(
            dbname if reuse else None, data_dir if reuse else None
        )
    except KeyboardInterrupt:
        problems, passed = ["end-to-end tests aborted: interrupted"], 0
    finally:
        if "harness" in sys.modules:
            sys.modules["harness"].shutdown()
        signal.signal(signal.SIGTERM, previous)
    print(f"end-to-end: {time.monotonic() - started:.0f} s", flush=True)
    for line in problems:
        print(line, flush=True)
    return problems, passed


def _run_e2e_suite(dbname, data_dir):
    try:
        import harness  # noqa: PLC0415 (tests/e2e/harness.py)
    except Exception as exc:  # noqa: BLE001 (reported as a failure)
        return [f"ERROR   e2e: tests/e2e/harness.py: {exc!r}"], 0
    harness.configure(dbname=dbname, data_dir=data_dir)
    suite = unittest.TestLoader().discover(
        str(E2E_DIR), pattern="test_*.py", top_level_dir=str(E2E_DIR)
    )
    runner = unittest.TextTestRunner(
        stream=sys.stdout, verbosity=2, resultclass=E2EResult
    )
    result = runner.run(suite)
    problems, passed = result.verdict()
    if not result.testsRun and not problems:
        problems.append(f"no end-to-end test found in {E2E_DIR}/test_*.py")
    return problems, passed


def _interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# -------------------------------------------------------------------- run
def run_odoo(cmd, env, log_path, reader, quiet, timeout):
    """Run Odoo, stream and keep its output; return (returncode, abort reason)."""
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=log_path.parent,  # files tests leave in the cwd (.hypothesis/) stay out
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
        start_new_session=True,  # its own process group, Chromium included
    )
    aborted = []
    killer = threading.Timer(30, _signal_group, (proc, signal.SIGKILL))
    killer.daemon = True

    def stop(reason):
        if proc.poll() is None:
            aborted.append(reason)
            _signal_group(proc, signal.SIGTERM)
            if len(aborted) == 1:
                killer.start()

    timer = threading.Timer(timeout, stop, (f"timeout after {timeout}s",))
    timer.daemon = True
    timer.start()

    def on_signal(signum, _frame):
        stop(f"interrupted by signal {signum}")

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    show = True
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            for line in proc.stdout:
                log.write(line)
                line = line.rstrip("\n")
                reader.feed(line)
                if quiet:
                    match = LOG_RE.match(line)
                    if match:
                        show = match["level"] in ("WARNING", "ERROR", "CRITICAL") or (
                            match["logger"].startswith(("odoo.addons.", "odoo.tests."))
                        )
                    if not show:
                        continue
                print(line, flush=True)
        returncode = proc.wait()
    finally:
        timer.cancel()
        killer.cancel()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        reader.close()
        if proc.poll() is None:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
    # Chromium processes left behind by a killed Odoo belong to its group
    _signal_group(proc, signal.SIGKILL)
    return returncode, (aborted[0] if aborted else None)


def _signal_group(proc, signum):
    try:
        os.killpg(proc.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def start_ocs(modules, env):
    """The real OCS Inventory server of reemploi_asset's TestRealOcs, started
    once for the run (tests/ocs_server.py); its address goes to Odoo in env."""
    tags = os.environ.get("TEST_TAGS", "")
    if "reemploi_asset" not in modules or (tags and "RealOcs" not in tags):
        return None
    sys.path.insert(0, str(REPO / "tests"))
    import ocs_server  # noqa: PLC0415 (tests/ocs_server.py)

    server = ocs_server.OcsServer()
    started = time.monotonic()
    try:
        server.start()
    except (ocs_server.OcsUnavailable, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        print(f"OCS Inventory: not started ({exc}); TestRealOcs will fail", flush=True)
        return None
    env.update(server.environ())
    print(
        f"OCS Inventory NG (Debian's packages) serving {server.url} "
        f"({time.monotonic() - started:.1f} s to start)",
        flush=True,
    )
    return server


def main(argv):
    odoo_pkg, core = find_odoo()
    dirs = addons_dirs(core)
    modules = select_modules(argv, dirs)
    e2e = e2e_wanted(modules)
    conn_args = pg_connect_args()

    tmp = Path(tempfile.mkdtemp(prefix="reemploi-tests-"))
    env = odoo_environ()
    notes = browser_env(tmp, env)
    for note in notes:
        print(note, flush=True)

    dbname = f"reemploi_test_{time.strftime('%Y%m%d_%H%M%S')}_{secrets.token_hex(3)}"
    log_path = tmp / "odoo.log"
    config = tmp / "odoo.conf"
    config.write_text("[options]\n", encoding="utf-8")  # ignore ~/.odoorc
    test_tags = os.environ.get("TEST_TAGS") or ",".join(f"/{m}" for m in modules)
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        *database_args(config, dirs, tmp / "data", dbname, conn_args),
        f"--init={','.join(modules)}",
        "--test-enable",
        f"--test-tags={test_tags}",
        "--stop-after-init",
        "--log-level=info",
        "--workers=0",
        "--max-cron-threads=0",
        "--limit-memory-hard=0",
        "--http-interface=127.0.0.1",
        f"--http-port={free_port()}",
        f"--screenshots={tmp / 'screenshots'}",
    ]
    cmd += shlex.split(os.environ.get("ODOO_ARGS", ""))

    print(f"Odoo 18.0: {odoo_pkg} (core addons {core})", flush=True)
    print(
        f"modules: {', '.join(modules)}; database: {dbname}; log: {log_path}",
        flush=True,
    )
    reader = LogReader()
    timeout = int(os.environ.get("TEST_TIMEOUT") or 7200)
    returncode, aborted = None, None
    ocs = start_ocs(modules, env)
    try:
        returncode, aborted = run_odoo(
            cmd, env, log_path, reader, os.environ.get("QUIET") == "1", timeout
        )
        states, state_error = module_states(conn_args, dbname, modules)
        problems, passed = report(
            reader, modules, states, state_error, returncode, aborted, log_path
        )
        if e2e and not aborted:
            e2e_problems, e2e_passed = run_e2e(conn_args, dbname, tmp / "data", modules)
            problems += e2e_problems
            passed += e2e_passed
    finally:
        if ocs:
            ocs.stop()
        if os.environ.get("KEEP_DB") == "1":
            print(f"KEEP_DB=1: database {dbname} kept, filestore in {tmp / 'data'}")
        else:
            try:
                drop_database(conn_args, dbname)
            except Exception as exc:  # noqa: BLE001 (report, then carry on)
                print(f"warning: could not drop database {dbname}: {exc}")
            shutil.rmtree(tmp / "data", ignore_errors=True)

    print(f"{passed} passed, {len(problems)} failed", flush=True)
    return 1 if problems else 0


def test_problems(reader):
    """Return (one line per failed, skipped or error-logging test, passed)."""
    bad = collections.OrderedDict()
    for key, flavour, detail in reader.failures:
        bad.setdefault(key, f"{flavour:<7} {_name(key)}: {_short(detail, 200)}")
    for key, reason in reader.skips:
        bad.setdefault(key, f"SKIPPED {_name(key)}: {_short(reason, 200)}")
    # an ERROR line logged during a test that otherwise passed fails that test
    for logger, level, text, context in reader.error_lines:
        explained = (context in bad) or any(
            logger.startswith(f"{lg}.{desc}") for lg, desc in bad
        )
        if explained:
            continue
        line = f"{level} log: {logger}: {_gist(text)}"
        if context in reader.started:
            bad[context] = f"{line} (during {_name(context)})"
        else:
            bad[("", len(bad))] = line
    passed = sum(n for key, n in reader.started.items() if key not in bad)
    return list(bad.values()), passed


def report(reader, modules, states, state_error, returncode, aborted, log_path):
    """Print the verdict of the Odoo run; return (problems, passed)."""
    problems, passed = test_problems(reader)  # one line per failure counted
    summary = reader.summary
    if summary:
        odoo_bad = summary["failed"] + summary["errors"]
        seen = sum(
            1 for _k, flavour, _d in reader.failures if flavour in ("FAIL", "ERROR")
        )
        if odoo_bad > seen:
            problems += [
                f"FAILED  {odoo_bad - seen} test(s) reported by Odoo only, see the log"
            ]
    elif not aborted:
        problems.append("Odoo printed no test summary (did it crash before the end?)")
    if summary and not summary["run"] and not reader.started:
        problems.append(
            "no test ran: check the modules' tests/__init__.py and TEST_TAGS"
        )

    if states is None:
        problems.append(f"module states unreadable: {state_error}")
    else:
        for name in modules:
            if states.get(name) != "installed":
                problems.append(
                    f"module {name} not installed (state: {states.get(name)})"
                )
    if aborted:
        problems.append(f"run aborted: {aborted}")
    elif returncode and not problems:
        problems.append(f"Odoo exited with code {returncode}")

    print()
    print(f"==== Réemploi tests: {', '.join(modules)}")
    print(f"log: {log_path}")
    if summary:
        print(
            f"Odoo: {summary['failed']} failed, {summary['errors']} error(s) of "
            f"{summary['run']} tests; {len(reader.skips)} skipped (counted as failures)"
        )
    for line in problems:
        print(line, flush=True)
    return problems, passed


def _name(key):
    if not key:
        return "?"
    logger, desc = key
    module = logger.removeprefix("odoo.addons.")
    return f"{module}: {desc}"


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Prerequisite as exc:
        print(f"run.sh: {exc}", file=sys.stderr)
        sys.exit(2)
