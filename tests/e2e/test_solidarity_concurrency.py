"""Associations racing for the last devices at solidarity prices.

``K`` portal users of accredited associations, each with its own browser
session, put devices of operator X's shop in their carts (several users
want the same device on purpose) and then all confirm at the same instant
(``threading.Barrier``) through ``POST /shop/solidarity/confirm`` of a
multi-process server: ``K`` real HTTP requests, concurrent PostgreSQL
transactions at Odoo's REPEATABLE READ isolation.

The associations have two users each. Half of them have a quota with one
laptop left: their two users race for that unit with different devices,
so a quota overrun would show. After every round, what PostgreSQL committed
must hold:

* no device is in two confirmed order lines, and every device sold is sold
  by exactly the order that was told so;
* no quota is used beyond its limit, and each quota's ``used_qty`` is the
  number of its confirmed lines;
* each checkout either succeeded (redirected to the order) or was refused
  cleanly (back to the cart with the reason): no HTTP 500, and no order
  confirmed behind a refusal;
* every device wanted by an association with quota to spare is sold.

``E2E_ROUNDS`` (default 20) sets the number of rounds.
"""

import collections
import concurrent.futures
import os
import threading
import time

from harness import ServerCase
from journeys import (
    CheckoutRace,
    accredited_associations,
    address,
    cart_session,
    clear_draft_carts,
    create_users,
    graded_devices,
    operator_workshop,
)

ASSOCIATIONS = 10
USERS_PER_ASSOCIATION = 2
BUYERS = ASSOCIATIONS * USERS_PER_ASSOCIATION  # K concurrent checkouts
DEVICES_PER_ROUND = 6  # fewer devices than buyers: three or four per device
ROUNDS = int(os.environ.get("E2E_ROUNDS") or 20)
PASSWORD = "e2e-Solidarity-1"  # noqa: S105 (a throw-away test account)


class TestSolidarityConcurrency(CheckoutRace, ServerCase):
    # ------------------------------------------------------------- setup
    @classmethod
    def _setup_operator(cls):
        admin = cls.admin
        # the website the associations order on sells operator X's devices
        cls.company, cls.laptop, cls.donor = operator_workshop(admin, cls.tag, "E2E")
        login = f"operator_{cls.tag}"
        create_users(
            admin,
            cls.db,
            {
                "name": f"Opérateur {cls.tag}",
                "login": login,
                "company_id": cls.company,
                "company_ids": [(6, 0, [cls.company])],
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            admin.ref("base.group_user"),
                            admin.ref("reemploi_asset.group_reemploi_operator_manager"),
                        ],
                    )
                ],
            },
            PASSWORD,
        )
        cls.operator = cls.server.rpc(login, PASSWORD)

    @classmethod
    def _setup_associations(cls):
        admin = cls.admin
        organisations, associations = accredited_associations(
            admin,
            [f"Association {cls.tag} {j:02d}" for j in range(ASSOCIATIONS)],
            f"W38{cls.tag}",
        )
        # even associations: one laptop left at each round; odd: plenty
        cls.tight = [j % 2 == 0 for j in range(ASSOCIATIONS)]
        cls.quotas = admin(
            "reemploi.quota",
            "create",
            [
                {
                    "association_id": association,
                    "category_id": cls.laptop,
                    "date_from": "2020-01-01",
                    "date_to": "2099-12-31",
                    "limit_qty": 1 if cls.tight[j] else 1000,
                }
                for j, association in enumerate(associations)
            ],
        )
        # buyer i belongs to association i // USERS_PER_ASSOCIATION
        cls.association_of = [i // USERS_PER_ASSOCIATION for i in range(BUYERS)]
        where = address(admin)
        cls.contacts = admin(
            "res.partner",
            "create",
            [
                dict(
                    where,
                    name=f"Contact {cls.tag} {i:02d}",
                    parent_id=organisations[cls.association_of[i]],
                    email=f"buyer{i:02d}.{cls.tag}@example.org",
                )
                for i in range(BUYERS)
            ],
        )
        group = admin.ref("reemploi_social.group_reemploi_association")
        cls.logins = [f"buyer{i:02d}_{cls.tag}" for i in range(BUYERS)]
        create_users(
            admin,
            cls.db,
            [
                {
                    "name": f"Contact {cls.tag} {i:02d}",
                    "login": login,
                    "partner_id": cls.contacts[i],
                    "company_id": cls.company,
                    "company_ids": [(6, 0, [cls.company])],
                    "groups_id": [(6, 0, [group])],
                }
                for i, login in enumerate(cls.logins)
            ],
            PASSWORD,
        )

    def _graded(self, serials):
        """New laptops of the operator, ready for the shop."""
        return graded_devices(
            self.operator,
            self.company,
            self.laptop,
            self.donor,
            serials,
            "Latitude 5490",
        )

    def _login_all(self):
        def login(i):
            session, token, status = cart_session(
                self.server, self.logins[i], PASSWORD
            )
            self.assertEqual(status, 200, self.logins[i])
            return session, token

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            return list(pool.map(login, range(BUYERS)))

    # ------------------------------------------------------------- a round
    def _refresh_tight_quotas(self):
        """Leave exactly one laptop in each tight quota."""
        quotas = self.admin(
            "reemploi.quota", "read", self.quotas, ["used_qty", "limit_qty"]
        )
        limits = collections.defaultdict(list)
        for quota, tight in zip(quotas, self.tight, strict=True):
            if tight and quota["limit_qty"] != quota["used_qty"] + 1:
                limits[quota["used_qty"] + 1].append(quota["id"])
        for limit, ids in limits.items():
            self.admin("reemploi.quota", "write", ids, {"limit_qty": limit})

    def _round(self, number):
        self._refresh_tight_quotas()
        clear_draft_carts(self.admin, self.contacts)
        # the shop gets the round's devices: the last ones there are
        devices = self.stock[number]
        self.operator("reemploi.equipment", "action_publish_shop", devices)
        # buyers i and i + 1 of one association want different devices
        wanted = [devices[(i + number) % DEVICES_PER_ROUND] for i in range(BUYERS)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(self._add_to_cart, range(BUYERS), wanted))
        mark = self.server.log_mark()
        barrier = threading.Barrier(BUYERS)
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(BUYERS) as pool:
            outcomes = list(pool.map(self._checkout, range(BUYERS), [barrier] * BUYERS))
        elapsed = time.monotonic() - started
        retries, gave_up = self.server.retries_since(mark)
        self._check_round(number, devices, wanted, outcomes)
        return {
            "ok": sum(1 for kind, _v in outcomes if kind == "ok"),
            "refused": sum(1 for kind, _v in outcomes if kind == "refused"),
            "retries": retries,
            "gave_up": gave_up,
            "seconds": elapsed,
        }

    # ------------------------------------------------------------ checks
    def _check_round(self, number, devices, wanted, outcomes):
        where = f"round {number + 1}"
        errors = [
            f"{self.logins[i]}: {value}"
            for i, (kind, value) in enumerate(outcomes)
            if kind == "error"
        ]
        self.assertFalse(errors, f"{where}: checkouts neither done nor refused")
        told_sold = {
            value: i for i, (kind, value) in enumerate(outcomes) if kind == "ok"
        }
        with self.db.cursor() as cr:
            # no device in two confirmed order lines, in the whole database
            cr.execute(
                """
                SELECT reemploi_equipment_id, array_agg(order_id)
                  FROM sale_order_line
                 WHERE state = 'sale' AND reemploi_equipment_id IS NOT NULL
                 GROUP BY reemploi_equipment_id
                HAVING count(*) > 1
                """
            )
            self.assertEqual(cr.fetchall(), [], f"{where}: devices sold twice")
            # each quota: within its limit, and used by its confirmed lines
            cr.execute(
                """
                SELECT q.id, q.limit_qty, q.used_qty,
                       COALESCE(sum(l.product_uom_qty)
                                FILTER (WHERE l.state = 'sale'), 0)::int
                  FROM reemploi_quota q
                  LEFT JOIN sale_order_line l ON l.reemploi_quota_id = q.id
                 WHERE q.id = ANY(%s)
                 GROUP BY q.id
                """,
                [self.quotas],
            )
            quotas = cr.fetchall()
            self.assertEqual(len(quotas), len(self.quotas))
            self.assertNotIn(None, [q[2] for q in quotas], f"{where}: used_qty NULL")
            overrun = [q for q in quotas if q[2] > q[1]]
            self.assertFalse(overrun, f"{where}: (quota, limit, used) overrun")
            drift = [q for q in quotas if q[2] != q[3]]
            self.assertFalse(
                drift, f"{where}: (quota, limit, used, confirmed lines) disagree"
            )
            # the confirmed orders of this round are exactly those announced
            cr.execute(
                """
                SELECT o.id, o.partner_id, l.reemploi_equipment_id,
                       o.reemploi_association_id IS NOT NULL
                  FROM sale_order o
                  JOIN sale_order_line l ON l.order_id = o.id
                 WHERE o.state = 'sale' AND l.reemploi_equipment_id = ANY(%s)
                """,
                [devices],
            )
            confirmed = {row[0]: row[1:] for row in cr.fetchall()}
            self.assertEqual(
                set(confirmed),
                set(told_sold),
                f"{where}: confirmed orders differ from the checkouts told so",
            )
            for order, (partner, device, solidarity) in confirmed.items():
                buyer = told_sold[order]
                self.assertEqual(partner, self.contacts[buyer], where)
                self.assertEqual(device, wanted[buyer], where)
                self.assertTrue(solidarity, f"{where}: {order} has no association")
            cr.execute(
                "SELECT id FROM reemploi_equipment WHERE id = ANY(%s) AND "
                "state = 'sold'",
                [devices],
            )
            sold = {row[0] for row in cr.fetchall()}
        self.assertEqual(sold, {d for _p, d, _s in confirmed.values()}, where)
        # an association with quota to spare gets the device it wants
        # unless another association bought it first: no device it wanted
        # stays unsold
        spare = {
            wanted[i] for i in range(BUYERS) if not self.tight[self.association_of[i]]
        }
        reasons = collections.Counter(v for kind, v in outcomes if kind == "refused")
        self.assertLessEqual(
            spare,
            sold,
            f"{where}: wanted devices left unsold; refusals: {dict(reasons)}",
        )
        per_association = [self.association_of[told_sold[o]] for o in told_sold]
        for j in range(ASSOCIATIONS):
            if self.tight[j]:
                self.assertLessEqual(per_association.count(j), 1, where)

    def test_last_devices_race(self):
        serials = [
            f"E2E-{self.tag}-{n:02d}-{d}"
            for n in range(ROUNDS)
            for d in range(DEVICES_PER_ROUND)
        ]
        devices = self._graded(serials)
        self.stock = [
            devices[n * DEVICES_PER_ROUND : (n + 1) * DEVICES_PER_ROUND]
            for n in range(ROUNDS)
        ]
        self.sessions = self._login_all()
        started = time.monotonic()
        rounds = [self._round(number) for number in range(ROUNDS)]
        total = time.monotonic() - started
        ok = sum(r["ok"] for r in rounds)
        refused = sum(r["refused"] for r in rounds)
        self.assertEqual(ok + refused, ROUNDS * BUYERS)
        self.assertGreater(ok, 0)
        print(
            f"\nsolidarity race: {ROUNDS} rounds x {BUYERS} concurrent checkouts "
            f"for {DEVICES_PER_ROUND} devices: {ok} orders, {refused} refusals; "
            f"{sum(r['retries'] for r in rounds)} serialization retries, "
            f"{sum(r['gave_up'] for r in rounds)} given up; checkouts "
            f"{sum(r['seconds'] for r in rounds):.0f} s of {total:.0f} s",
            flush=True,
        )
