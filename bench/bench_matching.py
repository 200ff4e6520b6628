"""Benchmark: the matching engine (reemploi_market/services/lot_matching.py,
demand_matching.py).

Generates lots and operators spread over a region of ~250 x 250 km around
Grenoble, and refurbished stock and demands, then prints:

* the time of the service (scores of every arc, then the min-cost flow);
* the greedy baseline on the same arcs (best arc first) in the same run:
  its time, its total score and the ratio exact / greedy;
* the total score of an independent solver on the same instance (SciPy's
  HiGHS on the linear programme, integral because the constraint matrix is
  totally unimodular) and its time, and the exact total against a brute
  force on small random instances: both must be equal;
* end to end from the database (``database_round_trip``): the same lots
  and operators written into a new database, then read, ranked and their
  proposals written by ``reemploi.match.proposal._propose()`` (target
  < 10 s).

The first parts need no Odoo (NumPy, OR-Tools, SciPy for the independent
solver); the last one needs Odoo 18.0 and PostgreSQL (``--skip-db``):

    python3 bench/bench_matching.py [--lots 10000] [--operators 1000]
        [--demands 1000] [--runs 3] [--small 200] [--skip-lp]
        [--skip-db | --only-db] [--keep-db] [--db-host ...]
"""

import argparse
import dataclasses
import datetime
import importlib
import importlib.util
import pathlib
import secrets
import sys
import time
import types

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDON = ROOT / "addons/reemploi_market"
CATEGORIES = ("laptop", "desktop", "monitor", "smartphone", "tablet", "printer")
CATEGORIES += ("network", "server")
CENTRE = (45.1885, 5.7245)  # Grenoble
TODAY = datetime.date(2026, 11, 30)


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the engines as a package of their own (their shared module is imported
# relatively), without the addon's services/__init__.py, which needs Odoo
_services = types.ModuleType("reemploi_market_services")
_services.__path__ = [str(ADDON / "services")]
sys.modules[_services.__name__] = _services
lot_matching = importlib.import_module("reemploi_market_services.lot_matching")
demand_matching = importlib.import_module("reemploi_market_services.demand_matching")
baselines = load("matching_baselines", ADDON / "tests/matching_baselines.py")
bench_import = load("bench_import", ROOT / "bench/bench_import.py")


def position(rng, count):
    return (
        CENTRE[0] + rng.uniform(-1.1, 1.1, count),
        CENTRE[1] + rng.uniform(-1.6, 1.6, count),
    )


def make_lots(rng, count):
    lats, lons = position(rng, count)
    lots = []
    for index in range(count):
        codes = rng.choice(CATEGORIES, size=rng.integers(1, 3), replace=False)
        quantities = {str(c): int(min(rng.geometric(1 / 12), 300)) for c in codes}
        start = TODAY + datetime.timedelta(days=int(rng.integers(0, 60)))
        lots.append(
            lot_matching.Lot(
                index + 1,
                quantities,
                float(lats[index]),
                float(lons[index]),
                available_from=start,
                available_until=start + datetime.timedelta(days=30),
            )
        )
    return lots


def make_operators(rng, count):
    lats, lons = position(rng, count)
    operators = []
    for index in range(count):
        accepted = [c for c in CATEGORIES if rng.random() < 0.6] or ["laptop"]
        operators.append(
            lot_matching.Operator(
                index + 1,
                frozenset(accepted),
                int(rng.integers(1, 20)),
                float(lats[index]),
                float(lons[index]),
                max_distance_km=float(rng.uniform(15, 60)),
                max_devices=None if rng.random() < 0.5 else int(rng.integers(50, 400)),
                social_economy=bool(rng.random() < 0.4),
                reliability=None if rng.random() < 0.1 else float(rng.uniform(0.6, 1)),
                period_start=TODAY,
                period_end=TODAY + datetime.timedelta(days=90),
            )
        )
    return operators


def make_stock(rng, operators=50):
    stock = []
    for operator in range(operators):
        for category in CATEGORIES:
            for rank, grade in enumerate(demand_matching.GRADES):
                stock.append(
                    demand_matching.StockGroup(
                        (operator, category, grade),
                        category,
                        grade,
                        int(rng.integers(0, 40)),
                        price=round(float(rng.uniform(40, 400)) / (rank + 1), 2),
                        available_date=TODAY
                        + datetime.timedelta(days=int(rng.integers(0, 30))),
                    )
                )
    return stock


def make_demands(rng, count):
    return [
        demand_matching.Demand(
            index + 1,
            str(rng.choice(CATEGORIES)),
            int(rng.integers(1, 50)),
            str(rng.choice(demand_matching.GRADES)),
            deadline=None
            if rng.random() < 0.3
            else TODAY + datetime.timedelta(days=int(rng.integers(-5, 120))),
            max_price=None if rng.random() < 0.3 else float(rng.uniform(50, 300)),
        )
        for index in range(count)
    ]


def best_of(runs, func):
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def flow_total(flow, value):
    return sum(int(f) * int(v) for f, v in zip(flow, value, strict=True))


def lp_total(supply, capacity, tail, head, arc_capacity, value):
    """Independent solver: the LP of the flow with SciPy's HiGHS."""
    from scipy import sparse
    from scipy.optimize import linprog

    n = len(tail)
    columns = np.arange(n)
    matrix = sparse.vstack(
        [
            sparse.csr_array((np.ones(n), (tail, columns)), shape=(len(supply), n)),
            sparse.csr_array((np.ones(n), (head, columns)), shape=(len(capacity), n)),
        ]
    )
    result = linprog(
        -np.asarray(value, dtype=float),
        A_ub=matrix,
        b_ub=np.concatenate([supply, capacity]).astype(float),
        bounds=np.column_stack([np.zeros(n), np.asarray(arc_capacity, dtype=float)]),
        method="highs-ds",
    )
    return round(-result.fun)


def report(label, arcs_count, seconds, solve, total, greedy, greedy_seconds):
    print(f"{label}: {arcs_count:,} arcs")
    print(f"  service, scores + solver:  {seconds:.3f} s")
    print(f"  solver (min-cost flow):    {solve:.3f} s")
    print(f"  greedy baseline on the arcs: {greedy_seconds:.3f} s")
    print(f"  total score exact:  {total / 100:,.2f}")
    print(f"  total score greedy: {greedy / 100:,.2f}")
    if greedy:
        print(f"  ratio exact / greedy: {total / greedy:.4f}")


def independent(inputs, total, skip):
    if skip:
        return
    seconds, reference = best_of(1, lambda: lp_total(*inputs))
    verdict = "equal" if reference == total else "DIFFERENT"
    print(f"  SciPy HiGHS LP: {reference / 100:,.2f} in {seconds:.2f} s ({verdict})")


def bench_lots(args, rng):
    lots = make_lots(rng, args.lots)
    operators = make_operators(rng, args.operators)
    seconds, result = best_of(args.runs, lambda: lot_matching.assign(lots, operators))
    solve = min(
        lot_matching.assign(lots, operators).stats["solve_seconds"]
        for _ in range(args.runs)
    )
    arcs = lot_matching.lot_arcs(lots, operators)
    inputs = baselines.lot_flow_inputs(arcs)
    greedy_seconds, flow = best_of(args.runs, lambda: baselines.greedy_flow(*inputs))
    total = round(result.total * 100)
    report(
        f"lots x operators: {len(lots):,} x {len(operators):,}",
        len(arcs.tail),
        seconds,
        solve,
        total,
        flow_total(flow, arcs.centi),
        greedy_seconds,
    )
    print(
        f"  assigned: {len(result.assigned):,} lots "
        f"(greedy {sum(flow):,}), slots: {sum(o.capacity for o in operators):,}"
    )
    independent(inputs, total, args.skip_lp)
    example = next(iter(result.proposals.values()))[0]
    print(f"  e.g. lot {example.lot_id}: {example.breakdown.describe()}")


def bench_demands(args, rng):
    stock = make_stock(rng)
    demands = make_demands(rng, args.demands)

    def run():
        return demand_matching.match_demand(stock, demands, today=TODAY)

    seconds, result = best_of(args.runs, run)
    arcs = demand_matching.demand_arcs(stock, demands, today=TODAY)
    inputs = baselines.demand_flow_inputs(arcs)
    greedy_seconds, flow = best_of(args.runs, lambda: baselines.greedy_flow(*inputs))
    total = round(result.total * 100)
    report(
        f"stock x demands: {len(arcs.stock):,} groups "
        f"({int(arcs.supply.sum()):,} devices) x {len(arcs.demands):,}",
        len(arcs.tail),
        seconds,
        result.stats["solve_seconds"],
        total,
        flow_total(flow, arcs.centi),
        greedy_seconds,
    )
    independent(inputs, total, args.skip_lp)


def bench_small(args):
    """Exact total against a brute force on small random instances."""
    rng = np.random.default_rng(7)
    equal = 0
    for _ in range(args.small):
        lots = make_lots(rng, int(rng.integers(0, 7)))
        operators = make_operators(rng, int(rng.integers(0, 4)))
        # a small area, so that the lots compete for the operators
        lots = [_near(lot, rng) for lot in lots]
        operators = [_near(operator, rng) for operator in operators]
        arcs = lot_matching.lot_arcs(lots, operators)
        exact = round(lot_matching.assign(lots, operators).total * 100)
        brute = baselines.brute_force_total(*baselines.lot_flow_inputs(arcs))
        equal += exact == brute
    print(f"brute force, {args.small} instances of <= 6 lots x 3 operators: ", end="")
    print(f"{equal} equal, {args.small - equal} different")


def _near(record, rng):
    return dataclasses.replace(
        record,
        latitude=CENTRE[0] + float(rng.uniform(-0.2, 0.2)),
        longitude=CENTRE[1] + float(rng.uniform(-0.2, 0.2)),
    )


# ---------------------------------------------------------------- database
# The same lots and operators, written into a fresh database: the matching
# then reads them, ranks them and writes the proposals (reemploi.lot's
# matching, reemploi.match.proposal._propose).
DB_MODULE = "reemploi_market"


def clone_rows(cr, table, template_id, columns, rows):
    """Insert ``rows`` (tuples of ``columns``) into ``table``, every other
    column copied from the row ``template_id``; the ids, in order.

    Set-based, not timed: it only prepares the data (creating 1,000
    companies through the ORM would build 1,000 warehouses).
    """
    from psycopg2 import sql  # noqa: PLC0415
    from psycopg2.extras import execute_values  # noqa: PLC0415

    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name <> 'id'",
        [table],
    )
    others = [name for (name,) in cr.fetchall() if name not in columns]

    def names(prefix, items):
        return sql.SQL(", ").join(sql.Identifier(prefix, name) for name in items)

    query = sql.SQL(
        "INSERT INTO {table} ({columns}) SELECT {copied}, {given} "
        "FROM (VALUES %s) AS v ({aliases}) "
        "CROSS JOIN (SELECT * FROM {table} WHERE id = {template}) AS tpl "
        "ORDER BY v._row RETURNING id"
    ).format(
        table=sql.Identifier(table),
        columns=sql.SQL(", ").join(map(sql.Identifier, [*others, *columns])),
        copied=names("tpl", others),
        given=names("v", columns),
        aliases=sql.SQL(", ").join(map(sql.Identifier, ["_row", *columns])),
        template=sql.Literal(template_id),
    )
    numbered = [(index, *row) for index, row in enumerate(rows)]
    query = query.as_string(cr._obj)
    return [row[0] for row in execute_values(cr._obj, query, numbered, fetch=True)]


def columns_of(pairs):
    """[(a, b), ...] -> [[a, ...], [b, ...]], for unnest()."""
    return [list(column) for column in zip(*pairs, strict=True)]


def write_instance(env, lots, operators, shift):
    """Operators as companies, lots as declared lots of one donor, each at
    its own pickup site; ``shift`` moves the bench's dates to today."""
    cr = env.cr
    categories = {
        category.code: category.id
        for category in env["reemploi.equipment.category"].search([])
    }
    partner = env["res.partner"].create({"name": "Bench template", "is_company": True})
    donor = env["res.partner"].create({"name": "Bench donor", "is_company": True})
    partner_ids = clone_rows(
        cr,
        "res_partner",
        partner.id,
        ["name", "complete_name", "partner_latitude", "partner_longitude"],
        [
            (f"Operator {op.id}", f"Operator {op.id}", op.latitude, op.longitude)
            for op in operators
        ],
    )
    company = env.company
    company_ids = clone_rows(
        cr,
        "res_company",
        company.id,
        [
            "name",
            "partner_id",
            "parent_path",
            "reemploi_lots_per_period",
            "reemploi_period_days",
            "reemploi_max_devices",
            "reemploi_max_distance_km",
            "reemploi_social_economy",
            "reemploi_reliability",
            "reemploi_reliability_count",
        ],
        [
            (
                f"Operator {op.id}",
                partner_id,
                "",
                op.capacity,
                (op.period_end - op.period_start).days,
                op.max_devices or 0,
                op.max_distance_km or 0.0,
                op.social_economy,
                100.0 * (op.reliability or 0.0),
                0 if op.reliability is None else 10,
            )
            for op, partner_id in zip(operators, partner_ids, strict=True)
        ],
    )
    cr.execute(
        "UPDATE res_company SET parent_path = id || '/' WHERE id = ANY(%s)",
        [company_ids],
    )
    cr.execute(
        "INSERT INTO reemploi_company_category_rel (company_id, category_id) "
        "SELECT * FROM unnest(%s::int[], %s::int[])",
        columns_of(
            (company_id, categories[code])
            for op, company_id in zip(operators, company_ids, strict=True)
            for code in op.categories
        ),
    )
    site_ids = clone_rows(
        cr,
        "res_partner",
        partner.id,
        ["name", "complete_name", "parent_id", "partner_latitude", "partner_longitude"],
        [
            (f"Site {lot.id}", f"Site {lot.id}", donor.id, lot.latitude, lot.longitude)
            for lot in lots
        ],
    )
    template = env["reemploi.lot"].create(
        {"partner_id": donor.id, "pickup_address": "Bench"}
    )
    lot_ids = clone_rows(
        cr,
        "reemploi_lot",
        template.id,
        ["name", "site_id", "state", "date_from", "date_to"],
        [
            (
                f"BENCH/{lot.id:05d}",
                site_id,
                "declared",
                lot.available_from + shift,
                lot.available_until + shift,
            )
            for lot, site_id in zip(lots, site_ids, strict=True)
        ],
    )
    lines = [
        (lot_id, categories[code], quantity)
        for lot, lot_id in zip(lots, lot_ids, strict=True)
        for code, quantity in lot.quantities.items()
    ]
    cr.execute(
        "INSERT INTO reemploi_lot_line (lot_id, category_id, quantity, sequence) "
        "SELECT *, 10 FROM unnest(%s::int[], %s::int[], %s::int[])",
        columns_of(lines),
    )
    template.unlink()
    env.invalidate_all()
    return len(lines)


def database_round_trip(args, rng):
    """End to end from the database to the proposals written (< 10 s).

    Installs reemploi_market without demo data in a new database (as
    bench_import.py does), writes ``--lots`` declared lots and
    ``--operators`` operator companies (those of the first part, same
    seed), then times, in one transaction on a cold cache: reading the
    lots, their lines and the operators' profiles and capacities,
    ``assign()``, creating the proposals and logging them on the lots.
    """
    _odoo_dir, core_addons = bench_import.find_odoo()
    import odoo  # noqa: PLC0415

    lots = make_lots(rng, args.lots)
    operators = make_operators(rng, args.operators)
    shift = datetime.date.today() - TODAY
    print(f"\nend to end from the database: installing {DB_MODULE} in {args.db} ...")
    installed = False
    try:
        seconds = bench_import.install(args, core_addons, DB_MODULE)
        installed = True
        print(f"  installed in {seconds:.0f} s (separate process)")
        odoo.tools.config.parse_config(bench_import.odoo_args(args, core_addons))
        registry = odoo.modules.registry.Registry(args.db)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})
            started = time.perf_counter()
            count = write_instance(env, lots, operators, shift)
            cr.commit()
            print(
                f"  written (not timed): {len(lots):,} lots ({count:,} lines), "
                f"{len(operators):,} operators in "
                f"{time.perf_counter() - started:.1f} s"
            )
        bench_import.pg_execute(args, args.db, "VACUUM (ANALYZE)")
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})
            started = time.perf_counter()
            declared = env["reemploi.lot"].search([("state", "=", "declared")])
            proposals = env["reemploi.match.proposal"]._propose(declared)
            env.flush_all()
            seconds = time.perf_counter() - started
            offered = proposals.filtered(lambda p: p.state == "proposed")
            print(
                f"  {len(declared):,} lots read, {len(proposals):,} proposals "
                f"written ({len(offered):,} offered) in {seconds:.2f} s"
            )
            verdict = "PASS" if seconds < 10 else "MISS"
            print(f"  target < 10 s: {verdict}")
            cr.commit()
    finally:
        if args.keep_db and installed:
            print(f"  database kept: {args.db}")
        else:
            bench_import.drop_database(args)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lots", type=int, default=10000)
    parser.add_argument("--operators", type=int, default=1000)
    parser.add_argument("--demands", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-lp", action="store_true")
    parser.add_argument(
        "--skip-db", action="store_true", help="skip the end to end measure"
    )
    parser.add_argument("--only-db", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    bench_import.add_database_arguments(parser)
    args = parser.parse_args()
    args.db = args.db or (
        f"bench_matching_{time.strftime('%Y%m%d_%H%M%S')}_{secrets.token_hex(3)}"
    )
    rng = np.random.default_rng(args.seed)
    if not args.only_db:
        bench_lots(args, rng)
        bench_demands(args, rng)
        bench_small(args)
    if not args.skip_db:
        database_round_trip(args, np.random.default_rng(args.seed))


if __name__ == "__main__":
    main()
