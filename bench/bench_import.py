"""Benchmark: inventory import (GLPI CSV) against Odoo's standard import.

Creates a fresh database, installs reemploi_asset without demo data and
imports the same generated GLPI export (cp1252, ";") in one process:

1. baseline: Odoo's standard import, ``reemploi.equipment.load(fields, rows)``
   with the rows already converted (ISO dates, database ids), 2,000 rows per
   call and one transaction per call, as the web client's import does
   (``base_import`` batches of 2,000, ``tracking_disable``). File parsing is
   not counted for the baseline;
2. ours, production path: ``_import_file()`` (the upload: the file is read
   and queued) then ``_cron_process_queued()`` until the run is done, each
   call in its own cursor and transaction, as the scheduled job runs it;
3. ours again with the same file: every row must be unchanged;
4. ours inline (``reemploi_background_rows``): the whole file in one
   transaction, first import and unchanged re-import (``--skip-inline``);
5. unless ``--skip-big``: a file of ``--big-rows`` rows, our importer only
   (``--big-calls N``: the upload and N scheduled calls only, and a
   projection of the total from them).

Each phase goes to its own owner (partner), so that no row collides with
another phase's; the baseline uses the same serial numbers as ours (our
serial check then finds its devices: ~4 % slower at 10,000 rows;
``--distinct-serials`` avoids it). When the server's autovacuum is off, the
database is vacuumed and analysed before each phase (not timed), as
autovacuum would keep it in production (``--vacuum``).

The figures are rows/s, the ratio ours / baseline, and the memory of the
process: RSS sampled every 0.1 s by a thread (peak and growth per phase) and
``ru_maxrss`` (the process peak so far). A summary compares them with the
targets; a MISS is information, the exit status stays 0.

``--profile-rows N`` profiles one import of N rows of ours (production path)
and its unchanged re-import with cProfile, and prints the hotspots in Odoo's
and our code. ``--addons DIR`` measures another copy of the addons, e.g. a
``git archive`` of a commit while the working tree is being edited.

    python3 bench/bench_import.py [--rows 100000] [--big-rows 1000000]
        [--skip-big | --big-calls 3] [--skip-inline] [--keep-db]
        [--profile-rows 20000 [--profile-out FILE]] [--addons DIR]
"""

import argparse
import contextlib
import cProfile
import ctypes
import datetime
import gc
import getpass
import io
import math
import os
import pstats
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
MODULE = "reemploi_asset"
CRON_CHUNK = 2000  # CHUNK_ROWS of models/reemploi_import_run.py
BASELINE_CHUNK = 2000  # base_import's default batch in the web client

TARGET_RATE = 5000
TARGET_RATIO = 3.0
TARGET_UNCHANGED = 20000
TARGET_BIG_SECONDS = 600
TARGET_RSS = 1.5 * 1024**3

HEADER = [
    "Nom",
    "Entité",
    "Statut",
    "Fabricant",
    "Type",
    "Modèle",
    "Numéro de série",
    "Numéro d'inventaire",
    "Lieu",
    "Date d'achat",
]
# (GLPI type, our category xml id, manufacturer, model)
CATALOG = [
    ("Ordinateur portable", "category_laptop", "Dell", "Latitude 5490"),
    ("Ordinateur portable", "category_laptop", "HP", "EliteBook 840 G5"),
    ("Ordinateur portable", "category_laptop", "Lenovo", "ThinkPad T480"),
    ("Ordinateur fixe", "category_desktop", "Dell", "OptiPlex 7060"),
    ("Ordinateur fixe", "category_desktop", "HP", "ProDesk 600 G4"),
    ("Ordinateur fixe", "category_desktop", "Lenovo", "ThinkCentre M720q"),
    ("Moniteur", "category_monitor", "Dell", "P2419H"),
    ("Moniteur", "category_monitor", "Iiyama", "ProLite XU2493HS"),
    ("Moniteur", "category_monitor", "HP", "E24 G4"),
]
SITES = ["Mairie", "École Jules Ferry", "Médiathèque", "Centre technique municipal"]
ENTITIES = ["Ville", "Ville > Écoles"]
FIRST_DATE = datetime.date(2015, 1, 5)
BASELINE_FIELDS = [
    "serial",
    "asset_tag",
    "manufacturer",
    "model",
    "category_id/.id",
    "owner_id/.id",
    "site_id/.id",
    "purchase_date",
]


class BenchError(Exception):
    """The benchmark itself went wrong (not a missed target)."""


# ------------------------------------------------------------------ data
def glpi_rows(count, prefix="SN"):
    """The rows of a GLPI computer/monitor export, as text cells."""
    for index in range(1, count + 1):
        kind, _xmlid, maker, model = CATALOG[(index * 7) % len(CATALOG)]
        bought = FIRST_DATE + datetime.timedelta(days=(index * 37) % 3300)
        yield [
            f"{'MON' if kind == 'Moniteur' else 'PC'}-{index:07d}",
            ENTITIES[index % len(ENTITIES)],
            "En stock" if index % 10 == 0 else "En service",
            maker,
            kind,
            model,
            f"{prefix}{index:07d}",
            f"INV-{index:07d}",
            SITES[index % len(SITES)],
            bought.strftime("%d/%m/%Y"),
        ]


def glpi_csv(count, prefix="SN"):
    """The export as GLPI writes it: cp1252, ';', CRLF."""
    buffer = io.StringIO()
    buffer.write(";".join(HEADER) + "\r\n")
    for row in glpi_rows(count, prefix):
        buffer.write(";".join(row) + "\r\n")
    return buffer.getvalue().encode("cp1252")


def baseline_rows(count, prefix, categories, owner_id, sites):
    """The same rows as ``load()`` takes them once base_import parsed them."""
    kinds = {kind: xmlid for kind, xmlid, _maker, _model in CATALOG}
    rows = []
    for cells in glpi_rows(count, prefix):
        day, month, year = cells[9].split("/")
        rows.append(
            [
                cells[6],
                cells[7],
                cells[3],
                cells[5],
                str(categories[kinds[cells[4]]]),
                str(owner_id),
                str(sites[cells[8]]),
                f"{year}-{month}-{day}",
            ]
        )
    return rows


# ---------------------------------------------------------------- memory
class RssSampler(threading.Thread):
    """Samples the process RSS every ``interval`` s; keeps the peak."""

    def __init__(self, interval=0.1):
        super().__init__(name="rss-sampler", daemon=True)
        self.interval = interval
        self.process = psutil.Process()
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.peak = self.process.memory_info().rss

    def run(self):
        while not self.done.wait(self.interval):
            self.sample()

    def sample(self):
        rss = self.process.memory_info().rss
        with self.lock:
            self.peak = max(self.peak, rss)
        return rss

    def restart(self):
        """Start a new phase: return the RSS now, which is the new peak."""
        rss = self.process.memory_info().rss
        with self.lock:
            self.peak = rss
        return rss


def release_memory():
    """Give freed memory back to the OS, so that each phase starts low."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def maxrss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB


def mib(size):
    return f"{size / 1024**2:,.0f} MiB"


class Phase:
    """Wall time and memory of one phase; the figures are kept in PHASES."""

    def __init__(self, sampler, name, rows=0):
        self.sampler, self.name, self.rows = sampler, name, rows
        self.seconds = self.start_rss = self.peak_rss = self.end_rss = 0
        self.maxrss = 0
        self.notes = []

    def __enter__(self):
        release_memory()
        self.start_rss = self.sampler.restart()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.end_rss = self.sampler.sample()
        self.peak_rss = self.sampler.peak
        self.maxrss = maxrss()
        if exc[0] is None:
            PHASES.append(self)
            print(self.line(), flush=True)
            for note in self.notes:
                print(f"    {note}", flush=True)
        return False

    @property
    def rate(self):
        return self.rows / self.seconds if self.seconds else 0.0

    def line(self):
        rate = f"{self.rate:>9,.0f} rows/s" if self.rows else " " * 16
        return (
            f"  {self.name:<34} {self.seconds:8.2f} s {rate}   RSS "
            f"{mib(self.start_rss)} -> peak {mib(self.peak_rss)} "
            f"(+{mib(self.peak_rss - self.start_rss)}), maxrss {mib(self.maxrss)}"
        )


PHASES = []


# ------------------------------------------------------------------ odoo
def find_odoo():
    """(odoo package directory, core addons directory)."""
    import odoo  # noqa: PLC0415 (the path is checked before Odoo starts)

    package = Path(odoo.__file__).resolve().parent
    for candidate in (package / "addons", package.parent / "addons"):
        if (candidate / "web" / "__manifest__.py").is_file():
            return package, candidate
    raise BenchError(f"no core addons beside {package}")


def odoo_args(args, core_addons):
    return [
        "-d",
        args.db,
        f"--addons-path={args.addons},{core_addons}",
        f"--db_host={args.db_host}",
        f"--db_port={args.db_port}",
        f"--db_user={args.db_user}",
        "--without-demo=all",
        f"--log-level={args.log_level}",
        "--max-cron-threads=0",
    ]


def install(args, core_addons, module=MODULE):
    """Create the database and install ``module`` in a separate process, so
    that the install's memory does not count in this process's peak."""
    command = [
        sys.executable,
        "-m",
        "odoo",
        *odoo_args(args, core_addons),
        "-i",
        module,
        "--stop-after-init",
        "--no-http",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise BenchError(f"installing {module} failed (exit {done.returncode})")
    return time.perf_counter() - started


def pg_execute(args, dbname, statement):
    """Run a statement outside a transaction, on a connection of its own."""
    import psycopg2  # noqa: PLC0415

    connection = psycopg2.connect(
        dbname=dbname, host=args.db_host, port=args.db_port, user=args.db_user
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute(statement)
    finally:
        connection.close()


def drop_database(args):
    import odoo  # noqa: PLC0415

    odoo.modules.registry.Registry.delete(args.db)
    odoo.sql_db.close_db(args.db)
    pg_execute(args, "postgres", f'DROP DATABASE IF EXISTS "{args.db}"')
    shutil.rmtree(odoo.tools.config.filestore(args.db), ignore_errors=True)


class Bench:
    def __init__(self, args, registry, sampler):
        import odoo  # noqa: PLC0415

        self.odoo = odoo
        self.args = args
        self.registry = registry
        self.sampler = sampler
        self.vacuum_seconds = 0.0
        with self.env() as env:
            self.admin_uid = env.ref("base.user_admin").id
            self.categories = {
                xmlid: env.ref(f"{MODULE}.{xmlid}").id
                for _kind, xmlid, _maker, _model in CATALOG
            }

    def phase(self, name, rows=0):
        """A new measured phase, after the maintenance autovacuum would do."""
        if self.args.vacuum:
            began = time.perf_counter()
            pg_execute(self.args, self.args.db, "VACUUM (ANALYZE)")
            self.vacuum_seconds += time.perf_counter() - began
        return Phase(self.sampler, name, rows)

    @contextlib.contextmanager
    def env(self, uid=None, context=None):
        """A new cursor and environment, committed at the end: one request or
        one scheduled job call."""
        api = self.odoo.api
        with self.registry.cursor() as cr:
            yield api.Environment(cr, uid or api.SUPERUSER_ID, context or {})
            cr.commit()

    def owner(self, name):
        with self.env(self.admin_uid) as env:
            return env["res.partner"].create({"name": name, "is_company": True}).id

    def source(self, name):
        """A GLPI source of a new donor: (source id, owner id)."""
        owner_id = self.owner(name)
        with self.env(self.admin_uid) as env:
            source = env["reemploi.import.source"].create(
                {
                    "name": f"GLPI {name}",
                    "owner_id": owner_id,
                    "preset": "glpi",
                    "kind": "glpi",
                    "full_inventory": True,
                }
            )
            return source.id, owner_id

    # ------------------------------------------------------------ baseline
    def baseline(self, rows, chunk):
        """Odoo's load(), ``chunk`` rows per transaction; return the count."""
        context = {"import_file": True, "tracking_disable": True}
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            with self.env(self.admin_uid, context) as env:
                result = env["reemploi.equipment"].load(BASELINE_FIELDS, part)
            errors = [m for m in result["messages"] if m.get("type") == "error"]
            if errors or len(result["ids"] or []) != len(part):
                raise BenchError(f"Odoo's load() failed: {errors[:3]}")
        return len(rows)

    def baseline_setup(self, name):
        owner_id = self.owner(name)
        with self.env(self.admin_uid) as env:
            sites = {
                site: env["res.partner"]
                .create({"name": site, "parent_id": owner_id, "type": "other"})
                .id
                for site in SITES
            }
        return owner_id, sites

    # ---------------------------------------------------------------- ours
    def upload(self, source_id, data, filename, context=None):
        """The upload request: the run id and its state."""
        with self.env(self.admin_uid, context) as env:
            source = env["reemploi.import.source"].browse(source_id)
            run = env["reemploi.import.run"]._import_file(source, data, filename)
            return run.id, run.state

    def drain(self, run_id, rows, progress_every=0, max_calls=0):
        """Call the scheduled job until the run is no longer queued (or
        ``max_calls`` times); return the duration of each call."""
        calls = []
        limit = math.ceil(rows / CRON_CHUNK) + 5
        started = time.perf_counter()
        while True:
            began = time.perf_counter()
            with self.env() as env:
                env["reemploi.import.run"]._cron_process_queued()
            calls.append(time.perf_counter() - began)
            state, done = self.run_values(run_id, ["state", "rows_done"])
            if progress_every and len(calls) % progress_every == 0:
                elapsed = time.perf_counter() - started
                eta = elapsed / max(done, 1) * (rows - done)
                print(
                    f"    ... {done:,}/{rows:,} rows, {elapsed:,.0f} s, last chunk "
                    f"{calls[-1]:.2f} s, RSS {mib(self.sampler.sample())}, "
                    f"ETA ~{eta / 60:.1f} min (at the mean rate so far)",
                    flush=True,
                )
            if state != "queued" or len(calls) == max_calls:
                return calls
            if len(calls) >= limit:
                raise BenchError(f"run {run_id} still queued after {limit} calls")

    def run_values(self, run_id, names):
        with self.registry.cursor() as cr:
            cr.execute(
                f"SELECT {', '.join(names)} FROM reemploi_import_run WHERE id = %s",
                [run_id],
            )
            return cr.fetchone()

    def check_run(self, run_id, rows, created=0, unchanged=0):
        names = [
            "state",
            "row_count",
            "created_count",
            "updated_count",
            "unchanged_count",
            "rejected_count",
            "not_seen_count",
            "message",
        ]
        values = dict(zip(names, self.run_values(run_id, names), strict=True))
        # counts never written stay NULL (the ORM skips writing 0 over 0)
        values.update({k: values[k] or 0 for k in names if k.endswith("_count")})
        expected = {
            "state": "done",
            "row_count": rows,
            "created_count": created,
            "updated_count": 0,
            "unchanged_count": unchanged,
            "rejected_count": 0,
            "not_seen_count": 0,
        }
        wrong = {k: (values[k], v) for k, v in expected.items() if values[k] != v}
        if wrong:
            raise BenchError(f"run {run_id}: (found, expected) {wrong}; {values}")
        return (
            f"run {run_id}: {values['created_count']:,} created, "
            f"{values['updated_count']:,} updated, "
            f"{values['unchanged_count']:,} unchanged, "
            f"{values['rejected_count']:,} rejected, "
            f"{values['not_seen_count']:,} not seen"
        )

    def ours(self, name, source_id, data, rows, created, progress_every=0):
        """Production path: upload, then one scheduled call per chunk."""
        filename = f"{name}.csv"
        with self.phase(name, rows) as phase:
            began = time.perf_counter()
            run_id, state = self.upload(source_id, data, filename)
            upload = time.perf_counter() - began
            if state != "queued":
                raise BenchError(f"run {run_id} is {state}, not queued")
            calls = self.drain(run_id, rows, progress_every)
            phase.notes.append(
                self.check_run(run_id, rows, created, 0 if created else rows)
            )
            phase.notes.append(chunk_note(upload, calls))
        return phase, calls, upload

    def inline(self, name, source_id, data, rows, created):
        context = {"reemploi_background_rows": 10**9}
        with self.phase(name, rows) as phase:
            run_id, _state = self.upload(source_id, data, f"{name}.csv", context)
            phase.notes.append(
                self.check_run(run_id, rows, created, 0 if created else rows)
            )
        return phase


def chunk_note(upload, calls):
    if not calls:
        return f"upload {upload:.2f} s, no scheduled call"
    return (
        f"upload (read + queue) {upload:.2f} s; {len(calls)} scheduled calls, "
        f"{sum(calls):.2f} s: first {calls[0]:.2f} s, median "
        f"{statistics.median(calls):.2f} s, last {calls[-1]:.2f} s"
    )


def parse_time(data):
    """Seconds to read the whole file once (the upload does it)."""
    from odoo.addons.reemploi_asset.services import tabular  # noqa: PLC0415

    best = math.inf
    for _ in range(2):
        began = time.perf_counter()
        table = tabular.read_table(data, "parse.csv")
        best = min(best, time.perf_counter() - began)
        del table
    return best


# ------------------------------------------------------------- profiling
def profile(bench, rows, top, odoo_dir, out=None):
    """Profile a first import of ``rows`` rows, then its unchanged re-import
    (production path: upload, then the scheduled calls)."""
    source_id, _owner = bench.source("Profil")
    data = glpi_csv(rows, prefix="PR")
    for label, created in (("first import", rows), ("unchanged re-import", 0)):
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        run_id, _state = bench.upload(source_id, data, "profile.csv")
        bench.drain(run_id, rows)
        profiler.disable()
        elapsed = time.perf_counter() - began
        print(f"\n  {label}, {rows:,} rows: {elapsed:.1f} s under cProfile")
        print(f"  {bench.check_run(run_id, rows, created, 0 if created else rows)}")
        if out:
            path = f"{out}.{'first' if created else 'unchanged'}"
            profiler.dump_stats(path)
            print(f"  profile written to {path}")
        print_hotspots(pstats.Stats(profiler).stats, top, odoo_dir, bench.args.addons)


def print_hotspots(stats, top, odoo_dir, addons):
    roots = [
        (str(odoo_dir.parent) + os.sep, ""),
        (str(Path(addons).resolve()) + os.sep, "addons/"),
    ]

    def place(key):
        path, line, func = key
        for root, label in roots:
            if path.startswith(root):
                return f"{label}{path[len(root) :]}:{line}:{func}"
        return None

    ours = [(place(k), v) for k, v in stats.items() if place(k)]
    print(f"  top {top} cumulative, Odoo and Réemploi code (cum s, own s, calls):")
    for name, (_cc, calls, own, cum, _callers) in sorted(
        ours, key=lambda item: -item[1][3]
    )[:top]:
        print(f"    {cum:8.2f} {own:8.2f} {calls:>9}  {name}")
    print(f"  top {top} own time, any code (own s, cum s, calls):")
    for (path, line, func), (_cc, calls, own, cum, _callers) in sorted(
        stats.items(), key=lambda item: -item[1][2]
    )[:top]:
        name = place((path, line, func)) or (
            f"{Path(path).name}:{line}:{func}" if path != "~" else func
        )
        print(f"    {own:8.2f} {cum:8.2f} {calls:>9}  {name}")


# ---------------------------------------------------------------- report
def verdict(ok):
    return "PASS" if ok else "MISS"


def summary(results, args):
    print("\nsummary (targets; a MISS is information, not a failure)")
    lines = []
    if "ours" in results:
        rate = results["ours"].rate
        lines.append(
            (
                "first import (queued + cron)",
                f">= {TARGET_RATE:,} rows/s",
                f"{rate:,.0f} rows/s",
                verdict(rate >= TARGET_RATE),
            )
        )
    if "ours" in results and "baseline" in results:
        ratio = results["ours"].rate / results["baseline"].rate
        lines.append(
            (
                "ours / Odoo load()",
                f">= {TARGET_RATIO:.0f}x",
                f"{ratio:.2f}x",
                verdict(ratio >= TARGET_RATIO),
            )
        )
    if "unchanged" in results:
        rate = results["unchanged"].rate
        lines.append(
            (
                "unchanged re-import",
                f">= {TARGET_UNCHANGED:,} rows/s",
                f"{rate:,.0f} rows/s",
                verdict(rate >= TARGET_UNCHANGED),
            )
        )
    if "big" in results:
        big = results["big"]
        lines.append(
            (
                f"{big.rows:,} rows (queued + cron)",
                f"< {TARGET_BIG_SECONDS / 60:.0f} min",
                f"{big.seconds / 60:.1f} min",
                verdict(big.seconds < TARGET_BIG_SECONDS),
            )
        )
    elif "big projection" in results:
        projection, measured, total = results["big projection"]
        lines.append(
            (
                f"{args.big_rows:,} rows (queued + cron)",
                f"< {TARGET_BIG_SECONDS / 60:.0f} min",
                f"~{projection / 60:.0f} min projected ({measured}/{total} calls run)",
                verdict(projection < TARGET_BIG_SECONDS) + " (projected)",
            )
        )
    elif "projection" in results:
        lines.append(
            (
                f"{args.big_rows:,} rows (queued + cron)",
                f"< {TARGET_BIG_SECONDS / 60:.0f} min",
                f"~{results['projection'] / 60:.0f} min projected",
                "not run",
            )
        )
    ours = [p for p in PHASES if p.name.startswith("ours")]
    if ours:
        peak = max(ours, key=lambda p: p.peak_rss)
        lines.append(
            (
                "peak RSS, our phases",
                f"< {TARGET_RSS / 1024**3:.1f} GiB",
                f"{mib(peak.peak_rss)} ({peak.name})",
                verdict(peak.peak_rss < TARGET_RSS),
            )
        )
    if not lines:
        return
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    for line in lines:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print(("  " + "  ".join(cells)).rstrip())
    print(f"  process peak RSS (ru_maxrss): {mib(maxrss())}")


def project(results, args, upload_seconds):
    """Projected time of the big file through the production path: the
    upload reads the file once; each scheduled call reads only its chunk,
    so both scale with the number of rows."""
    ours = results["ours"]
    per_row = max(ours.seconds - upload_seconds, 0) / ours.rows
    big_upload = upload_seconds * args.big_rows / ours.rows
    return big_upload + args.big_rows * per_row, big_upload


# ------------------------------------------------------------------ main
def add_database_arguments(parser):
    """The options of the new database and of the Odoo that installs the
    addons (also used by bench_matching.py)."""
    parser.add_argument("--db", default=None, help="database name (default: new)")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-port", default=os.environ.get("PGPORT", "5432"))
    parser.add_argument(
        "--db-user", default=os.environ.get("PGUSER") or getpass.getuser()
    )
    parser.add_argument(
        "--addons",
        default=str(ADDONS),
        help="directory of the Réemploi addons to measure (default: this "
        "repository's addons/; e.g. a `git archive` of a commit)",
    )
    parser.add_argument("--log-level", default="warn")


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=100_000,
        help="rows of the main file (default %(default)s; 0: no main phases)",
    )
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument(
        "--big-calls",
        type=int,
        default=0,
        help="run only the upload and this many scheduled calls of the big "
        "file, and project its total time from them (default: run it all)",
    )
    parser.add_argument("--skip-inline", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--baseline-chunk",
        type=int,
        default=BASELINE_CHUNK,
        help="rows per load() call and transaction (default %(default)s)",
    )
    parser.add_argument("--warmup-rows", type=int, default=500)
    parser.add_argument(
        "--profile-rows",
        type=int,
        default=0,
        help="profile an import of this many rows of ours, after the rest",
    )
    parser.add_argument("--profile-only", action="store_true")
    parser.add_argument("--profile-top", type=int, default=15)
    parser.add_argument("--profile-out", help="write the cProfile stats here")
    parser.add_argument(
        "--distinct-serials",
        action="store_true",
        help="give the baseline other serial numbers than ours (by default "
        "the same rows: our serial check then finds the baseline's devices)",
    )
    add_database_arguments(parser)
    parser.add_argument(
        "--vacuum",
        choices=["auto", "yes", "no"],
        default="auto",
        help="VACUUM (ANALYZE) the database before each phase, not timed: "
        "auto (default) does it when the server's autovacuum is off, as "
        "autovacuum would in production",
    )
    args = parser.parse_args()
    if args.db_user == "postgres":
        parser.error("Odoo refuses the database user 'postgres': use another role")
    args.db = args.db or (
        f"bench_import_{time.strftime('%Y%m%d_%H%M%S')}_{secrets.token_hex(3)}"
    )
    return args


def header(args, odoo_dir):
    import odoo  # noqa: PLC0415

    with odoo.sql_db.db_connect(args.db).cursor() as cr:
        cr.execute("SHOW server_version")
        postgres = cr.fetchone()[0]
        cr.execute("SHOW autovacuum")
        autovacuum = cr.fetchone()[0]
    if args.vacuum == "auto":
        args.vacuum = autovacuum != "on"
    else:
        args.vacuum = args.vacuum == "yes"
    print(
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 1024**3:.0f} GiB; Odoo "
        f"{odoo.release.version} ({odoo_dir}), PostgreSQL {postgres}, "
        f"Python {sys.version.split()[0]}; database {args.db}"
    )
    print(
        f"autovacuum: {autovacuum} on this server; "
        + (
            "VACUUM (ANALYZE) before each phase, not timed"
            if args.vacuum
            else "no VACUUM between phases"
        )
    )
    if Path(args.addons).resolve() == ADDONS:
        print(f"code: {git_state()}")
    else:
        print(f"code: addons from {args.addons}")


def git_state():
    """Commit of the repository, and whether the addons differ from it."""

    def git(*command):
        done = subprocess.run(
            ["git", "-C", str(ROOT), *command],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "addons")
    return f"commit {commit}" + (" + uncommitted changes in addons/" if dirty else "")


def run_main_phases(bench, args, results):
    rows = args.rows
    if args.warmup_rows:
        # caches, ormcache and the first queries: not counted
        warm = args.warmup_rows
        owner_id, sites = bench.baseline_setup("Échauffement Odoo")
        bench.baseline(
            baseline_rows(warm, "WB", bench.categories, owner_id, sites),
            args.baseline_chunk,
        )
        source_id, _owner = bench.source("Échauffement")
        run_id, _state = bench.upload(source_id, glpi_csv(warm, "WO"), "warm.csv")
        bench.drain(run_id, warm)
        print(f"  warm-up: {warm:,} rows with each importer (not counted)")

    data = glpi_csv(rows)
    print(f"  file: {rows:,} rows, {len(data) / 1024**2:.1f} MiB (cp1252, ';')")
    owner_id, sites = bench.baseline_setup("Odoo load()")
    prefix = "SB" if args.distinct_serials else "SN"
    load_rows = baseline_rows(rows, prefix, bench.categories, owner_id, sites)
    with bench.phase("baseline Odoo load()", rows) as phase:
        bench.baseline(load_rows, args.baseline_chunk)
        phase.notes.append(
            f"{math.ceil(rows / args.baseline_chunk)} load() calls of "
            f"{args.baseline_chunk:,} rows, one transaction each; rows already "
            "converted (parsing not counted)"
        )
    results["baseline"] = phase
    del load_rows

    source_id, _owner = bench.source("Réemploi")
    results["ours"], calls, upload = bench.ours(
        "ours first import", source_id, data, rows, created=rows
    )
    results["unchanged"], _calls, _upload = bench.ours(
        "ours unchanged re-import", source_id, data, rows, created=0
    )
    with bench.phase("read_table() of the file") as phase:
        parse_seconds = parse_time(data)
        phase.notes.append(
            f"{parse_seconds:.2f} s per read; the upload reads the file once, "
            "each scheduled call only its own chunk"
        )
    if not args.skip_inline:
        inline_source, _owner = bench.source("Réemploi en ligne")
        results["inline"] = bench.inline(
            "ours inline, one transaction", inline_source, data, rows, rows
        )
        results["inline unchanged"] = bench.inline(
            "ours inline unchanged", inline_source, data, rows, 0
        )
    del data
    print("\nratios against the baseline (rows/s ours / rows/s Odoo load()):")
    for key in ("ours", "unchanged", "inline", "inline unchanged"):
        if key in results:
            ratio = results[key].rate / results["baseline"].rate
            print(f"  {results[key].name:<34} {ratio:6.2f}x")
    projection, big_upload = project(results, args, upload)
    results["projection"] = projection
    print(
        f"\nprojection for {args.big_rows:,} rows through the scheduled job: "
        f"~{projection / 60:.1f} min (upload ~{big_upload:.0f} s, then "
        f"{math.ceil(args.big_rows / CRON_CHUNK)} calls at the measured rate)"
    )


def run_big(bench, args, results):
    rows = args.big_rows
    release_memory()
    data = glpi_csv(rows, prefix="BG")
    print(f"\n  big file: {rows:,} rows, {len(data) / 1024**2:.1f} MiB")
    source_id, _owner = bench.source("Grand parc")
    if not args.big_calls:
        results["big"], _calls, _upload = bench.ours(
            f"ours {rows:,} rows", source_id, data, rows, rows, progress_every=25
        )
        return
    # the upload and the first chunks only, then a projection from them
    total = math.ceil(rows / CRON_CHUNK)
    with bench.phase(f"ours {rows:,} rows, partial") as phase:
        began = time.perf_counter()
        run_id, _state = bench.upload(source_id, data, "big.csv")
        upload = time.perf_counter() - began
        calls = bench.drain(run_id, rows, max_calls=args.big_calls)
        phase.notes.append(chunk_note(upload, calls))
    with bench.env() as env:
        # stop the run: no later scheduled call may pick it up
        env.cr.execute(
            "UPDATE reemploi_import_run SET state = 'failed', "
            "message = 'stopped by the benchmark' WHERE id = %s",
            [run_id],
        )
    done = min(len(calls) * CRON_CHUNK, rows)
    projection = upload + statistics.mean(calls) * total
    results["big projection"] = (projection, len(calls), total)
    print(
        f"    {done:,} of {rows:,} rows in {len(calls)} of {total} scheduled calls; "
        f"projected total: upload + {total} x mean call = ~{projection / 60:.1f} min"
    )


def main():
    sys.stdout.reconfigure(line_buffering=True)  # progress when redirected
    args = parse_args()
    odoo_dir, core_addons = find_odoo()
    import odoo  # noqa: PLC0415

    print(f"installing {MODULE} without demo data in a new database {args.db} ...")
    installed = False
    try:
        seconds = install(args, core_addons)
        installed = True
        print(f"  installed in {seconds:.0f} s (separate process)")
        odoo.tools.config.parse_config(odoo_args(args, core_addons))
        registry = odoo.modules.registry.Registry(args.db)
        header(args, odoo_dir)
        sampler = RssSampler()
        sampler.start()
        bench = Bench(args, registry, sampler)
        results = {}
        if args.rows and not args.profile_only:
            print(f"\nphases ({args.rows:,} rows):")
            run_main_phases(bench, args, results)
        if not (args.skip_big or args.profile_only):
            run_big(bench, args, results)
        if args.profile_rows:
            print(f"\nprofile of one import of {args.profile_rows:,} rows (ours):")
            profile(
                bench, args.profile_rows, args.profile_top, odoo_dir, args.profile_out
            )
        if args.vacuum:
            print(f"\nVACUUM (ANALYZE) before phases: {bench.vacuum_seconds:.1f} s")
        if not args.profile_only:
            summary(results, args)
        sampler.done.set()
    finally:
        if args.keep_db and installed:
            print(f"database kept: {args.db}")
        else:
            drop_database(args)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"bench_import: {error}")
