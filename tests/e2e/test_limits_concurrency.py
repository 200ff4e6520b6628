"""Limits that concurrent requests cannot get around, on a real
multi-process server.

* Referral vouchers: at most 5 wrong codes per user (and per address) in
  15 minutes. 16 wrong codes sent at the same instant by one association
  user, each in its own HTTP request: exactly 5 are checked, the others
  refused as rate-limited, none answered with a server error.
* Partner API: a key has a burst of N requests. 16 requests sent at the
  same instant with a burst of 5: exactly 5 answered, 11 refused with 429,
  no server error, and no request replayed until Odoo gave up.

Set-up (an operator's shop, an accredited association, an API key) is done
by the administrator over XML-RPC and SQL: these are not user journeys but
measurements of what the server lets through.
"""

import binascii
import concurrent.futures
import os
import threading
import urllib.parse

import requests
from harness import HTTP_TIMEOUT, ServerCase
from journeys import (
    RaceSetup,
    accredited_associations,
    add_to_cart,
    address,
    cart_session,
    create_users,
    graded_devices,
    operator_workshop,
    post_at_once,
)

CONCURRENT = 16
PASSWORD = "e2e-Limits-1"  # noqa: S105 (a throw-away test account)


def _crypt(secret, rounds):
    from passlib.context import CryptContext  # noqa: PLC0415 (Odoo's dependency)

    return CryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=rounds).hash(secret)


class TestLimitsConcurrency(RaceSetup, ServerCase):
    def _user(self, login, partner, company, groups):
        return create_users(
            self.admin,
            self.db,
            {
                "name": login,
                "login": login,
                "partner_id": partner,
                "company_id": company,
                "company_ids": [(6, 0, [company])],
                "groups_id": [(6, 0, groups)],
            },
            PASSWORD,
        )

    def _forget_attempts(self, user):
        with self.db.cursor() as cr:
            cr.execute(
                "DELETE FROM reemploi_voucher_attempt WHERE user_id = %s", [user]
            )

    def test_wrong_voucher_codes_at_once(self):
        admin = self.admin
        company, laptop, donor = operator_workshop(admin, self.tag, "LIM")
        operator_login = f"operator_lim_{self.tag}"
        self._user(
            operator_login,
            admin("res.partner", "create", {"name": operator_login}),
            company,
            [
                admin.ref("base.group_user"),
                admin.ref("reemploi_asset.group_reemploi_operator_manager"),
            ],
        )
        operator = self.server.rpc(operator_login, PASSWORD)
        device = graded_devices(
            operator, company, laptop, donor, [f"LIM-{self.tag}"], "Latitude 5490"
        )
        operator("reemploi.equipment", "action_publish_shop", device)
        organisations, _associations = accredited_associations(
            admin, [f"Association {self.tag}"], f"L38{self.tag}"
        )
        contact = admin(
            "res.partner",
            "create",
            dict(
                address(admin),
                name=f"Bénévole {self.tag}",
                parent_id=organisations[0],
                email=f"benevole.{self.tag}@example.org",
            ),
        )
        login = f"benevole_{self.tag}"
        user = self._user(
            login,
            contact,
            company,
            [admin.ref("reemploi_social.group_reemploi_association")],
        )
        # the attempts count for the server's address too: leave none behind
        # for the other tests typing codes from the same address
        self.addCleanup(self._forget_attempts, user)
        session, token, _status = cart_session(self.server, login, PASSWORD)
        # a redirection, to the cart or (this association has no quota) to
        # the product with the reason: the codes are typed either way
        status, _path, _query = add_to_cart(self.server.url, session, token, device[0])
        self.assertEqual(status, 303)

        barrier = threading.Barrier(CONCURRENT)

        def send(index):
            return post_at_once(
                session,
                f"{self.server.url}/shop/voucher",
                barrier,
                code=f"FAUX-{index:04d}-{self.tag}",
                csrf_token=token,
            )

        mark = self.server.log_mark()
        with concurrent.futures.ThreadPoolExecutor(CONCURRENT) as pool:
            responses = list(pool.map(send, range(CONCURRENT)))
        statuses = [response.status_code for response in responses]
        self.assertEqual(
            statuses, [303] * CONCURRENT, [r.text[:200] for r in responses]
        )
        messages = [
            urllib.parse.parse_qs(
                urllib.parse.urlsplit(response.headers["Location"]).query
            ).get("reemploi_voucher_error", [""])[0]
            for response in responses
        ]
        self.assertTrue(all(messages), messages)
        with self.db.cursor() as cr:
            cr.execute(
                """
                SELECT result, count(*) FROM reemploi_voucher_attempt
                 WHERE user_id = %s GROUP BY result
                """,
                [user],
            )
            counts = dict(cr.fetchall())
        self.assertEqual(
            counts, {"unknown": 5, "rate_limited": CONCURRENT - 5}, "codes checked"
        )
        retries, gave_up = self.server.retries_since(mark)
        self.assertEqual(gave_up, 0, "requests Odoo gave up after retries")

    def test_api_burst_at_once(self):
        admin = self.admin
        donor = admin(
            "res.partner",
            "create",
            {"name": f"Donateur API {self.tag}", "is_company": True},
        )
        login = f"si_{self.tag}"
        user = self._user(
            login,
            admin("res.partner", "create", {"name": login, "parent_id": donor}),
            admin.ref("base.main_company"),
            [admin.ref("reemploi_asset.group_reemploi_donor")],
        )
        key = binascii.hexlify(os.urandom(20)).decode()
        with self.db.cursor() as cr:
            # what res.users.apikeys._generate() stores (Odoo's KEY_CRYPT_CONTEXT)
            cr.execute(
                """
                INSERT INTO res_users_apikeys (name, user_id, scope, key, index,
                                               create_date)
                VALUES (%s, %s, NULL, %s, %s, now() AT TIME ZONE 'UTC')
                """,
                [f"e2e {self.tag}", user, _crypt(key, 6000), key[:8]],
            )
        for name, value in (
            ("reemploi_market.api_rate_burst", "5"),
            ("reemploi_market.api_rate_limit", "0.001"),
        ):
            previous = admin("ir.config_parameter", "get_param", name)
            admin("ir.config_parameter", "set_param", name, value)
            self.addCleanup(
                admin, "ir.config_parameter", "set_param", name, previous or False
            )
        barrier = threading.Barrier(CONCURRENT)

        def call(_index):
            barrier.wait(timeout=120)
            return requests.get(
                f"{self.server.url}/reemploi/api/v1/devices",
                headers={"Authorization": f"Bearer {key}"},
                timeout=HTTP_TIMEOUT,
            ).status_code

        mark = self.server.log_mark()
        with concurrent.futures.ThreadPoolExecutor(CONCURRENT) as pool:
            statuses = sorted(pool.map(call, range(CONCURRENT)))
        self.assertEqual(statuses, [200] * 5 + [429] * (CONCURRENT - 5))
        _retries, gave_up = self.server.retries_since(mark)
        self.assertEqual(gave_up, 0, "requests Odoo gave up after retries")
