"""The demo database that demo/build.py builds (docker compose up, ./demo.sh)
is what README.md promises: the four addons, French everywhere, the demo
accounts, the tours of the roles."""

import hashlib
import re

import requests
from harness import DEMO_ACCOUNTS, HTTP_TIMEOUT, DemoCase, demo_builder

ONBOARDING = {
    "operator": "reemploi_operator_onboarding",
    "coordinator": "reemploi_coordinator_onboarding",
}


class TestDemoDatabase(DemoCase):
    def test_the_four_addons_are_installed_with_demo_data(self):
        rpc = self.server.rpc()
        modules = rpc(
            "ir.module.module",
            "search_read",
            [("name", "in", list(demo_builder.MODULES))],
            fields=["name", "state", "demo"],
        )
        self.assertEqual(
            {(m["name"], m["state"], m["demo"]) for m in modules},
            {(name, "installed", True) for name in demo_builder.MODULES},
        )

    def test_french_is_every_users_language(self):
        conn = self.server.sql()
        try:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT u.login, p.lang FROM res_users u "
                    "JOIN res_partner p ON p.id = u.partner_id "
                    "WHERE p.lang IS DISTINCT FROM 'fr_FR'"
                )
                self.assertEqual(cr.fetchall(), [])
                cr.execute("SELECT count(*) FROM res_users WHERE active")
                self.assertGreater(cr.fetchone()[0], len(DEMO_ACCOUNTS))
                # and the language of the contacts and users created later
                cr.execute(
                    "SELECT d.json_value FROM ir_default d "
                    "JOIN ir_model_fields f ON f.id = d.field_id "
                    "WHERE f.model = 'res.partner' AND f.name = 'lang'"
                )
                self.assertEqual(cr.fetchall(), [('"fr_FR"',)])
        finally:
            conn.close()
        rpc = self.server.rpc()
        websites = rpc("website", "search_read", [], fields=["default_lang_id"])
        self.assertTrue(websites)
        for website in websites:
            lang = rpc("res.lang", "read", [website["default_lang_id"][0]], ["code"])
            self.assertEqual(lang[0]["code"], "fr_FR")

    def test_technicians_are_the_operators_people(self):
        """The demo's erasures and gradings name a technician of their
        operator, not the superuser (OdooBot) who played the story."""
        conn = self.server.sql()
        try:
            with conn.cursor() as cr:
                for table in ("reemploi_erasure", "reemploi_grading"):
                    cr.execute(
                        f"SELECT count(*) FROM {table} r "  # noqa: S608 (a fixed name)
                        "JOIN res_users u ON u.id = r.user_id "
                        "WHERE u.id IN (1, 2) OR NOT (u.company_id = r.company_id)"
                    )
                    self.assertEqual(cr.fetchone()[0], 0, table)
                    cr.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                    self.assertGreater(cr.fetchone()[0], 100, table)
        finally:
            conn.close()

    def test_creation_notes_are_french(self):
        """The "<model> créé" notes of the story name the model in French,
        ours and Odoo's (the challenges)."""
        conn = self.server.sql()
        try:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT body, count(*) FROM mail_message "
                    "WHERE body IN %s GROUP BY body",
                    (
                        (
                            "<p>Lot declared by a donor créé</p>",
                            "<p>Equipment créé</p>",
                            "<p>Grading session créé</p>",
                            "<p>Data erasure of a storage medium créé</p>",
                            # Odoo's models in the story too
                            "<p>Gamification Challenge créé</p>",
                        ),
                    ),
                )
                self.assertEqual(cr.fetchall(), [])
        finally:
            conn.close()

    def test_no_odoo_sample_company_or_conversation(self):
        """Odoo's own demo companies and English conversations are not the
        territory's story: no user can switch to them, no one reads them."""
        rpc = self.server.rpc()
        names = {c["name"] for c in rpc("res.company", "search_read", [], fields=["name"])}
        self.assertFalse(names & {"FR Company", "My Company (Chicago)"}, names)
        self.assertIn("Grenoble-Alpes Métropole — Réemploi", names)
        conn = self.server.sql()
        try:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM mail_message "
                    "WHERE model = 'discuss.channel' AND body ILIKE %s",
                    ("%Building B3%",),
                )
                self.assertEqual(cr.fetchone()[0], 0)
        finally:
            conn.close()

    def test_shop_sells_reconditioned_and_second_hand(self):
        """Décret 2022-190 in the demo's story: devices whose every function
        was tested are "Reconditionné", the quickly tested ones "Occasion";
        both are on the public shop."""
        rpc = self.server.rpc()
        on_sale = rpc(
            "reemploi.equipment",
            "read_group",
            [("state", "=", "for_sale")],
            ["reconditioned"],
            ["reconditioned"],
        )
        counts = {g["reconditioned"]: g["reconditioned_count"] for g in on_sale}
        self.assertGreater(counts.get(True, 0), 0, counts)
        self.assertGreater(counts.get(False, 0), 0, counts)
        shop = requests.get(f"{self.server.url}/shop?ppg=500", timeout=HTTP_TIMEOUT)
        self.assertEqual(shop.status_code, 200)
        self.assertIn("o_reemploi_second_hand", shop.text)

    def test_home_page_answers_in_french(self):
        response = requests.get(f"{self.server.url}/", timeout=HTTP_TIMEOUT)
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response.text, r'<html[^>]* lang="fr-FR"')
        login = requests.get(f"{self.server.url}/web/login", timeout=HTTP_TIMEOUT)
        self.assertEqual(login.status_code, 200)
        self.assertIn("Mot de passe", login.text)

    def test_demo_accounts_log_in(self):
        for login, role in DEMO_ACCOUNTS.items():
            with self.subTest(login=login):
                session = self.server.session(login, login)
                info = session.post(
                    f"{self.server.url}/web/session/get_session_info",
                    json={"jsonrpc": "2.0", "method": "call", "params": {}},
                    timeout=HTTP_TIMEOUT,
                ).json()["result"]
                self.assertEqual(info["username"], login)
                self.assertEqual(info["user_context"]["lang"], "fr_FR")
                if role in ONBOARDING:
                    # the tour of the role starts at the first login
                    self.assertTrue(info["tour_enabled"])
                    self.assertEqual(info["current_tour"]["name"], ONBOARDING[role])
                page = session.get(
                    f"{self.server.url}/odoo"
                    if role in ONBOARDING
                    else f"{self.server.url}/my",
                    timeout=HTTP_TIMEOUT,
                )
                self.assertEqual(page.status_code, 200)
                self.assertFalse(re.search(r"/web/login\b", page.url), page.url)

    def test_custody_root_is_published(self):
        """The demo ends with the day's custody root published: its page and
        its feed are not empty, and a device's proof leads to it (checked
        with hashlib alone, as README.md shows a donor)."""
        feed = requests.get(
            f"{self.server.url}/tracabilite/racines.json", timeout=HTTP_TIMEOUT
        )
        self.assertEqual(feed.status_code, 200)
        roots = feed.json()["roots"]
        self.assertTrue(roots)
        page = requests.get(
            f"{self.server.url}/tracabilite/racines", timeout=HTTP_TIMEOUT
        )
        self.assertIn(roots[0]["root"], page.text)
        self.assertIn("Racines de traçabilité publiées", page.text)
        conn = self.server.sql()
        try:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT qr_token FROM reemploi_equipment "
                    "WHERE state = 'sold' ORDER BY id LIMIT 1"
                )
                (token,) = cr.fetchone()
        finally:
            conn.close()
        proof = requests.get(
            f"{self.server.url}/r/{token}/preuve.json", timeout=HTTP_TIMEOUT
        ).json()
        self.assertEqual(
            (proof["date"], proof["root"]), (roots[0]["date"], roots[0]["root"])
        )
        node = hashlib.sha256(f"{token}:{proof['event_hash']}".encode()).digest()
        for step in proof["path"]:
            sibling = bytes.fromhex(step["hash"])
            pair = sibling + node if step["side"] == "left" else node + sibling
            node = hashlib.sha256(pair).digest()
        self.assertEqual(node.hex(), roots[0]["root"])
