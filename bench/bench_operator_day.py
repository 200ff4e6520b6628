"""Benchmark: an operator's day at volume, from arrival to "on sale".

A refurbisher's bench processes about 2,500 devices a day. Each device here
goes the way the issue describes, through the addons' own entry points, as
the operator's user (record rules and all):

* **audit**: its glpi-agent JSON snapshot (the GLPI inventory format sample
  of the tests, with the device's own serials) posted by the bench station:
  ``_audit_import()``, one transaction per snapshot as the endpoint does;
  the device is registered as received with its components;
* **erasure**: the erasure tool's report of the day, a CSV of every drive,
  imported with the import wizard (``reemploi.erasure.import``), one
  transaction per file of 500 drives; each drive matched by its serial
  becomes the device's verified erasure;
* **grading**: a grading session per device with the checks the operator
  recorded (every function OK, nothing to report), validated and applied
  (``action_done_and_grade()``), in batches of 100 per transaction;
* **publish**: ``action_publish_shop()`` in batches of 100.

Printed: the time of each step per device and the total per device (target:
<= 50 ms), and a baseline measured in the same process: the same number of
devices stored with Odoo's own ``create()`` alone (no audit, no erasure, no
grade), the floor of any path.

With ``--actions`` it also starts the database's Odoo over HTTP and walks
two devices in headless Chromium (tests/e2e/browser.py) as the operator,
counting the clicks, key presses and fields typed from arrival to "on
sale": *today*, a device without audit nor imported report (erasure typed
in its form, every check clicked, published), and *ours*, a device whose
audit and erasure report the bench station posted (its label scanned at
the grading bench, "Le reste fonctionne", "Rien à signaler : valider, noter
et publier"). The timed erasure step runs the import wizard in the process;
the station's ``POST /reemploi/erasure`` runs the same wizard, so the walk
counts no action for it.

    python3 bench/bench_operator_day.py                      # 2,500 devices, ~6 min
    python3 bench/bench_operator_day.py --devices 500 --actions
"""

import argparse
import contextlib
import copy
import datetime
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import (  # noqa: E402 (bench_import's database helpers)
    BenchError,
    pg_execute,
    add_database_arguments,
    drop_database,
    find_odoo,
    git_state,
    install,
    odoo_args,
)

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = (
    ROOT
    / "addons/reemploi_asset/tests/fixtures/audit/glpi-inventory-format-computer_1.json"
)
MODULES = "reemploi_market"
ERASURE_FILE_ROWS = 500
BATCH = 100
TARGET_MS = 50.0
TARGET_ACTIONS = 3


def snapshot(template, index):
    """The sample inventory of one device: its own BIOS, drive and battery
    serials."""
    data = copy.deepcopy(template)
    content = data["content"]
    content["bios"]["ssn"] = f"BENCH{index:06d}"
    content["bios"]["msn"] = f"/BENCH{index:06d}/"
    for number, storage in enumerate(content.get("storages") or []):
        storage["serial"] = f"BDRV{index:06d}{number}"
    for battery in content.get("batteries") or []:
        battery["serial"] = f"BBAT{index:06d}"
    data["deviceid"] = f"bench-{index:06d}"
    return json.dumps(data).encode()


def erasure_csv(indexes):
    lines = [
        "drive serial,model,capacity,method,result,start,end,tool,version,verification"
    ]
    for index in indexes:
        lines.append(
            f"BDRV{index:06d}0,Samsung PM871,256,Zero fill,success,"
            "2026-12-01T08:00:00,2026-12-01T08:41:00,nwipe,0.34,pass"
        )
    return ("\n".join(lines) + "\n").encode()


class Day:
    def __init__(self, args, registry):
        import odoo  # noqa: PLC0415

        self.odoo = odoo
        self.args = args
        self.registry = registry
        with self.env() as env:
            self.company = env["res.company"].create(
                {"name": "Atelier du banc d'essai", "city": "Grenoble"}
            )
            env["res.company"].browse(1).write({"child_ids": []})
            self.operator = env["res.users"].create(
                {
                    "name": "Opératrice du banc",
                    "login": "bench_operator",
                    "password": "bench_operator",
                    "email": "banc@example.org",
                    "lang": "fr_FR",
                    "tz": "Europe/Paris",
                    "company_id": self.company.id,
                    "company_ids": [(6, 0, self.company.ids)],
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                env.ref("base.group_user").id,
                                env.ref(
                                    "reemploi_asset.group_reemploi_operator_manager"
                                ).id,
                            ],
                        )
                    ],
                }
            ).id
            laptop = env.ref("reemploi_asset.category_laptop")
            laptop.write({"shop_list_price": 290.0})
            self.company_id = self.company.id

    @contextlib.contextmanager
    def env(self, uid=None, company=None):
        api = self.odoo.api
        with self.registry.cursor() as cr:
            env = api.Environment(
                cr, uid or api.SUPERUSER_ID, {"tracking_disable": False}
            )
            if company:
                env = env(context=dict(env.context, allowed_company_ids=[company]))
            yield env
            cr.commit()

    def as_operator(self):
        return self.env(self.operator, self.company_id)

    # the four steps -------------------------------------------------------
    def audits(self, template, indexes):
        devices = []
        for index in indexes:
            with self.as_operator() as env:
                status, device = env["reemploi.equipment"]._audit_import(
                    snapshot(template, index), f"bench-{index:06d}.json"
                )
                if status != "created":
                    raise BenchError(f"audit {index}: {status}")
                devices.append(device.id)
        return devices

    def erasures(self, indexes):
        verified = 0
        for start in range(0, len(indexes), ERASURE_FILE_ROWS):
            began = time.perf_counter()
            part = indexes[start : start + ERASURE_FILE_ROWS]
            with self.as_operator() as env:
                attachment = env["ir.attachment"].create(
                    {"name": f"effacements-{start}.csv", "raw": erasure_csv(part)}
                )
                wizard = env["reemploi.erasure.import"].create(
                    {"attachment_ids": [(6, 0, attachment.ids)]}
                )
                wizard.action_import()
            seconds = time.perf_counter() - began
            with self.as_operator() as env:
                verified += env["reemploi.erasure"].search_count(
                    [
                        ("medium_serial", "in", [f"BDRV{i:06d}0" for i in part]),
                        ("verified", "=", True),
                    ]
                )
            print(f"  erasure report of {len(part)} drives: {seconds:.1f} s", flush=True)
        if verified != len(indexes):
            raise BenchError(f"{verified} verified erasures for {len(indexes)} drives")

    def gradings(self, devices):
        from odoo.addons.reemploi_asset.services.grading import CHECK_CODES  # noqa: PLC0415

        for start in range(0, len(devices), BATCH):
            with self.as_operator() as env:
                part = env["reemploi.equipment"].browse(devices[start : start + BATCH])
                vals_list = []
                for device in part:
                    batteries = device.component_ids.filtered(
                        lambda c: c.kind == "battery"
                    )
                    vals_list.append(
                        {
                            "equipment_id": device.id,
                            **{f"check_{code}": "ok" for code in CHECK_CODES},
                            "cosmetic_checked": True,
                            "battery_design_capacity": sum(
                                batteries.mapped("design_capacity_mwh")
                            )
                            / 1000.0,
                            "battery_full_capacity": sum(
                                batteries.mapped("current_capacity_mwh")
                            )
                            / 1000.0,
                        }
                    )
                gradings = env["reemploi.grading"].create(vals_list)
                gradings.action_done()
                part.action_grade()

    def publish(self, devices):
        for start in range(0, len(devices), BATCH):
            with self.as_operator() as env:
                env["reemploi.equipment"].browse(
                    devices[start : start + BATCH]
                ).action_publish_shop()
        with self.as_operator() as env:
            states = env["reemploi.equipment"].browse(devices).mapped("state")
            if set(states) != {"for_sale"}:
                raise BenchError(f"not all on sale: {sorted(set(states))}")

    def baseline(self, count):
        with self.as_operator() as env:
            laptop = env.ref("reemploi_asset.category_laptop")
        for start in range(0, count, BATCH):
            with self.as_operator() as env:
                env["reemploi.equipment"].create(
                    [
                        {
                            "serial": f"BASE{index:06d}",
                            "manufacturer": "Dell Inc.",
                            "model": "XPS 13 9350",
                            "category_id": laptop.id,
                            "company_id": self.company_id,
                        }
                        for index in range(start, min(count, start + BATCH))
                    ]
                )


def timed(func, *args):
    began = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - began, result


# ------------------------------------------------------------------ actions
class CountingBrowser:
    """tests/e2e/browser.py's Browser, counting what the user does: each
    click, each field typed, each key pressed is one action."""

    def __init__(self, browser, serial):
        self.browser = browser
        self.serial = serial
        self.actions = []

    def count(self, kind, what):
        self.actions.append(f"{kind} {what}")

    def click(self, selector, text=None):
        self.count("click", text or selector)
        return self.browser.click(selector, text)

    def fill(self, selector, value):
        self.count("type", selector)
        return self.browser.fill(selector, value)

    def press(self, key):
        self.count("key", key)
        return self.browser.press(key)

    def select(self, selector, label):
        self.count("choose", selector)
        return self.browser.select(selector, label)

    def __getattr__(self, name):
        return getattr(self.browser, name)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def odoo_server(args, core_addons):
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "odoo",
        *odoo_args(args, core_addons),
        f"--http-port={port}",
        "--workers=0",
        f"--db-filter=^{args.db}$",
    ]
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"{args.db}-server.log", "w")
    print(f"server log: {log.name}")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        import requests  # noqa: PLC0415

        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{url}/web/login", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise BenchError("the Odoo server did not start")
            time.sleep(1)
        yield url
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def open_device(user, url, serial):
    """The operator finds the device: its serial typed (or scanned) in the
    register's search, the row opened."""
    user.goto(f"{url}/odoo/action-reemploi_asset.reemploi_equipment_action")
    user.fill(".o_searchview_input", serial)
    user.press("Enter")
    user.click(".o_data_row td.o_data_cell", serial)
    user.wait(".o_form_view .o_statusbar_status")


def walk_today(user, url, serial):
    """Arrival to "on sale" without audit nor imported report: the erasure
    typed in its form (as tests/e2e's operator journey types it), every
    check clicked."""
    open_device(user, url, serial)
    user.click("button[name='action_new_erasure']")
    user.wait(".o_form_view div[name='medium_serial']")
    user.fill("div[name='medium_serial'] input", f"{serial}-D0")
    user.select("div[name='medium_type'] select", "SATA SSD")
    user.fill("div[name='technique'] input", "Remplissage de zéros")
    user.fill("div[name='tool_name'] input", "nwipe")
    user.fill("div[name='tool_version'] input", "0.34")
    ended = user.evaluate(
        "luxon.DateTime.now().plus({minutes: 2}).toFormat('dd/MM/yyyy HH:mm:ss')"
    )
    user.fill("div[name='date_end'] input", ended)
    user.press("Tab")
    user.select("div[name='result'] select", "Succès")
    user.select("div[name='verification_method'] select", "Échantillonnage représentatif")
    user.select("div[name='verification_result'] select", "Réussi")
    user.click(".o_form_button_save")
    user.wait(".o_form_view .ribbon")
    user.click(".breadcrumb-item a", serial)
    user.click("button[name='action_mark_erased']")
    user.wait(".o_statusbar_status .o_arrow_button_current", "Effacé")
    grade_by_hand(user)


def grade_by_hand(user):
    from odoo.addons.reemploi_asset.services.grading import CHECK_CODES  # noqa: PLC0415

    user.click("button[name='action_new_grading']")
    user.wait(".o_form_view div[name='check_power']")
    for code in CHECK_CODES:
        user.click(f"div[name='check_{code}'] input[data-value='ok']")
    user.fill("div[name='battery_design_capacity'] input", "57.57")
    user.fill("div[name='battery_full_capacity'] input", "50.57")
    user.click(".o_reemploi_nothing_to_report")
    user.click("button[name='action_done_and_grade']")
    user.wait_until(
        "!document.querySelector(\"button[name='action_done_and_grade']\")",
        "the grading validated",
    )
    user.click(".breadcrumb-item a", serial_of(user))
    user.click("button[name='action_publish_shop']")
    user.click(".modal button.btn-primary")
    user.wait(".o_statusbar_status .o_arrow_button_current", "En vente")


def serial_of(user):
    return user.serial


def walk_ours(user, url, serial):
    """Arrival to "on sale" of a device whose audit and erasure report the
    bench station posted: at the grading bench, the label scanned (a hand
    scanner types the code and Enter: one action), "Le reste fonctionne",
    "Rien à signaler : valider, noter et publier"."""
    user.goto(f"{url}/odoo/action-reemploi_asset.reemploi_bench_scan_action")
    user.wait(".o_reemploi_bench_code")
    user.browser.fill(".o_reemploi_bench_code", serial)
    user.browser.press("Enter")
    user.count("scan", serial)
    user.wait(".o_form_view div[name='check_power']")
    user.click("button[name='action_rest_ok']")
    user.wait("div[name='check_camera'] input[data-value='ok']:checked")
    user.click("button[name='action_done_grade_publish']", "Rien à signaler")
    # back at the bench, ready for the next label
    user.wait(".o_reemploi_bench_done", serial)
    user.wait(".o_reemploi_bench_code")


def count_actions(args, core_addons, today_serial, ours_serial):
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from browser import Browser  # noqa: PLC0415

    with odoo_server(args, core_addons) as url:
        counts = {}
        for name, walk, serial in (
            ("today", walk_today, today_serial),
            ("ours", walk_ours, ours_serial),
        ):
            with Browser(width=1366, name=f"bench-{name}") as browser:
                browser.login(url, "bench_operator", "bench_operator")
                user = CountingBrowser(browser, serial)
                walk(user, url, serial)
                browser.screenshot(f"bench-operator-day-{name}")
                counts[name] = user.actions
    # the station posts the erasure reports (POST /reemploi/erasure): the
    # operator uploads nothing
    counts["ours_batch"] = 0.0
    return counts


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=2500)
    parser.add_argument("--actions", action="store_true", help="count the operator's actions in Chromium")
    parser.add_argument("--keep-db", action="store_true")
    add_database_arguments(parser)
    args = parser.parse_args()
    args.db = args.db or f"bench_day_{time.strftime('%Y%m%d_%H%M%S')}_{secrets.token_hex(3)}"
    odoo_dir, core_addons = find_odoo()
    seconds = install(args, core_addons, module=MODULES)
    # the operator works in French, as on the demo
    done = subprocess.run(
        [sys.executable, "-m", "odoo", *odoo_args(args, core_addons),
         "--load-language=fr_FR", "-u", "base", "--stop-after-init", "--no-http"],
        capture_output=True, text=True, check=False,
    )
    if done.returncode:
        raise BenchError(f"loading French failed: {done.stderr[-2000:]}")
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(odoo_args(args, core_addons))
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        cr.execute("SHOW autovacuum")
        autovacuum = cr.fetchone()[0]
    print(
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f}; Odoo "
        f"{odoo.release.version}; database {args.db} ({MODULES} installed in {seconds:.0f} s)"
    )
    print(f"code: {git_state()}")
    print(
        f"autovacuum: {autovacuum}"
        + ("" if autovacuum == "on" else "; ANALYZE between the steps, not timed")
    )
    try:
        day = Day(args, registry)
        template = json.loads(SNAPSHOT.read_bytes())
        count = args.devices
        indexes = list(range(count + 2))
        steps = {}

        def analyze():
            # what autovacuum does between the steps of a real day; a server
            # without it (CI's) would plan on empty tables' statistics
            if autovacuum != "on":
                pg_execute(args, args.db, "ANALYZE")

        steps["audit"], devices = timed(day.audits, template, indexes)
        analyze()
        # the device walked 'today' has no imported report: its erasure is typed
        steps["erasure"], _ = timed(day.erasures, indexes[:count] + indexes[count + 1 :])
        analyze()
        # two devices are left for the walks in Chromium
        batch = devices[:count]
        steps["grading"], _ = timed(day.gradings, batch)
        analyze()
        steps["publish"], _ = timed(day.publish, batch)
        base, _ = timed(day.baseline, count)
        total = sum(steps.values())
        print(f"\n{count:,} devices (+2 for the walks), as the operator's user")
        print(f"{'step':<10}{'total s':>10}{'ms/device':>12}")
        for name, value in steps.items():
            devices_of_step = {"audit": count + 2, "erasure": count + 1}.get(name, count)
            print(f"{name:<10}{value:>10.1f}{value * 1000 / devices_of_step:>12.1f}")
        per_device = total * 1000 / count
        print(f"{'total':<10}{total:>10.1f}{per_device:>12.1f}   target <= {TARGET_MS:.0f} ms: "
              f"{'met' if per_device <= TARGET_MS else 'MISSED'}")
        print(
            f"baseline: Odoo's create() of {count:,} devices alone: {base:.1f} s, "
            f"{base * 1000 / count:.1f} ms/device; ours / baseline = {total / base:.1f}x"
        )
        if args.actions:
            today_serial, ours_serial = f"BENCH{count:06d}", f"BENCH{count + 1:06d}"
            # upload the file, import, close: 3 actions for a file of 500 drives
            counts = count_actions(args, core_addons, today_serial, ours_serial)
            today, ours = len(counts["today"]), len(counts["ours"]) + counts["ours_batch"]
            print("\noperator's actions per device, arrival to on sale (Chromium, 1366 px):")
            print(f"  today (typed erasure, every check clicked): {today}")
            print(f"  ours (audit + imported report): {ours:.2f}   target <= {TARGET_ACTIONS}: "
                  f"{'met' if ours <= TARGET_ACTIONS else 'MISSED'}; ours / today = {ours / today:.2f}")
            for name in ("today", "ours"):
                print(f"  {name}: " + "; ".join(counts[name]))
    finally:
        registry = None
        if not args.keep_db:
            drop_database(args)


if __name__ == "__main__":
    main()
