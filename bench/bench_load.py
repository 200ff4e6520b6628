"""Load benchmark: concurrent portal users against a multi-worker Odoo.

Starts a real ``python3 -m odoo`` server (tests/e2e/harness.py's OdooServer:
loopback, ``--workers``, new database with reemploi_asset and
reemploi_market, no demo data), fills it in a separate Odoo process (see
``populate()``), then:

1. query counts: one request of each page (caches warm), read from the
   server's log, at ``--small`` devices (default 1,000) and again once the
   database holds ``--devices`` (default 100,000): the counts must not grow;
2. load: for each level of ``--users`` (default ``1,8,16``), that many
   threads, each a donor portal user with its own ``requests`` session,
   loop for ``--duration`` seconds over the pages below, and post the lot
   form (a lot declared) every ``--declare-every`` loops; prints p50, p95 and
   max latency per page, requests/s and errors (HTTP status other than
   expected, exceptions, ERROR lines in the server's log).

Pages: ``/my/lots`` (the organisation's lots), ``/my/lots/<id>`` (a lot),
``/my/equipment`` (the organisation's register: 1/8th of the devices),
``/my/lots/new`` (the declaration form, GET) and its POST, ``/shop`` and a
shop product page (a product with many devices for sale).

The Odoo tests assert the same constant query counts with Odoo's own
counters in one transaction: reemploi_market/tests/test_portal.py
(TestLotPortalQueries) and test_shop.py (QueryCountMixin on /shop and a
product page). Here they are read from the werkzeug lines of the server's
log (``"GET /shop HTTP/1.1" 200 - <queries> <query time> <other time>``).

Targets (issue 7, on a 2-core machine with 2 workers): p95 < 200 ms at 16
users for the portal lists and shop pages, 0 errors, query counts that do not
grow with the number of devices. A MISS is printed, the exit status stays 0
unless the benchmark itself fails.

    python3 bench/bench_load.py [--devices 100000] [--users 1,8,16]
        [--duration 30] [--workers 2] [--keep-db]
        [--db EXISTING_DB --data-dir ITS_DATA_DIR]

``--db`` reuses a database that a previous ``--keep-db`` run filled (the
devices are topped up to ``--devices``; the query counts at ``--small`` are
skipped when it holds more devices already).
"""

import argparse
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

MODULES = ("reemploi_asset", "reemploi_market")
DONORS = 8
USERS_PER_DONOR = 2
PASSWORD = "bench-portal"  # noqa: S105 (throw-away database)
LOTS_PER_DONOR = 12
DEVICES_PER_LOT = 5
SHOP_MODELS = ("Latitude 5490", "EliteBook 840 G5", "ThinkPad T480")
PUBLISHED_PER_MODEL = 4
CHUNK = 10000
TARGET_P95 = 0.200
# Odoo's own portal page (connection and security, no Réemploi code in it):
# what any page of the website costs on this machine, the baseline of the
# ratios
BASELINE = "odoo /my/security (baseline)"
# werkzeug's request line with Odoo's perf info appended
REQUEST_RE = re.compile(
    r'"(?P<method>GET|POST) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+) - '
    r"(?P<queries>\d+) (?P<query_time>[\d.]+) (?P<other_time>[\d.]+)"
)


# ------------------------------------------------------------ populate
def fill(payload):
    """In a process of its own (``bench_load.py --fill JSON``): the donors,
    their portal users and lots, the shop products, then devices up to
    ``payload["devices"]`` by set-based inserts (``_insert_imported``, what
    imports use), committed every CHUNK devices; prints what the load needs."""
    import odoo  # noqa: PLC0415 (only in this process)
    from odoo import SUPERUSER_ID, Command, api  # noqa: PLC0415

    args = payload
    odoo.tools.config.parse_config(args["odoo_args"])
    registry = odoo.modules.registry.Registry(args["db"])
    info = {}

    def env_of(cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    with registry.cursor() as cr:
        env = env_of(cr)
        Param = env["ir.config_parameter"]
        setup = Param.get_param("bench_load.setup")
        if not setup:
            company = env.ref("base.main_company")
            laptop = env.ref("reemploi_asset.category_laptop")
            laptop.write({"shop_list_price": 300.0, "warranty_months": 12})
            donors, logins = [], []
            for index in range(args["donors"]):
                donor = env["res.partner"].create(
                    {
                        "name": f"Donateur bench {index}",
                        "is_company": True,
                        "zip": "38000",
                        "city": "Grenoble",
                        "street": f"{index} rue du Bench",
                    }
                )
                donors.append(donor.id)
                for user_index in range(args["users_per_donor"]):
                    contact = env["res.partner"].create(
                        {
                            "name": f"Agent {index}-{user_index}",
                            "parent_id": donor.id,
                            "phone": "04 76 00 00 00",
                        }
                    )
                    login = f"bench_donor_{index}_{user_index}"
                    env["res.users"].create(
                        {
                            "name": contact.name,
                            "login": login,
                            "password": args["password"],
                            "partner_id": contact.id,
                            "groups_id": [
                                Command.set(
                                    [env.ref("reemploi_asset.group_reemploi_donor").id]
                                )
                            ],
                        }
                    )
                    logins.append([login, donor.id])
            # shop: devices of the main company through the real actions, then
            # published (one product per model and grade)
            Equipment = env["reemploi.equipment"].with_company(company)
            published = Equipment.create(
                [
                    {
                        "serial": f"SHOP-{model[:3].upper()}-{n}",
                        "manufacturer": "Bench",
                        "model": model,
                        "category_id": laptop.id,
                        "owner_id": donors[0],
                        "company_id": company.id,
                    }
                    for model in args["shop_models"]
                    for n in range(args["published_per_model"])
                ]
            )
            published._demo_walk_lifecycle({d.id: "graded" for d in published})
            published.action_publish_shop()
            setup = {
                "donors": donors,
                "logins": logins,
                "products": published.shop_product_id.ids,
            }
            Param.set_param("bench_load.setup", json.dumps(setup))
            cr.commit()
        setup = json.loads(setup) if isinstance(setup, str) else setup
        info["setup"] = setup

    def insert(count, state, owner_ids, start):
        """``count`` devices by set-based inserts (what imports do)."""
        with registry.cursor() as cr:
            env = env_of(cr)
            laptop = env.ref("reemploi_asset.category_laptop").id
            models = args["shop_models"]
            vals = [
                {
                    "serial": f"BL{start + n:08d}",
                    "manufacturer": "Bench",
                    "model": models[n % len(models)],
                    "category_id": laptop,
                    "owner_id": owner_ids[n % len(owner_ids)],
                    "state": state,
                }
                for n in range(count)
            ]
            ids = env["reemploi.equipment"]._insert_imported(vals).ids
            env.flush_all()
            cr.commit()
            return ids

    with registry.cursor() as cr:
        cr.execute("SELECT count(*), coalesce(max(id), 0) FROM reemploi_equipment")
        count, last = cr.fetchone()
    donors = setup["donors"]
    # lots: per donor, declared lots of a few devices each
    with registry.cursor() as cr:
        env = env_of(cr)
        has_lots = env["reemploi.lot"].search_count([])
    if not has_lots:
        lot_devices = insert(
            len(donors) * args["lots_per_donor"] * args["devices_per_lot"],
            "to_decommission",
            donors,
            last + 1,
        )
        last += len(lot_devices)
        count += len(lot_devices)
        with registry.cursor() as cr:
            env = env_of(cr)
            devices = env["reemploi.equipment"].browse(lot_devices)
            today = datetime.date.today()
            lots = env["reemploi.lot"]
            by_owner = {}
            for device in devices:
                by_owner.setdefault(device.owner_id.id, []).append(device.id)
            for owner_id, ids in by_owner.items():
                for n in range(0, len(ids), args["devices_per_lot"]):
                    lots |= env["reemploi.lot"].create(
                        {
                            "partner_id": owner_id,
                            "date_from": today + datetime.timedelta(days=2),
                            "date_to": today + datetime.timedelta(days=60),
                            "contact_name": "Bench",
                            "contact_phone": "04 76 00 00 00",
                            "line_ids": [
                                Command.create({"equipment_id": i})
                                for i in ids[n : n + args["devices_per_lot"]]
                            ],
                        }
                    )
            lots.action_declare()
            cr.commit()
    todo = max(args["devices"] - count, 0)
    while todo:
        chunk = min(todo, args["chunk"])
        states = ["in_use", "to_decommission"]
        ids = insert(chunk, states[(last // chunk) % 2], donors, last + 1)
        last += chunk
        todo -= chunk
    with registry.cursor() as cr:
        env = env_of(cr)
        # a share of the devices for sale on the shop products, set-based as
        # well: the product pages and /shop count what is for sale
        products = env["product.product"].browse(setup["products"])
        wanted = args["devices"] // 20
        cr.execute("SELECT count(*) FROM reemploi_equipment WHERE state = 'for_sale'")
        missing = wanted - cr.fetchone()[0]
        if missing > 0:
            cr.execute(
                """UPDATE reemploi_equipment SET state = 'for_sale', company_id = %s,
                          shop_product_id = (%s::int[])[1 + id %% %s],
                          grade_id = %s
                    WHERE id IN (SELECT id FROM reemploi_equipment
                                  WHERE state = 'in_use' ORDER BY id LIMIT %s)""",
                [
                    env.ref("base.main_company").id,
                    products.ids,
                    len(products),
                    products[0].reemploi_grade_id.id,
                    missing,
                ],
            )
        cr.commit()
        cr.execute("SELECT count(*) FROM reemploi_equipment")
        info["devices"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM reemploi_equipment WHERE state = 'for_sale'")
        info["for_sale"] = cr.fetchone()[0]
        lots = env["reemploi.lot"].search([], order="id")
        info["lots"] = {
            str(o): lots.filtered(lambda lot, o=o: lot.partner_id.id == o)[:1].id
            for o in donors
        }
        info["product_urls"] = [p.product_tmpl_id.website_url for p in products]
    print("BENCH-INFO " + json.dumps(info))


def populate(server, args, devices):
    """Fill the server's database up to ``devices`` devices, in a process of
    its own (the ORM, committed in chunks of CHUNK devices)."""
    conn = server.conn_args
    odoo_args = [
        f"--addons-path={','.join(map(str, server.addons))}",
        f"--data-dir={server.data_dir}",
        f"--db_port={conn['port']}",
        f"--db_user={conn['user']}",
        "--log-level=warn",
    ]
    if conn["host"]:
        odoo_args.append(f"--db_host={conn['host']}")
    payload = {
        "db": server.dbname,
        "odoo_args": odoo_args,
        "devices": devices,
        "donors": DONORS,
        "users_per_donor": USERS_PER_DONOR,
        "password": PASSWORD,
        "lots_per_donor": LOTS_PER_DONOR,
        "devices_per_lot": DEVICES_PER_LOT,
        "shop_models": SHOP_MODELS,
        "published_per_model": PUBLISHED_PER_MODEL,
        "chunk": CHUNK,
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--fill", json.dumps(payload)],
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-6000:])
        raise SystemExit(f"populate failed (exit {done.returncode})")
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("BENCH-INFO "))
    info = json.loads(line.removeprefix("BENCH-INFO "))
    vacuum(server)
    print(
        f"  database: {info['devices']:,} devices ({info['for_sale']:,} for sale), "
        f"filled in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return info


def vacuum(server):
    """What autovacuum would do after a bulk load (it is off on some
    development servers): statistics for the planner."""
    conn = server.sql()
    try:
        with conn.cursor() as cr:
            cr.execute("VACUUM (ANALYZE)")
    finally:
        conn.close()


# ---------------------------------------------------------------- pages
class User:
    """One portal user: a logged-in session and the pages it visits."""

    def __init__(self, server, login, lot_id, info, harness):
        self.server = server
        self.session = server.session(login, PASSWORD)
        self.lot_id = lot_id
        self.info = info
        self.harness = harness
        self.product_url = info["product_urls"][0]

    def pages(self):
        return [
            ("portal /my/lots", "/my/lots"),
            ("portal lot page", f"/my/lots/{self.lot_id}"),
            ("portal /my/equipment", "/my/equipment"),
            ("shop /shop", "/shop"),
            ("shop product page", self.product_url),
            (BASELINE, "/my/security"),
        ]

    def get(self, path, timeout=120):
        return self.session.get(
            f"{self.server.url}{path}", timeout=timeout, allow_redirects=False
        )

    def declare(self, category_id):
        """GET the form, POST it with a quantity: a declared lot (303)."""
        form = self.get("/my/lots/new")
        if form.status_code != 200:
            return form, None
        token = self.harness.csrf_token(form.text)
        today = datetime.date.today()
        data = {
            "csrf_token": token,
            "pickup_address": "1 rue du Bench\n38000 Grenoble",
            "date_from": str(today + datetime.timedelta(days=3)),
            "date_to": str(today + datetime.timedelta(days=40)),
            "floor": "0",
            "contact_name": "Bench",
            "contact_phone": "04 76 00 00 00",
            f"qty_{category_id}": "3",
            "action": "declare",
        }
        started = time.perf_counter()
        response = self.session.post(
            f"{self.server.url}/my/lots/new",
            data=data,
            timeout=120,
            allow_redirects=False,
        )
        return form, (response, time.perf_counter() - started)


def query_counts(server, users, label, workers, measures=3):
    """Queries of each page with warm caches, read from the server's log:
    each worker serves the page first (its caches: templates, ormcache),
    then the fewest queries of ``measures`` requests. Also the server's
    time in SQL and in Python (median), to tell which dominates."""
    user = users[0]
    counts = {}
    print(
        f"  SQL queries per page at {label} (server side: median ms in SQL, "
        "in Python):",
        flush=True,
    )
    for name, path in [*user.pages(), ("portal lot form", "/my/lots/new")]:
        for _warm in range(2 * workers + 1):
            user.get(path)
        mark = server.log_mark()
        statuses = {user.get(path).status_code for _n in range(measures)}
        found = [
            m
            for r in server.records_since(mark, levels=("INFO",))
            if r[1] == "werkzeug"
            for m in [REQUEST_RE.search(r[2])]
            if m and m["path"].split("?")[0] == path.split("?")[0]
        ]
        counts[name] = min(int(m["queries"]) for m in found) if found else None
        if statuses != {200}:
            counts[name] = f"HTTP {sorted(statuses)}"
        sql_ms = statistics.median(float(m["query_time"]) for m in found) * 1000
        py_ms = statistics.median(float(m["other_time"]) for m in found) * 1000
        print(
            f"    {name:<24} {counts[name]!s:>5} queries  {sql_ms:6.0f} ms SQL "
            f"{py_ms:6.0f} ms Python",
            flush=True,
        )
    return counts


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def load(server, users, duration, declare_every, category_id, think):
    """Every user loops over the pages for ``duration`` seconds, waiting
    between 0.5 and 1.5 times ``think`` seconds after each page (the time a
    person reads it before the next click), the first page after a random
    delay of up to 1.5 times ``think`` (users arrive one by one); ``think``
    0 sends the requests back to back, all users at once."""
    timings = {}
    errors = {}
    lock = threading.Lock()
    stop = time.monotonic() + duration
    mark = server.log_mark()

    def record(name, seconds, ok, detail=""):
        with lock:
            timings.setdefault(name, []).append(seconds)
            if not ok:
                errors.setdefault(name, []).append(detail)

    def run(user, seed):
        rng = random.Random(seed)
        loops = 0
        pages = user.pages()
        rng.shuffle(pages)

        def declare():
            started = time.perf_counter()
            try:
                form, posted = user.declare(category_id)
                record(
                    "portal lot form",
                    time.perf_counter() - started - (posted[1] if posted else 0),
                    form.status_code == 200,
                    f"HTTP {form.status_code}",
                )
                if posted:
                    response, seconds = posted
                    ok = response.status_code in (302, 303) and (
                        "message=declared" in response.headers.get("Location", "")
                    )
                    record(
                        "portal declare (POST)",
                        seconds,
                        ok,
                        f"HTTP {response.status_code} "
                        f"{response.headers.get('Location', '')}",
                    )
            except Exception as exc:  # noqa: BLE001
                record("portal declare (POST)", 0.0, False, repr(exc))

        if think:
            # users arrive one by one, not all in the same millisecond
            time.sleep(rng.uniform(0, think * 1.5))
        while time.monotonic() < stop:
            loops += 1
            if declare_every and loops % declare_every == 0:
                declare()
            for name, path in pages:
                started = time.perf_counter()
                try:
                    response = user.get(path)
                    ok = response.status_code == 200
                    detail = f"HTTP {response.status_code}"
                except Exception as exc:  # noqa: BLE001 (counted as an error)
                    ok, detail = False, repr(exc)
                record(name, time.perf_counter() - started, ok, detail)
                if think:
                    time.sleep(think * rng.uniform(0.5, 1.5))

    threads = [
        threading.Thread(target=run, args=(user, index), daemon=True)
        for index, user in enumerate(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server_errors = server.records_since(mark)
    return timings, errors, elapsed, server_errors


def report(level, timings, errors, elapsed, server_errors):
    total = sum(len(v) for v in timings.values())
    print(
        f"\n  {level} concurrent users: {total:,} requests in {elapsed:.0f} s "
        f"({total / elapsed:.1f} req/s), server ERROR lines: {len(server_errors)}",
        flush=True,
    )
    print(
        f"    {'page':<24} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8} {'errors':>7}",
        flush=True,
    )
    rows = {}
    for name in sorted(timings):
        values = timings[name]
        row = (
            len(values),
            statistics.median(values) * 1000,
            percentile(values, 0.95) * 1000,
            max(values) * 1000,
            len(errors.get(name, ())),
        )
        rows[name] = row
        print(
            f"    {name:<24} {row[0]:>8} {row[1]:>8.0f} {row[2]:>8.0f} "
            f"{row[3]:>8.0f} {row[4]:>7}",
            flush=True,
        )
    for name, details in errors.items():
        print(f"    errors of {name}: {details[:3]}", flush=True)
    for error in server_errors[:3]:
        print(f"    server: {error[1]}: {error[2][:300]}", flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=100000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--users", default="1,8,16")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--declare-every", type=int, default=1)
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean seconds a user reads a page before the next one (uniform "
        "between 0.5x and 1.5x); 0: requests back to back (saturation)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="an existing database filled by --keep-db")
    parser.add_argument("--data-dir", help="the data directory of --db")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if args.keep_db:
        os.environ["KEEP_DB"] = "1"

    import harness  # noqa: PLC0415 (tests/e2e, on sys.path above)

    load_avg = os.getloadavg()
    print(
        f"bench_load: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs, load average {load_avg[0]:.1f} "
        f"{load_avg[1]:.1f} {load_avg[2]:.1f}, {args.workers} Odoo workers, "
        f"think time {args.think:g} s",
        flush=True,
    )
    server = harness.OdooServer(modules=MODULES, dbname=args.db, workers=args.workers)
    server.start()
    try:
        admin = server.rpc()
        category_id = admin.ref("reemploi_asset.category_laptop")
        counts = {}
        if device_count(server) < args.small:
            info = populate(server, args, args.small)
            users = make_users(server, info, harness, 1)
            counts[args.small] = query_counts(
                server, users, f"{info['devices']:,} devices", args.workers
            )
        info = populate(server, args, args.devices)
        levels = [int(n) for n in args.users.split(",") if n.strip()]
        users = make_users(server, info, harness, max(levels))
        counts[args.devices] = query_counts(
            server, users, f"{info['devices']:,} devices", args.workers
        )
        results = {}
        for level in levels:
            timings, errors, elapsed, server_errors = load(
                server,
                users[:level],
                args.duration,
                args.declare_every,
                category_id,
                args.think,
            )
            results[level] = report(level, timings, errors, elapsed, server_errors)
            results[level]["_errors"] = sum(len(v) for v in errors.values()) + len(
                server_errors
            )
        summary(counts, results, levels)
    finally:
        server.stop()


def device_count(server):
    conn = server.sql()
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM reemploi_equipment")
            return cr.fetchone()[0]
    finally:
        conn.close()


def make_users(server, info, harness, count):
    logins = info["setup"]["logins"]
    users = []
    for index in range(count):
        login, donor_id = logins[index % len(logins)]
        users.append(User(server, login, info["lots"][str(donor_id)], info, harness))
    return users


def summary(counts, results, levels):
    print("\nSummary (targets of issue 7)", flush=True)
    sizes = sorted(counts)
    if len(sizes) > 1:
        small, big = counts[sizes[0]], counts[sizes[-1]]
        for name in big:
            # fewer at 100,000 is fine (an empty list skips a query)
            same = (
                isinstance(big[name], int)
                and isinstance(small.get(name), int)
                and big[name] <= small[name]
            )
            print(
                f"  {'OK  ' if same else 'MISS'} queries of {name}: "
                f"{small.get(name)} at {sizes[0]:,} devices, {big[name]} at "
                f"{sizes[-1]:,}",
                flush=True,
            )
    top = max(levels)
    for name, row in results[top].items():
        if name.startswith("_") or "POST" in name:
            continue
        verdict = "OK  " if row[2] < TARGET_P95 * 1000 else "MISS"
        print(
            f"  {verdict} p95 of {name} at {top} users: {row[2]:.0f} ms "
            f"(target < {TARGET_P95 * 1000:.0f} ms)",
            flush=True,
        )
    errors = results[top]["_errors"]
    print(
        f"  {'OK  ' if not errors else 'MISS'} errors at {top} users: {errors}",
        flush=True,
    )
    base = results[top].get(BASELINE)
    if base and base[1]:
        for name, row in results[top].items():
            if name.startswith("_") or name == BASELINE:
                continue
            print(
                f"  p50 of {name} at {top} users: {row[1] / base[1]:.2f}x the p50 "
                f"of {BASELINE} ({base[1]:.0f} ms)",
                flush=True,
            )
    if len(levels) > 1 and levels[0] == 1:
        for name, row in results[top].items():
            if name.startswith("_") or name not in results[1]:
                continue
            base = results[1][name][2]
            if not base:
                continue
            print(
                f"  p95 of {name}: {row[2] / base:.1f}x the p95 of 1 user",
                flush=True,
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fill"]:
        fill(json.loads(sys.argv[2]))
    else:
        main()
