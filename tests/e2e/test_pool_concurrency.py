"""The shop, the demands and the fair allocation racing for the same devices.

Each round, operator X grades and publishes ``DEVICES_PER_ROUND`` laptops,
and the three paths that hand out the pool of available devices all want
them:

* the shop: association buyers (solidarity prices, on invoice) each hold
  one of the devices in their cart and check out
  (``POST /shop/solidarity/confirm``);
* the demands: two resellers' demands are allocated devices of X; two
  operator users accept them, as the button of the demand's form does
  (JSON-RPC ``/web/dataset/call_button``, ``action_accept``);
* the fair allocation: two runs, computed and published one after the
  other, propose the same best devices to two associations, whose users
  confirm on the portal (``POST /my/allocations/<id>/confirm``).

Every request is released at the same instant (``threading.Barrier``) at a
multi-process server: concurrent PostgreSQL transactions at Odoo's
REPEATABLE READ isolation, each a different user. After every round, what
PostgreSQL committed must hold:

* no device is promised twice: at most one of a confirmed order line, an
  allocation line reserved or ordered, an accepted demand allocation holds
  it;
* every device of the round is promised (each is in a buyer's cart: a
  checkout is refused only when another path took its device first);
* each request either succeeded or was refused cleanly with its reason (no
  HTTP 500, no internal error), and what each was told is what was
  committed.

``E2E_ROUNDS`` (default 10) sets the number of rounds.
"""

import collections
import concurrent.futures
import os
import re
import threading
import time
import urllib.parse

from harness import HTTP_TIMEOUT, ServerCase
from journeys import (
    CheckoutRace,
    accredited_associations,
    address,
    cart_session,
    clear_draft_carts,
    create_users,
    graded_devices,
    operator_workshop,
    post_at_once,
    redirect_path,
    response_gist,
)

DEVICES_PER_ROUND = 3
BUYERS = DEVICES_PER_ROUND  # one buyer per device, each of its association
ALLOCATED = 2  # devices each allocation run proposes: the same two
DEMANDS = (2, 1)  # devices allocated to each reseller's demand
ROUNDS = int(os.environ.get("E2E_ROUNDS") or 10)
PASSWORD = "e2e-Pool-1"  # noqa: S105 (a throw-away test account)
ALLOCATION_ERROR_RE = re.compile(
    r'class="alert alert-danger o_reemploi_allocation_error"[^>]*>(?P<text>[^<]*)<'
)
USER_ERROR = "odoo.exceptions.UserError"


class TestPoolConcurrency(CheckoutRace, ServerCase):
    # ------------------------------------------------------------- setup
    @classmethod
    def _setup_operator(cls):
        admin = cls.admin
        cls.company, cls.laptop, cls.donor = operator_workshop(admin, cls.tag, "E2P")
        cls.resellers = admin(
            "res.partner",
            "create",
            [
                {"name": f"Revendeur {cls.tag} {j}", "is_company": True}
                for j in range(len(DEMANDS))
            ],
        )
        operator_groups = [
            admin.ref("base.group_user"),
            admin.ref("reemploi_asset.group_reemploi_operator_manager"),
        ]
        cls.operator_logins = [f"operator{j}_{cls.tag}" for j in range(len(DEMANDS))]
        cls.coordinator_login = f"coordinator_{cls.tag}"
        create_users(
            admin,
            cls.db,
            [
                {
                    "name": f"Opérateur {cls.tag} {j}",
                    "login": login,
                    "company_id": cls.company,
                    "company_ids": [(6, 0, [cls.company])],
                    "groups_id": [(6, 0, operator_groups)],
                }
                for j, login in enumerate(cls.operator_logins)
            ]
            + [
                {
                    "name": f"Coordinatrice {cls.tag}",
                    "login": cls.coordinator_login,
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                admin.ref("base.group_user"),
                                admin.ref("reemploi_asset.group_reemploi_coordinator"),
                            ],
                        )
                    ],
                }
            ],
            PASSWORD,
        )
        cls.operator = cls.server.rpc(cls.operator_logins[0], PASSWORD)
        cls.coordinator = cls.server.rpc(cls.coordinator_login, PASSWORD)

    @classmethod
    def _setup_associations(cls):
        """One association per buyer (a quota to spare) and one per
        allocation run, each with one portal user."""
        admin = cls.admin
        count = BUYERS + 2
        organisations, cls.associations = accredited_associations(
            admin,
            [f"Association {cls.tag} {j:02d}" for j in range(count)],
            f"W38P{cls.tag}",
        )
        admin(
            "reemploi.quota",
            "create",
            [
                {
                    "association_id": association,
                    "category_id": cls.laptop,
                    "date_from": "2020-01-01",
                    "date_to": "2099-12-31",
                    "limit_qty": 1000,
                }
                for association in cls.associations[:BUYERS]
            ],
        )
        where = address(admin)
        contacts = admin(
            "res.partner",
            "create",
            [
                dict(
                    where,
                    name=f"Contact {cls.tag} {j:02d}",
                    parent_id=organisation,
                    email=f"contact{j:02d}.{cls.tag}@example.org",
                )
                for j, organisation in enumerate(organisations)
            ],
        )
        cls.buyer_contacts = contacts[:BUYERS]
        group = admin.ref("reemploi_social.group_reemploi_association")
        cls.logins = [f"association{j:02d}_{cls.tag}" for j in range(count)]
        create_users(
            admin,
            cls.db,
            [
                {
                    "name": f"Contact {cls.tag} {j:02d}",
                    "login": login,
                    "partner_id": contacts[j],
                    "company_id": cls.company,
                    "company_ids": [(6, 0, [cls.company])],
                    "groups_id": [(6, 0, [group])],
                }
                for j, login in enumerate(cls.logins)
            ],
            PASSWORD,
        )

    def _login_all(self):
        """(session, CSRF token) of every association user, then the
        operators' sessions."""

        def login(login):
            session, token, status = cart_session(self.server, login, PASSWORD)
            self.assertEqual(status, 200, login)
            return session, token

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            associations = list(pool.map(login, self.logins))
            operators = list(
                pool.map(
                    lambda login: self.server.session(login, PASSWORD),
                    self.operator_logins,
                )
            )
        return associations, operators

    # ------------------------------------------------------------- a round
    def _new_devices(self, number):
        devices = graded_devices(
            self.operator,
            self.company,
            self.laptop,
            self.donor,
            [f"E2P-{self.tag}-{number:02d}-{d}" for d in range(DEVICES_PER_ROUND)],
            "Latitude 7490",
        )
        self.operator("reemploi.equipment", "action_publish_shop", devices)
        return devices

    def _published_allocations(self):
        """Two runs in turn, each for one association's new request: both
        propose the same best devices (a proposal holds nothing)."""
        allocations = []
        for association in self.associations[BUYERS:]:
            self.coordinator(
                "reemploi.allocation.request",
                "create",
                {
                    "association_id": association,
                    "category_id": self.laptop,
                    "quantity": ALLOCATED,
                    "date_from": "2020-01-01",
                    "date_to": "2099-12-31",
                },
            )
            run = self.coordinator(
                "reemploi.allocation.run",
                "create",
                {
                    "category_id": self.laptop,
                    "company_id": self.company,
                    "date_from": "2020-01-01",
                    "date_to": "2099-12-31",
                },
            )
            self.coordinator("reemploi.allocation.run", "action_compute", [run])
            self.coordinator("reemploi.allocation.run", "action_publish", [run])
            found = self.coordinator(
                "reemploi.allocation",
                "search_read",
                [("run_id", "=", run), ("association_id", "=", association)],
                fields=["allocated_qty"],
            )
            self.assertEqual([a["allocated_qty"] for a in found], [ALLOCATED])
            allocations.append(found[0]["id"])
        return allocations

    def _demand_matches(self, number, grade):
        """The resellers' demands, each allocated devices of X."""
        matches = []
        for reseller, quantity in zip(self.resellers, DEMANDS, strict=True):
            demand = self.coordinator(
                "reemploi.demand",
                "create",
                {
                    "name": f"Portables {self.tag} {number}",
                    "partner_id": reseller,
                    "category_id": self.laptop,
                    "quantity": quantity,
                    "min_grade_id": grade,
                },
            )
            matches.append(
                self.coordinator(
                    "reemploi.demand.match",
                    "create",
                    {
                        "demand_id": demand,
                        "company_id": self.company,
                        "grade_id": grade,
                        "quantity": quantity,
                    },
                )
            )
        return matches

    def _confirm_allocation(self, j, allocation, barrier):
        session, token = self.sessions[BUYERS + j]
        response = post_at_once(
            session,
            f"{self.server.url}/my/allocations/{allocation}/confirm",
            barrier,
            csrf_token=token,
        )
        location = urllib.parse.urlsplit(response.headers.get("Location", ""))
        if (
            response.status_code == 303
            and redirect_path(location) == f"/my/allocations/{allocation}"
            and urllib.parse.parse_qs(location.query).get("message") == ["confirmed"]
        ):
            return "ok", allocation
        refusal = ALLOCATION_ERROR_RE.search(response.text)
        if response.status_code == 200 and refusal:
            return "refused", refusal["text"].strip()
        return "error", response_gist(response)

    def _accept(self, j, match, barrier):
        session = self.operator_sessions[j]
        barrier.wait(timeout=120)
        response = session.post(
            f"{self.server.url}/web/dataset/call_button",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": "reemploi.demand.match",
                    "method": "action_accept",
                    "args": [[match]],
                    "kwargs": {},
                },
            },
            timeout=HTTP_TIMEOUT,
        )
        if response.status_code != 200:
            return "error", response_gist(response)
        body = response.json()
        if "result" in body:
            return "ok", match
        data = body.get("error", {}).get("data", {})
        if data.get("name") == USER_ERROR:
            return "refused", data.get("message", "")
        return "error", f"{data.get('name')}: {data.get('message')}"

    def _round(self, number):
        clear_draft_carts(self.admin, self.buyer_contacts)
        devices = self._new_devices(number)
        grade = self.operator("reemploi.equipment", "read", devices[:1], ["grade_id"])
        grade = grade[0]["grade_id"][0]
        # buyer i wants device i: each device is in one cart
        wanted = [devices[(i + number) % DEVICES_PER_ROUND] for i in range(BUYERS)]
        with concurrent.futures.ThreadPoolExecutor(BUYERS) as pool:
            list(pool.map(self._add_to_cart, range(BUYERS), wanted))
        allocations = self._published_allocations()
        matches = self._demand_matches(number, grade)
        calls = (
            [(self._checkout, (i,)) for i in range(BUYERS)]
            + [(self._confirm_allocation, (j, a)) for j, a in enumerate(allocations)]
            + [(self._accept, (j, m)) for j, m in enumerate(matches)]
        )
        mark = self.server.log_mark()
        barrier = threading.Barrier(len(calls))
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
            futures = [pool.submit(call, *args, barrier) for call, args in calls]
            outcomes = [future.result() for future in futures]
        elapsed = time.monotonic() - started
        retries, gave_up = self.server.retries_since(mark)
        checkouts = outcomes[:BUYERS]
        confirmations = outcomes[BUYERS : BUYERS + len(allocations)]
        acceptances = outcomes[BUYERS + len(allocations) :]
        self._check_round(
            number,
            devices,
            wanted,
            (checkouts, confirmations, acceptances),
            (allocations, matches),
        )
        self._end_round(devices, matches)
        kinds = collections.Counter(kind for kind, _value in outcomes)
        by_path = [
            sum(1 for kind, _value in path if kind == "ok")
            for path in (checkouts, confirmations, acceptances)
        ]
        return {
            "ok": kinds["ok"],
            "refused": kinds["refused"],
            "by_path": by_path,
            "retries": retries,
            "gave_up": gave_up,
            "seconds": elapsed,
        }

    def _end_round(self, devices, matches):
        """The devices left leave the pool; the demands are closed."""
        left = self.operator(
            "reemploi.equipment",
            "search",
            [("id", "in", devices), ("state", "!=", "sold")],
        )
        if left:
            self.operator("reemploi.equipment", "action_donate", left)
        demands = self.coordinator(
            "reemploi.demand.match", "read", matches, ["demand_id"]
        )
        self.coordinator(
            "reemploi.demand", "action_close", [d["demand_id"][0] for d in demands]
        )

    # ------------------------------------------------------------ checks
    def _check_round(self, number, devices, wanted, outcomes, records):
        where = f"round {number + 1}"
        checkouts, confirmations, acceptances = outcomes
        allocations, matches = records
        errors = [
            f"{path}: {value}"
            for path, results in zip(
                ("checkout", "allocation", "demand"), outcomes, strict=True
            )
            for kind, value in results
            if kind == "error"
        ]
        self.assertFalse(errors, f"{where}: requests neither done nor refused")
        with self.db.cursor() as cr:
            # every promise of a device, by any of the three paths
            cr.execute(
                """
                SELECT device, array_agg(path ORDER BY path)
                  FROM (SELECT reemploi_equipment_id AS device, 'sale' AS path
                          FROM sale_order_line
                         WHERE state = 'sale' AND reemploi_equipment_id IS NOT NULL
                        UNION ALL
                        SELECT equipment_id, 'allocation'
                          FROM reemploi_allocation_line
                         WHERE state IN ('reserved', 'ordered')
                        UNION ALL
                        SELECT r.equipment_id, 'demand'
                          FROM reemploi_demand_match_equipment_rel r
                          JOIN reemploi_demand_match m ON m.id = r.match_id
                         WHERE m.state = 'accepted') AS promise
                 WHERE device = ANY(%s)
                 GROUP BY device
                """,
                [devices],
            )
            promises = dict(cr.fetchall())
            twice = {d: p for d, p in promises.items() if len(p) > 1}
            self.assertEqual(twice, {}, f"{where}: devices promised twice")
            self.assertEqual(
                {d: promises.get(d) for d in devices if d not in promises},
                {},
                f"{where}: devices promised by nobody",
            )
            # the checkouts told so are confirmed, with the device wanted
            cr.execute(
                """
                SELECT o.id, l.reemploi_equipment_id
                  FROM sale_order o
                  JOIN sale_order_line l ON l.order_id = o.id
                 WHERE o.state = 'sale' AND l.reemploi_equipment_id = ANY(%s)
                """,
                [devices],
            )
            sold = dict(cr.fetchall())
            told = {v: i for i, (k, v) in enumerate(checkouts) if k == "ok"}
            self.assertEqual(set(sold), set(told), f"{where}: orders confirmed")
            for order, device in sold.items():
                self.assertEqual(device, wanted[told[order]], where)
            # the allocations told confirmed hold their devices, the others
            # none
            cr.execute(
                """
                SELECT a.id, a.state,
                       count(l.id) FILTER (WHERE l.state = 'reserved')
                  FROM reemploi_allocation a
                  JOIN reemploi_allocation_line l ON l.allocation_id = a.id
                 WHERE a.id = ANY(%s)
                 GROUP BY a.id, a.state
                """,
                [allocations],
            )
            states = {a: (s, n) for a, s, n in cr.fetchall()}
            for allocation, (kind, _v) in zip(allocations, confirmations, strict=True):
                expected = ("confirmed", ALLOCATED) if kind == "ok" else ("proposed", 0)
                self.assertEqual(states[allocation], expected, where)
            # the demands told accepted hold their devices, the others none
            cr.execute(
                """
                SELECT m.id, m.state, count(r.equipment_id)
                  FROM reemploi_demand_match m
                  LEFT JOIN reemploi_demand_match_equipment_rel r
                         ON r.match_id = m.id
                 WHERE m.id = ANY(%s)
                 GROUP BY m.id, m.state
                """,
                [matches],
            )
            states = {m: (s, n) for m, s, n in cr.fetchall()}
            for match, quantity, (kind, _v) in zip(
                matches, DEMANDS, acceptances, strict=True
            ):
                expected = ("accepted", quantity) if kind == "ok" else ("proposed", 0)
                self.assertEqual(states[match], expected, where)

    def test_three_paths_race(self):
        self.sessions, self.operator_sessions = self._login_all()
        started = time.monotonic()
        rounds = [self._round(number) for number in range(ROUNDS)]
        total = time.monotonic() - started
        by_path = [sum(r["by_path"][p] for r in rounds) for p in range(3)]
        self.assertEqual(
            sum(r["ok"] for r in rounds) + sum(r["refused"] for r in rounds),
            ROUNDS * (BUYERS + 2 + len(DEMANDS)),
        )
        print(
            f"\npool race: {ROUNDS} rounds of {DEVICES_PER_ROUND} devices x "
            f"{BUYERS} checkouts, 2 allocation confirmations, {len(DEMANDS)} "
            f"demand acceptances at once: {sum(r['ok'] for r in rounds)} done "
            f"(checkouts, allocations, demands: {by_path}), "
            f"{sum(r['refused'] for r in rounds)} refused; "
            f"{sum(r['retries'] for r in rounds)} serialization retries, "
            f"{sum(r['gave_up'] for r in rounds)} given up; races "
            f"{sum(r['seconds'] for r in rounds):.0f} s of {total:.0f} s",
            flush=True,
        )
