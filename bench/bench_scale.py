"""Screens at metropolitan scale (issue 17): 1,000,000 devices.

Installs reemploi_asset, reemploi_market and reemploi_social without demo
data on a new database (in a separate ``python3 -m odoo`` process), or
reuses the database given by ``--db``, then:

1. setup, with the ORM (a few hundred records): ``--operators`` operator
   companies (res.company with the matching profile reemploi_market reads:
   categories accepted, capacity, distance, coordinates), ``--donors`` donor
   organisations (one in five flagged ``is_public_body``, with coordinates
   for the overview's map), ``--associations``
   accredited associations (reemploi_social), and the users who look at the
   screens: a territory coordinator (every company), an operator user of one
   operator company, a portal user of a public donor;
2. generation, set-based (``INSERT ... SELECT FROM generate_series``, not the
   ORM): ``--devices`` devices spread over the donors, the categories, the
   lifecycle states and three years of events; their chain of custody (one
   event per step of the lifecycle, ~4 per device); the donors' lots (the
   devices declared or further, ~30 per lot) with one line per device.
   Columns computed by the ORM are computed the same way in SQL (identity
   keys, expected end of use, storage medium and erasure flags, CO2 avoided).
   The custody events' hashes are placeholders: the chain is not sealed, so
   the integrity check reports these devices (what is measured here does
   not read the hashes). Then the register's counts are compacted, as
   their hourly scheduled action does, a line of AGEC indicators of the
   current year is refreshed for each public body (the overview's reuse
   rates), and ``VACUUM (ANALYZE)``;
3. the screens, each as its user and as the web client asks for it, 20 loads
   (``--loads``) in a new transaction each, after 2 warm-up loads: p50 and
   p95, ratio to Odoo's own partner list (web_search_read of the fields of
   res.partner's list view, 80 records) measured in the same run.

Screens: the register's list as the web client loads it (web_search_read
with the list view's visible fields, a filter, 80 rows), the same list
filtered and grouped (web_read_group, groups folded as the web client shows
them), for the coordinator (all devices) and for an operator user (its
company's devices); the pivot donor x category x state (the read_group calls
of the pivot view: every prefix of rows x columns); the AGEC indicators of a
public body for a year (``reemploi.agec.stock``: create, then its refresh
action); the donor's portal list ``/my/equipment`` (an HTTP GET by a
logged-in portal user, to a real server with 2 workers started on the same
database); the territory overview ``reemploi.overview.get_data()`` for the
coordinator and for the operator user, and the donor's figures of its portal
page (``get_portal_data()`` as the portal user). Target: p95 < 1 s for
each screen. The grouped list and the pivot are measured a second time
counting the devices themselves (context ``reemploi_no_tally``): what they
cost before ``reemploi.equipment.tally`` kept the counts, in the same run.

    python3 bench/bench_scale.py                    # new database, 1,000,000 devices
    python3 bench/bench_scale.py --devices 100000   # smaller
    python3 bench/bench_scale.py --db NAME --keep   # reuse (and keep) a database
    python3 bench/bench_scale.py --db NAME --keep --explain   # EXPLAIN ANALYZE
    python3 bench/bench_scale.py --db NAME --keep --only overview   # some screens

A benchmark, not a test: nothing fails on a threshold; a MISS is printed.
"""

import argparse
import contextlib
import datetime
import getpass
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import (  # noqa: E402 (the benches' database helpers)
    BenchError,
    find_odoo,
    odoo_args,
    pg_execute,
)
from bench_import import install as install_module  # noqa: E402

MODULES = ("reemploi_asset", "reemploi_market", "reemploi_social")
PASSWORD = "bench-scale"  # noqa: S105 (throw-away database)
TARGET_P95 = 1.0
BASELINE = "odoo res.partner list (baseline)"
YEARS = 3
DEVICES_PER_CHUNK = 250_000
LOT_WINDOW = 10_000  # devices of a donor in the same id window share a lot

# category xml id: share of the devices (in %)
CATEGORY_SHARES = {
    "category_laptop": 35,
    "category_desktop": 20,
    "category_monitor": 20,
    "category_smartphone": 10,
    "category_tablet": 5,
    "category_printer": 5,
    "category_network": 3,
    "category_server": 2,
}
# lifecycle state: share of the devices (in %)
STATE_SHARES = {
    "in_use": 35,
    "to_decommission": 10,
    "declared": 5,
    "collected": 3,
    "received": 3,
    "erased": 3,
    "graded": 3,
    "refurbished": 3,
    "for_sale": 5,
    "sold": 14,
    "donated": 10,
    "recycled": 5,
    "missing": 1,
}
CHAIN = [
    "in_use",
    "to_decommission",
    "declared",
    "collected",
    "received",
    "erased",
    "graded",
    "refurbished",
    "for_sale",
]
# the states a device went through to reach its state
PATHS = {
    **{state: CHAIN[: CHAIN.index(state) + 1] for state in CHAIN},
    "sold": [*CHAIN, "sold"],
    "donated": [*CHAIN[:7], "donated"],
    "recycled": [*CHAIN[:5], "recycled"],
    "missing": [*CHAIN[:4], "missing"],
}
# states in which an operator company holds the device
OPERATOR_STATES = [s for s in STATE_SHARES if s not in CHAIN[:3]]
GRADED_STATES = ["graded", "refurbished", "for_sale", "sold", "donated"]
ERASED_STATES = ["erased", *GRADED_STATES]
REUSED_STATES = ["sold", "donated"]
MODELS = [
    ("Dell", "Latitude 5490"),
    ("HP", "EliteBook 840 G5"),
    ("Lenovo", "ThinkPad T480"),
    ("Dell", "OptiPlex 7060"),
    ("HP", "ProDesk 600 G4"),
    ("Iiyama", "ProLite XU2493HS"),
    ("Apple", "iPhone 11"),
    ("Samsung", "Galaxy Tab A8"),
]


# the database helpers of bench_import.py (find_odoo, odoo_args, install...)
def install(args, core_addons):
    """Create the database and install the addons in a separate process."""
    return install_module(args, core_addons, module=",".join(MODULES))


# ------------------------------------------------------------------ setup
def setup(registry, args):
    """Operators, donors, associations and users, with the ORM; committed
    once, found again on a reused database (``ir.config_parameter``)."""
    from odoo import SUPERUSER_ID, Command, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        Param = env["ir.config_parameter"]
        # French first: the users read the screens in French
        if not env["res.lang"]._lang_get("fr_FR"):
            started = time.perf_counter()
            env["res.lang"]._activate_lang("fr_FR")
            env["ir.module.module"].search(
                [("state", "=", "installed")]
            )._update_translations(["fr_FR"])
            cr.commit()
            print(f"fr_FR loaded: {time.perf_counter() - started:.0f} s", flush=True)
        if Param.get_param("bench_scale.setup"):
            return _setup_info(env)
        started = time.perf_counter()
        categories = env["reemploi.equipment.category"].search([])
        main = env.ref("base.main_company")
        companies = env["res.company"].create(
            [
                {
                    "name": f"Opérateur bench {n:02d}",
                    "city": "Grenoble",
                    "zip": "38000",
                    "reemploi_category_ids": [
                        Command.set(categories[n % 3 :: 1 + n % 2].ids)
                    ],
                    "reemploi_lots_per_period": 5 + n % 10,
                    "reemploi_period_days": 30,
                    "reemploi_max_distance_km": 20.0 + n,
                    "reemploi_social_economy": n % 3 == 0,
                    "reemploi_latitude": 45.10 + n * 0.004,
                    "reemploi_longitude": 5.65 + n * 0.005,
                }
                for n in range(args.operators)
            ]
        )
        donors = env["res.partner"].create(
            [
                {
                    "name": f"Donateur bench {n:03d}",
                    "is_company": True,
                    "is_public_body": n % 5 == 0,
                    "street": f"{n} rue du Bench",
                    "zip": "38000",
                    "city": "Grenoble",
                    # on the overview's map
                    "partner_latitude": 45.05 + (n % 20) * 0.01,
                    "partner_longitude": 5.60 + (n // 20) * 0.02,
                }
                for n in range(args.donors)
            ]
        )
        association_partners = env["res.partner"].create(
            [
                {
                    "name": f"Association bench {n:03d}",
                    "is_company": True,
                    "zip": "38100",
                    "city": "Grenoble",
                }
                for n in range(args.associations)
            ]
        )
        env["reemploi.association"].create(
            [
                {
                    "partner_id": partner.id,
                    "accreditation_number": f"BENCH-{partner.id}",
                    "people_served": 50 + partner.id % 500,
                }
                for partner in association_partners
            ]
        )
        public = donors.filtered("is_public_body")[0]
        contact = env["res.partner"].create(
            {"name": "Agent bench", "parent_id": public.id, "email": "agent@bench.test"}
        )

        def group(xmlid):
            return env.ref(xmlid).id

        env["res.users"].create(
            [
                {
                    "name": "Coordination bench",
                    "login": "bench_coordinator",
                    "lang": "fr_FR",
                    "email": "coordination@bench.test",
                    "password": PASSWORD,
                    "company_id": main.id,
                    "company_ids": [Command.set((main | companies).ids)],
                    "groups_id": [
                        Command.set(
                            [
                                group("reemploi_asset.group_reemploi_coordinator"),
                                group("base.group_multi_company"),
                            ]
                        )
                    ],
                },
                {
                    "name": "Opérateur bench",
                    "login": "bench_operator",
                    "lang": "fr_FR",
                    "email": "operateur@bench.test",
                    "password": PASSWORD,
                    "company_id": companies[0].id,
                    "company_ids": [Command.set(companies[0].ids)],
                    "groups_id": [
                        Command.set(
                            [group("reemploi_asset.group_reemploi_operator_user")]
                        )
                    ],
                },
                {
                    "name": contact.name,
                    "login": "bench_donor",
                    "lang": "fr_FR",
                    "password": PASSWORD,
                    "partner_id": contact.id,
                    "groups_id": [
                        Command.set([group("reemploi_asset.group_reemploi_donor")])
                    ],
                },
            ]
        )
        Param.set_param("bench_scale.setup", "1")
        cr.commit()
        print(
            f"setup: {len(companies)} operators, {len(donors)} donors "
            f"({len(donors.filtered('is_public_body'))} public bodies), "
            f"{len(association_partners)} associations, 3 users in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        return _setup_info(env)


def _setup_info(env):
    users = {
        login: env["res.users"].search([("login", "=", login)]).id
        for login in ("bench_coordinator", "bench_operator", "bench_donor")
    }
    donors = env["res.partner"].search(
        [("name", "=like", "Donateur bench %"), ("is_company", "=", True)], order="id"
    )
    operators = env["res.company"].search(
        [("name", "=like", "Opérateur bench %")], order="id"
    )
    donor_user = env["res.users"].browse(users["bench_donor"])
    return {
        "users": users,
        "donors": donors.ids,
        "operators": operators.ids,
        "public_body": donor_user.commercial_partner_id.id,
    }


# ------------------------------------------------------------- generation
def weighted(shares):
    """A 100-element list: each key repeated its share (in %) times."""
    table = [key for key, share in shares.items() for _n in range(share)]
    if len(table) != 100:
        raise BenchError(f"shares do not sum to 100: {shares}")
    return table


def generate(registry, args, info):
    """Devices, custody events, lots and lot lines up to ``args.devices``,
    set-based, one transaction per chunk of devices."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    from odoo.addons.reemploi_asset.services import identity  # noqa: PLC0415

    with registry.cursor() as cr:
        cr.execute("SELECT count(*), coalesce(max(id), 0) FROM reemploi_equipment")
        count, _last = cr.fetchone()
    if count >= args.devices:
        print(f"generation: {count:,} devices already there", flush=True)
        return False
    donors = info["donors"]
    operators = info["operators"]
    now = datetime.datetime.now().replace(microsecond=0)
    first_day = now - datetime.timedelta(days=365 * YEARS)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        categories = {
            xmlid: env.ref(f"reemploi_asset.{xmlid}") for xmlid in CATEGORY_SHARES
        }
        grades = [env.ref(f"reemploi_asset.grade_{g}").id for g in "abcd"]
        category_table = [categories[x].id for x in weighted(CATEGORY_SHARES)]
        state_table = weighted(STATE_SHARES)
        # per category: has a data medium, renewal years, CO2e; as the ORM has them
        category_rows = [
            (c.id, c.has_data_medium, c.renewal_years or 5.0, c.co2e_kg or 0.0)
            for c in categories.values()
        ]
        makers = [
            (m, identity.manufacturer_key(m) or None, model) for m, model in MODELS
        ]
        path_rows = list(PATHS.items())
        started = time.perf_counter()
        # the lots first (one per donor and window of ids), so that the
        # devices get theirs at insert time, not by an UPDATE of each row
        windows = (args.devices + LOT_WINDOW - 1) // LOT_WINDOW
        cr.execute(
            """
            INSERT INTO reemploi_lot (name, partner_id, state, company_id,
                    date_from, date_to, date_declared, contact_name,
                    device_count, weight_kg, co2e_kg,
                    create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || d.ord || '/' || w, d.id,
                   CASE WHEN w %% 3 = 0 THEN 'declared' ELSE 'received' END,
                   CASE WHEN w %% 3 = 0 THEN NULL
                        ELSE (%(operators)s::int[])[1 + (d.ord + w) %% %(n_ops)s] END,
                   %(first)s::date + w * 10, %(first)s::date + w * 10 + 60,
                   %(first)s::timestamp + w * interval '10 days', 'Bench',
                   0, 0, 0, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%(donors)s::int[]) WITH ORDINALITY AS d(id, ord),
                   generate_series(0, %(windows)s - 1) AS w
             WHERE NOT EXISTS (SELECT 1 FROM reemploi_lot l
                                WHERE l.name = 'BENCH/' || d.ord || '/' || w)
            """,
            {
                "operators": operators,
                "n_ops": len(operators),
                "first": first_day,
                "donors": donors,
                "windows": windows,
            },
        )
        cr.commit()
    done = count
    while done < args.devices:
        chunk = min(DEVICES_PER_CHUNK, args.devices - done)
        with registry.cursor() as cr:
            _insert_devices(
                cr,
                done + 1,
                done + chunk,
                {
                    "donors": donors,
                    "operators": operators,
                    "categories": category_table,
                    "states": state_table,
                    "grades": grades,
                    "category_rows": category_rows,
                    "makers": makers,
                    "paths": path_rows,
                    "now": now,
                    "first": first_day,
                    "operator_states": OPERATOR_STATES,
                    "graded_states": GRADED_STATES,
                    "erased_states": ERASED_STATES,
                    "reused_states": REUSED_STATES,
                },
            )
            cr.commit()
        done += chunk
        print(
            f"generation: {done:,} devices ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    with registry.cursor() as cr:
        # the lots' totals, as their computed fields would have them
        cr.execute(
            """
            UPDATE reemploi_lot l
               SET device_count = t.n, weight_kg = t.w, co2e_kg = t.c
              FROM (SELECT lot_id, count(*) n, sum(weight_kg) w, sum(co2e_kg) c
                      FROM reemploi_lot_line GROUP BY lot_id) t
             WHERE t.lot_id = l.id AND l.name LIKE 'BENCH/%%'
            """
        )
        cr.execute(
            "DELETE FROM reemploi_lot WHERE name LIKE 'BENCH/%%' AND device_count = 0"
        )
        cr.commit()
    print(f"generation: done in {time.perf_counter() - started:.0f} s", flush=True)
    return True


def _insert_devices(cr, first_id, last_id, p):
    """Devices numbered ``first_id``..``last_id`` (their serial), their
    custody events and lot lines."""
    cr.execute(
        """
        CREATE TEMP TABLE IF NOT EXISTS bench_category
            (id int, has_medium bool, renewal float, co2e float);
        CREATE TEMP TABLE IF NOT EXISTS bench_maker
            (ord int, name varchar, key varchar, model varchar);
        CREATE TEMP TABLE IF NOT EXISTS bench_path (state varchar, path varchar[]);
        TRUNCATE bench_category, bench_maker, bench_path;
        """
    )
    cr.execute(
        "INSERT INTO bench_category SELECT * FROM unnest(%s::int[], %s::bool[], "
        "%s::float[], %s::float[])",
        [list(col) for col in zip(*p["category_rows"], strict=True)],
    )
    cr.execute(
        "INSERT INTO bench_maker SELECT o - 1, n, k, m FROM unnest(%s::varchar[], "
        "%s::varchar[], %s::varchar[]) WITH ORDINALITY AS u(n, k, m, o)",
        [list(col) for col in zip(*p["makers"], strict=True)],
    )
    for state, path in p["paths"]:
        cr.execute("INSERT INTO bench_path VALUES (%s, %s::varchar[])", [state, path])
    params = {**p, "from": first_id, "to": last_id, "n_donors": len(p["donors"])}
    params["n_ops"] = len(p["operators"])
    params["n_makers"] = len(p["makers"])
    cr.execute("SELECT coalesce(max(id), 0) FROM reemploi_equipment")
    params["before"] = cr.fetchone()[0]
    # g: the device's number; its donor is g modulo the donors, its category,
    # state, maker and dates are drawn from hashes of it (independent of the
    # donor and of each other)
    cr.execute(
        """
        WITH src AS (
            SELECT g,
                   (%(donors)s::int[])[1 + g %% %(n_donors)s] AS owner_id,
                   1 + g %% %(n_donors)s AS donor_ord,
                   (%(categories)s::int[])[1 + abs(hashint4extended(g, 1) %% 100)]
                       AS category_id,
                   (%(states)s::varchar[])[1 + abs(hashint4extended(g, 2) %% 100)]
                       AS state,
                   abs(hashint4extended(g, 3) %% %(n_makers)s) AS maker,
                   date '2015-01-01' + abs(hashint4extended(g, 4) %% 3650)::int
                       AS purchase_date,
                   %(first)s::timestamp
                       + abs(hashint4extended(g, 5) %% 1000) * interval '1 day'
                       AS start
              FROM generate_series(%(from)s::int, %(to)s::int) AS g
        ), dev AS (
            SELECT s.*, c.has_medium, c.renewal, c.co2e, m.name AS manufacturer,
                   m.key AS manufacturer_key, m.model,
                   array_length(pa.path, 1) AS steps, l.id AS lot_id
              FROM src s
              JOIN bench_category c ON c.id = s.category_id
              JOIN bench_maker m ON m.ord = s.maker
              JOIN bench_path pa ON pa.state = s.state
              LEFT JOIN reemploi_lot l
                     ON l.name = 'BENCH/' || s.donor_ord || '/' || (s.g / %(window)s)
        )
        INSERT INTO reemploi_equipment (
            serial, serial_key, asset_tag, manufacturer, manufacturer_key, model,
            category_id, purchase_date, restricted_data, expected_end_date,
            owner_id, company_id, state, state_date, has_data_medium,
            medium_count, erasure_verified, grade_id, qr_token, co2e_avoided_kg,
            active, reemploi_lot_id,
            create_uid, write_uid, create_date, write_date)
        SELECT 'BS' || lpad(g::text, 9, '0'), 'BS' || lpad(g::text, 9, '0'),
               'INV-' || g, manufacturer, manufacturer_key, model,
               category_id, purchase_date, hashint4extended(g, 8) %% 50 = 0,
               (purchase_date + make_interval(months => (renewal * 12)::int))::date,
               owner_id,
               CASE WHEN state = ANY(%(operator_states)s)
                    THEN (%(operators)s::int[])
                         [1 + abs(hashint4extended(g, 6) %% %(n_ops)s)] END,
               state,
               start + (steps - 1) * ((%(now)s::timestamp - start) / steps),
               has_medium, CASE WHEN has_medium THEN 1 ELSE 0 END,
               NOT has_medium OR state = ANY(%(erased_states)s),
               CASE WHEN state = ANY(%(graded_states)s)
                    THEN (%(grades)s::int[])[1 + abs(hashint4extended(g, 7) %% 4)] END,
               md5(g::text || random()::text),
               CASE WHEN state = ANY(%(reused_states)s) THEN co2e ELSE 0 END,
               TRUE,
               CASE WHEN steps >= 3 THEN lot_id END,
               1, 1, start, start + (steps - 1) * ((%(now)s::timestamp - start) / steps)
          FROM dev
        """,
        {**params, "window": LOT_WINDOW},
    )
    cr.execute(
        """
        INSERT INTO reemploi_custody_event (
            equipment_id, sequence, date, event_type, from_state, to_state,
            user_id, partner_id, company_id, note, previous_hash, hash,
            create_uid, write_uid, create_date, write_date)
        SELECT e.id, k, e.create_date + (k - 1) * ((%(now)s::timestamp
                   - e.create_date) / array_length(pa.path, 1)),
               CASE WHEN k = 1 THEN 'registered' ELSE 'state' END,
               CASE WHEN k > 1 THEN pa.path[k - 1] END, st,
               1, e.owner_id, CASE WHEN st = ANY(%(operator_states)s)
                                   THEN e.company_id END,
               CASE WHEN k = 1 THEN 'Device registered' END,
               'bench', 'bench',
               1, 1, e.create_date, e.create_date
          FROM reemploi_equipment e
          JOIN bench_path pa ON pa.state = e.state
         CROSS JOIN LATERAL unnest(pa.path) WITH ORDINALITY AS u(st, k)
         WHERE e.id > %(before)s
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO reemploi_lot_line (lot_id, equipment_id, category_id, sequence,
               quantity, weight_kg, co2e_kg, create_uid, write_uid, create_date,
               write_date)
        SELECT e.reemploi_lot_id, e.id, e.category_id, 10, 1, c.weight_kg,
               c.co2e_kg, 1, 1, e.create_date, e.create_date
          FROM reemploi_equipment e
          JOIN reemploi_equipment_category c ON c.id = e.category_id
         WHERE e.reemploi_lot_id IS NOT NULL AND e.id > %(before)s
        """,
        params,
    )


def compact_tally(registry):
    """What the hourly scheduled actions do: one row per group of the
    register's kept counts (the generation inserted one per group and
    chunk)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.tools import SQL  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for model in (
            "reemploi.equipment.tally",
            "reemploi.equipment.month.tally",
            "reemploi.equipment.forecast.tally",
            "reemploi.custody.flow.tally",
        ):
            if model not in env:
                continue
            started = time.perf_counter()
            env[model]._compact()
            cr.execute(
                SQL("SELECT count(*) FROM %s", SQL.identifier(env[model]._table))
            )
            print(
                f"{model} compacted: {cr.fetchone()[0]:,} groups in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )


def agec_lines(registry, info):
    """A line of AGEC indicators of the current year for every public body,
    refreshed from the register: the reuse rates the overview shows (the
    AGEC screen measures last year's line of one body)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        Stock = env["reemploi.agec.stock"]
        year = datetime.date.today().year
        bodies = env["res.partner"].browse(info["donors"]).filtered("is_public_body")
        done = Stock.search([("year", "=", year)]).partner_id
        todo = bodies - done
        if not todo:
            return
        started = time.perf_counter()
        Stock.create(
            [{"partner_id": body.id, "year": year} for body in todo]
        ).action_refresh()
        cr.commit()
        print(
            f"AGEC lines {year}: {len(todo)} public bodies in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )


def first_dates(registry):
    """The devices' first dates of collection, erasure and sale, from the
    generated events, as the addon's migration fills them."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    started = time.perf_counter()
    with registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})[
            "reemploi.custody.event"
        ]._backfill_first_dates()
        cr.commit()
    print(f"first dates: {time.perf_counter() - started:.0f} s", flush=True)


def vacuum(args):
    started = time.perf_counter()
    pg_execute(args, args.db, "VACUUM (ANALYZE)")
    print(f"VACUUM (ANALYZE): {time.perf_counter() - started:.0f} s", flush=True)


def sizes(registry):
    with registry.cursor() as cr:
        out = {}
        for table in (
            "reemploi_equipment",
            "reemploi_custody_event",
            "reemploi_lot",
            "reemploi_lot_line",
            "res_partner",
        ):
            cr.execute(
                "SELECT count(*), pg_size_pretty(pg_total_relation_size(%s)) FROM "
                + table,  # noqa: S608 (table names of this file)
                [table],
            )
            out[table] = cr.fetchone()
        cr.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        out["database"] = cr.fetchone()[0]
        return out


# ---------------------------------------------------------------- screens
def list_specification(env, model, view_ref=None):
    """The fields the web client reads for a list view: the visible fields
    of its arch (not ``optional="hide"``, not hidden by groups), many2one as
    ``{"fields": {"display_name": {}}}``."""
    from lxml import etree  # noqa: PLC0415

    view_id = env.ref(view_ref).id if view_ref else False
    views = env[model].get_views([(view_id, "list")])
    arch = etree.fromstring(views["views"]["list"]["arch"])
    spec = {}
    for node in arch.iter("field"):
        if node.get("optional") == "hide" or node.getparent().tag != "list":
            continue
        name = node.get("name")
        field = env[model]._fields[name]
        spec[name] = (
            {"fields": {"display_name": {}}} if field.type == "many2one" else {}
        )
    return spec


class Screens:
    """Each screen is a function of an environment (a new cursor each load)."""

    def __init__(self, registry, info, args):
        self.registry = registry
        self.info = info
        self.args = args
        self.year = datetime.date.today().year - 1

    @contextlib.contextmanager
    def env(self, login):
        from odoo import api  # noqa: PLC0415

        with self.registry.cursor() as cr:
            uid = self.info["users"][login]
            env = api.Environment(cr, uid, {"lang": "fr_FR", "tz": "Europe/Paris"})
            user = env.user
            env = env(
                context={
                    **env.context,
                    "allowed_company_ids": user.company_ids.ids
                    if login == "bench_coordinator"
                    else [user.company_id.id],
                }
            )
            try:
                yield env
            finally:
                cr.rollback()

    def prepare(self):
        with self.env("bench_coordinator") as env:
            self.partner_spec = list_specification(env, "res.partner")
            self.equipment_spec = list_specification(
                env, "reemploi.equipment", "reemploi_asset.reemploi_equipment_view_list"
            )
            self.has_overview = "reemploi.overview" in env
        with self.env("bench_operator") as env:
            self.operator_spec = list_specification(
                env, "reemploi.equipment", "reemploi_asset.reemploi_equipment_view_list"
            )

    def screens(self):
        """(name, login or None for HTTP, function)."""
        incoming = [("state", "in", ("to_decommission", "declared", "collected"))]
        processing = [("state", "in", ("received", "erased", "graded", "refurbished"))]
        public_body = self.info["public_body"]
        year = self.year

        def partners(env):
            return env["res.partner"].web_search_read(
                [], self.partner_spec, limit=80, count_limit=10001
            )

        def register_list(spec, domain):
            def load(env):
                return env["reemploi.equipment"].web_search_read(
                    domain, spec, limit=80, count_limit=10001
                )

            return load

        def register_grouped(domain, groupby):
            def load(env):
                return env["reemploi.equipment"].web_read_group(
                    domain, ["co2e_avoided_kg:sum"], [groupby], limit=80, lazy=True
                )

            return load

        def without_tally(load):
            # the same screen counting the devices themselves (what it did
            # before reemploi.equipment.tally), in the same run
            def counted(env):
                return load(env(context={**env.context, "reemploi_no_tally": True}))

            return counted

        def pivot(env):
            rows, cols = ["owner_id", "category_id"], ["state"]
            result = []
            for i in range(len(rows) + 1):
                for j in range(len(cols) + 1):
                    result.append(
                        env["reemploi.equipment"].read_group(
                            [],
                            ["co2e_avoided_kg:sum"],
                            rows[:i] + cols[:j],
                            lazy=False,
                        )
                    )
            return result

        def agec(env):
            line = env["reemploi.agec.stock"].create(
                {"partner_id": public_body, "year": year}
            )
            line.action_refresh()
            return line.read(["sent_to_reuse", "stock_used", "reuse_rate"])

        def overview(env):
            return env["reemploi.overview"].get_data()

        def portal_figures(env):
            return env["reemploi.overview"].get_portal_data()

        screens = [
            (BASELINE, "bench_coordinator", partners),
            (
                "register list, coordinator (filter 'In processing')",
                "bench_coordinator",
                register_list(self.equipment_spec, processing),
            ),
            (
                "register grouped by category, coordinator (filter 'Incoming')",
                "bench_coordinator",
                register_grouped(incoming, "category_id"),
            ),
            (
                "  same, counting the devices (no tally)",
                "bench_coordinator",
                without_tally(register_grouped(incoming, "category_id")),
            ),
            (
                "register list, operator (filter 'In processing')",
                "bench_operator",
                register_list(self.operator_spec, processing),
            ),
            (
                "register grouped by state, operator",
                "bench_operator",
                register_grouped([], "state"),
            ),
            ("pivot donor x category x state", "bench_coordinator", pivot),
            (
                "  same, counting the devices (no tally)",
                "bench_coordinator",
                without_tally(pivot),
            ),
            (f"AGEC of a public body, {year}", "bench_coordinator", agec),
            ("portal /my/equipment (HTTP)", None, None),
        ]
        if self.has_overview:
            screens += [
                ("overview, coordinator", "bench_coordinator", overview),
                ("overview, operator", "bench_operator", overview),
                ("overview, donor's portal figures", "bench_donor", portal_figures),
            ]
        if self.args.only:
            screens = [
                screen
                for screen in screens
                if screen[0] == BASELINE or self.args.only in screen[0]
            ]
        return screens

    def measure(self, login, load, loads, warmup=2):
        times = []
        for n in range(warmup + loads):
            with self.env(login) as env:
                started = time.perf_counter()
                load(env)
                env.flush_all()
                elapsed = time.perf_counter() - started
            if n >= warmup:
                times.append(elapsed)
        return times


def measure_portal(args, loads, warmup=3):
    """``/my/equipment`` served by a real server (2 workers) to the donor."""
    import harness  # noqa: PLC0415 (tests/e2e)

    server = harness.OdooServer(modules=MODULES, dbname=args.db, workers=2)
    server.start()
    try:
        session = server.session("bench_donor", PASSWORD)
        times = []
        for n in range(warmup + loads):
            started = time.perf_counter()
            response = session.get(f"{server.url}/my/equipment", timeout=120)
            elapsed = time.perf_counter() - started
            if (
                response.status_code != 200
                or "/my/equipment/page/2" not in response.text
            ):
                raise BenchError(
                    f"/my/equipment answered {response.status_code} without a pager"
                )
            if n >= warmup:
                times.append(elapsed)
        return times
    finally:
        server.stop()
        # the server's directory (log, configuration, data of this database)
        shutil.rmtree(server.tmp, ignore_errors=True)


def p95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]


def explain(registry, info, args):
    """EXPLAIN ANALYZE of the main query of each screen, as its user: the
    SQL is captured from the ORM's cursor while the screen loads."""
    from odoo import sql_db  # noqa: PLC0415

    screens = Screens(registry, info, args)
    screens.prepare()
    captured = []
    original = sql_db.Cursor.execute

    def capture(cr, query, params=None, log_exceptions=True):
        captured.append((query, params))
        return original(cr, query, params, log_exceptions)

    for name, login, load in screens.screens():
        if login is None or name == BASELINE:
            continue
        captured.clear()
        sql_db.Cursor.execute = capture
        try:
            with screens.env(login) as env:
                started = time.perf_counter()
                load(env)
                env.flush_all()
                total = time.perf_counter() - started
        finally:
            sql_db.Cursor.execute = original
        timed = []
        with registry.cursor() as cr:
            for query, params in captured:
                text = query.code if hasattr(query, "code") else str(query)
                if not text.lstrip().upper().startswith("SELECT"):
                    continue
                if hasattr(query, "params"):
                    params = query.params
                cr.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + text, params)
                plan = [row[0] for row in cr.fetchall()]
                ms = float(plan[-1].split(":")[1].split()[0])
                timed.append((ms, text, plan))
            cr.rollback()
        timed.sort(key=lambda t: -t[0])
        print(f"\n=== {name}: {total * 1000:.0f} ms, {len(captured)} queries")
        for ms, text, plan in timed[: args.explain_top]:
            print(f"--- {ms:.0f} ms: {' '.join(text.split())[:600]}")
            print("\n".join(plan[:40]))


# ------------------------------------------------------------------ main
def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--donors", type=int, default=200)
    parser.add_argument("--operators", type=int, default=30)
    parser.add_argument("--associations", type=int, default=100)
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--db", default=None, help="reuse this database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN ANALYZE of each screen's slowest queries, no timings",
    )
    parser.add_argument("--explain-top", type=int, default=2)
    parser.add_argument(
        "--only", default="", help="only the screens whose name contains this"
    )
    parser.add_argument("--skip-portal", action="store_true")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-port", default=os.environ.get("PGPORT", "5432"))
    parser.add_argument(
        "--db-user", default=os.environ.get("PGUSER") or getpass.getuser()
    )
    parser.add_argument("--addons", default=str(ADDONS))
    parser.add_argument("--log-level", default="warn")
    return parser.parse_args()


def main():
    args = parse_args()
    fresh = args.db is None
    if fresh:
        args.db = f"reemploi_bench_scale_{time.strftime('%Y%m%d_%H%M%S')}"
    _package, core = find_odoo()
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(odoo_args(args, core))
    print(
        f"bench_scale: {args.devices:,} devices, {args.donors} donors, "
        f"{args.operators} operators, {args.associations} associations, "
        f"database {args.db}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    try:
        if fresh:
            print(f"install: {install(args, core):.0f} s", flush=True)
        registry = odoo.modules.registry.Registry(args.db)
        info = setup(registry, args)
        generated = generate(registry, args, info)
        if generated:
            first_dates(registry)
            compact_tally(registry)
        agec_lines(registry, info)
        if generated:
            vacuum(args)
        for table, value in sizes(registry).items():
            print(f"  {table}: {value}")
        if args.explain:
            explain(registry, info, args)
            return
        screens = Screens(registry, info, args)
        screens.prepare()
        results = []
        for name, login, load in screens.screens():
            if login is None:
                if args.skip_portal:
                    continue
                times = measure_portal(args, args.loads)
            else:
                times = screens.measure(login, load, args.loads)
            results.append((name, times))
            print(
                f"  {name}: p50 {statistics.median(times) * 1000:.0f} ms, "
                f"p95 {p95(times) * 1000:.0f} ms",
                flush=True,
            )
        if not screens.has_overview:
            print("overview: not installed")
        report(results, args)
    finally:
        if fresh and not args.keep:
            odoo.sql_db.close_all()
            pg_execute(args, "postgres", f'DROP DATABASE IF EXISTS "{args.db}"')
            shutil.rmtree(odoo.tools.config.filestore(args.db), ignore_errors=True)
            print(f"dropped {args.db}")


def report(results, args):
    base = statistics.median(dict(results)[BASELINE])
    print(
        f"\n{args.devices:,} devices, {args.loads} loads each, "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| screen | p50 | p95 | p50 / baseline | target p95 < 1 s |")
    print("|---|---:|---:|---:|---|")
    for name, times in results:
        p50 = statistics.median(times)
        high = p95(times)
        verdict = "" if name == BASELINE else ("PASS" if high < TARGET_P95 else "MISS")
        print(
            f"| {name} | {p50 * 1000:,.0f} ms | {high * 1000:,.0f} ms | "
            f"{p50 / base:.1f} | {verdict} |"
        )


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"bench_scale: {error}")
