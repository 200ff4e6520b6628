"""The journeys of the donor, the association and the public on the shipped
demo, in a real headless Chromium driven from outside (browser.py), in
French, on a computer (1366 px) and on a phone (360 px).

Nothing is set up beforehand: the journeys start from the demo database as
the demo builder made it and do only what a user can do, with clicks and
typing; what they did is read back over XML-RPC. Every page they reach is
checked (``JourneyCase.check``): no JavaScript error, no HTTP status of 500
or more, no horizontal scrolling on a phone, no English words a French page
cannot hold. The last screen of each journey is saved in docs/screenshots/
(``journey_<role>_<width>.png``) when ``E2E_SCREENSHOTS`` is set, for the
README and the reviewers.

1. Donor (claire.martin, Ville de Grenoble): the park, an inventory import,
   a lot declared from the park and followed, a scheduled lot with its
   collection date, the take-back report and an erasure certificate
   downloaded, the badges and the guide.
2. Association (nadia.haddad, Le Lien Numérique): a social worker of the
   CCAS (claire.morel) issues a referral voucher; the association shops at
   solidarity prices within its quota, applies the voucher, orders and
   records the hand-over.
3. Public: the home page, the traceability page of a QR label, the shop and
   the public leaderboard.
"""

import csv
import os
import re
import secrets
import tempfile
import time
import unittest
from pathlib import Path

from browser import FIND_JS, Browser, BrowserError, find_chromium

try:  # the demo builder's database, served as a copy (demo/build.py)
    from harness import DemoCase as BaseCase
except ImportError:  # before it exists: E2E_DB names a demo database
    from harness import ServerCase as BaseCase

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDE, PHONE = (1366, 900), (360, 740)

# Words of Odoo's English interface that no French page holds: one of them
# on a page is a string left untranslated (whole words, case kept).
ENGLISH = (
    "Add to Cart",
    "Add to cart",
    "Sign in",
    "Sign up",
    "Log in",
    "Your Company",
    "YourLogo",
    "Search...",
    "Order",
    "Orders",
    "Quantity",
    "Submit",
    "Checkout",
    "Download",
    "Devices",
    "Voucher",
    "Remove",
    "Apply",
    "Welcome",
    "Powered by",
    "Shop",
    "Contact us",
)
ENGLISH_RE = re.compile(
    r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w-])"
)

# the columns of a GLPI export of computers (in French)
GLPI_COLUMNS = [
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


class JourneyBrowser(Browser):
    """The driver of browser.py, also recording the HTTP responses of 500
    or more that the tab receives."""

    def __init__(self, *args, **kwargs):
        self.server_errors = []
        super().__init__(*args, **kwargs)
        self.send("Network.enable")

    def _event(self, message):
        if message.get("method") == "Network.responseReceived":
            response = message["params"].get("response", {})
            if response.get("status", 0) >= 500:
                self.server_errors.append(
                    f"HTTP {response['status']} {response['url']}"
                )
        super()._event(message)

    def upload(self, selector, path):
        """Choose ``path`` in a file input, as the file picker does."""
        self.wait(selector)
        document = self.send("DOM.getDocument", depth=0)
        node = self.send(
            "DOM.querySelector", nodeId=document["root"]["nodeId"], selector=selector
        )
        self.send("DOM.setFileInputFiles", files=[str(path)], nodeId=node["nodeId"])

    def href(self, selector, text=None):
        """The address a link leads to."""
        self.wait(selector, text)
        return self._call(
            "(s, t) => { const norm = (x) => (x || '').replace(/\\s+/g, ' ').trim();"
            " return [...document.querySelectorAll(s)].find((el) => el.getClientRects()"
            ".length && (t === null || norm(el.innerText).includes(t))).href; }",
            selector,
            text,
        )

    def select_first(self, selector):
        """Choose the first option of a ``<select>`` that is not a
        placeholder; return its label."""
        self.wait(selector)
        label = self._call(
            f"""(s) => {{
                const el = ({FIND_JS})(s, null);
                const option = [...el.options].find((o) => o.value);
                return option ? option.text.trim() : null;
            }}""",
            selector,
        )
        if not label:
            self._fail(f"{selector!r} offers nothing to choose")
        self.select(selector, label)
        return label

    def click_menu(self, selector, text=None):
        """Follow a link of the site's menu: on a phone, the menu opens
        with its button first."""
        if not self.find(selector, text):
            self.click("header .navbar-toggler, header [data-bs-toggle='offcanvas']")
            self.wait(selector, text)
        self.click(selector, text)

    def download(self, url):
        """(status, content type, first bytes) of ``url`` fetched with the
        tab's own session, as the browser does when a link is followed."""
        return self.evaluate(
            f"fetch({url!r}, {{credentials: 'same-origin'}}).then(async (r) => {{"
            " const body = new Uint8Array(await r.arrayBuffer());"
            " return [r.status, r.headers.get('content-type') || '',"
            " String.fromCharCode(...body.slice(0, 4)), body.length]; })",
            await_promise=True,
        )


class JourneyCase(BaseCase):
    """A journey on the demo database, once per screen width."""

    @classmethod
    def setUpClass(cls):
        if not find_chromium():
            raise unittest.SkipTest("no Chromium: install Debian's chromium")
        super().setUpClass()
        cls.admin = cls.server.rpc()

    def issue_voucher(self, size):
        """The CCAS social worker issues a laptop voucher on the portal and
        reads its code on the screen."""
        browser = self.open(size, "claire.morel")
        self.portal_home(browser)
        self.click(browser, 'a[href$="/my/vouchers"]')
        browser.wait("form.o_reemploi_voucher_form")
        browser.select("select#category_id", "Ordinateur portable")
        browser.select_first("select#need_category_id")
        browser.select_first("select#commune_id")
        self.click(browser, "button.o_reemploi_voucher_issue")
        code = browser.text(".o_reemploi_voucher_issued .o_reemploi_voucher_code")
        self.assertRegex(code, r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2,}$")
        browser.close()
        return code

    def laptop_in_cart(self, browser):
        """From the shop: the laptops, the first one, its first device in
        the cart. Returns the device's serial number."""
        self.click(browser, ".o_wsale_filmstip a", "Ordinateur portable")
        browser.wait(".o_wsale_products_item_title, .oe_product")
        self.assertIn("/shop/category/", browser.url)
        self.click(browser, ".oe_product a.oe_product_image_link, .oe_product h6 a")
        browser.wait(".o_reemploi_units .o_reemploi_unit")
        serial = browser.text(".o_reemploi_unit .o_reemploi_serial")
        self.click(browser, f"button.o_reemploi_add_unit[data-serial='{serial}']")
        browser.wait(".o_reemploi_cart_serial", serial)
        self.check(browser, "the cart")
        return serial

    def apply_voucher(self, browser, code):
        """Type a referral voucher's code in the cart; the cart's total
        after it."""
        browser.fill("input#reemploi_voucher_code", code)
        self.click(browser, "form.o_reemploi_voucher_form button[type='submit']")
        browser.wait(".o_reemploi_voucher_ok", code)
        browser.wait(".o_reemploi_cart_vouchers", code)
        # what the voucher is worth, next to it: the public price struck
        # through and the solidarity price paid
        public = euros(
            browser.text(".o_reemploi_cart_vouchers .o_reemploi_voucher_price del")
        )
        paid = euros(browser.text(".o_reemploi_cart_vouchers .o_reemploi_voucher_paid"))
        self.assertLess(paid, public)
        return browser.text("#order_total .monetary_field")

    def open(self, size, login=None):
        """A new Chromium of ``size`` (the phone's emulates touch), signed
        in as ``login`` (demo password = login) through the login form."""
        width, height = size
        browser = JourneyBrowser(
            width=width,
            height=height,
            mobile=width < 576,
            name=f"{self.id().rsplit('.', 1)[-1]}",
        )
        self.addCleanup(browser.close)
        if login:
            browser.login(self.server.front_url, login, login)
            self.check(browser, f"{login} signed in")
        return browser

    def portal_home(self, browser):
        """The portal's home (where a portal user lands after signing in),
        from the breadcrumb of any portal page."""
        if not browser.find(".o_portal_my_home"):
            browser.click(".o_portal_submenu a[href='/my/home']")
            browser.wait(".o_portal_my_home")
        # the cards move once the counters are in: wait for them
        browser.wait_until(
            "!document.querySelector('.o_portal_doc_spinner')", "the portal counters"
        )
        self.check(browser, "the portal's home")

    def site_home(self, browser):
        """The website's home page, from the logo of the header."""
        self.click(browser, "header a.navbar-brand")
        browser.wait_until(
            "location.pathname.replace(/^\\/fr/, '') in {'/': 1, '': 1}",
            "the home page",
        )
        self.check(browser, "the home page")

    def go(self, browser, path):
        browser.goto(f"{self.server.front_url}{path}")
        self.check(browser, path)

    def check(self, browser, where):
        """What every page of a journey must be: no JavaScript error, no
        server error, French, and as wide as the screen."""
        for attempt in range(3):
            browser.wait_until(
                "document.readyState === 'complete' && !!document.body",
                f"{where} loaded",
            )
            try:
                text, wide = browser.evaluate(
                    "[document.body.innerText, document.documentElement.scrollWidth"
                    " > window.innerWidth + 1 ? [...document.querySelectorAll("
                    "'body *')].filter((el) => el.getBoundingClientRect().right > "
                    "window.innerWidth + 1).slice(-3).map((el) => el.tagName + '.' "
                    "+ el.className).join(' | ') || 'the page' : '']"
                )
                break
            except BrowserError:  # a navigation replaced the page meanwhile
                if attempt == 2:
                    raise
                time.sleep(0.5)
        problems = browser.errors[:3] + browser.server_errors[:3]
        browser.errors, browser.server_errors = [], []
        english = sorted(set(ENGLISH_RE.findall(text or "")))
        if english:
            problems.append(f"English on a French page: {', '.join(english)}")
        if wide:
            problems.append(f"wider than the screen: {wide}")
        if problems:
            browser._fail(f"{where} ({browser.url}): " + "; ".join(problems))

    def click(self, browser, selector, text=None, where=None):
        """Click, wait for what it loads, check the page."""
        browser.click(selector, text)
        self.check(browser, where or f"after a click on {selector} {text or ''}")

    def finish(self, browser, role, size):
        """Screenshot of the journey's last screen: kept in docs/screenshots
        when E2E_SCREENSHOTS is set, in the artifacts otherwise."""
        path = browser.screenshot(f"journey_{role}_{size[0]}")
        if os.environ.get("E2E_SCREENSHOTS"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            save_small(path, SCREENSHOTS / path.name)


def euros(text):
    """The amount of a price as the French page shows it: 1 290,00 €."""
    return float(re.sub(r"[^\d,]", "", text).replace(",", "."))


def save_small(source, target):
    """A copy of a screenshot in few colours, at most 720 px wide: small
    enough for the repository."""
    from PIL import Image  # noqa: PLC0415 (an Odoo dependency)

    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.width > 720:
            image = image.resize((720, round(image.height * 720 / image.width)))
        image.quantize(colors=128).save(target, optimize=True)


# ---------------------------------------------------------------- donor
class TestDonorJourney(JourneyCase):
    login = "claire.martin"

    def rpc(self):
        return self.server.rpc(self.login, self.login)

    def journey(self, size):
        token = secrets.token_hex(3).upper()
        browser = self.open(size, self.login)
        donor = self.rpc()

        # the portal home: the park
        self.portal_home(browser)
        self.click(browser, 'a[href$="/my/equipment"]', "Nos équipements")
        browser.wait(".o_portal_my_doc_table, table")
        park = donor("reemploi.equipment", "search_count", [])
        self.assertGreater(park, 0)

        # an export of the city's asset management tool (GLPI)
        serials = [f"IMP-{token}-{n}" for n in (1, 2)]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"inventaire-{token}.csv"
            with open(path, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out, delimiter=";")
                writer.writerow(GLPI_COLUMNS)
                for n, serial in enumerate(serials, 1):
                    writer.writerow(
                        [
                            f"PC-{token}-{n}",
                            "Ville de Grenoble",
                            "À réformer",
                            "Lenovo",
                            "Ordinateur portable",
                            "ThinkPad T14",
                            serial,
                            f"INV-{token}-{n}",
                            "Hôtel de ville",
                            "2019-03-14",
                        ]
                    )
            self.click(browser, "a.o_reemploi_import_link")
            browser.upload("input#inventory_file", path)
            self.click(browser, "form.o_reemploi_import_form button[type='submit']")
            browser.wait(".o_reemploi_import_counts")
            self.check(browser, "the import's result")
        imported = donor(
            "reemploi.equipment",
            "search_read",
            [("serial", "in", serials)],
            fields=["serial", "state"],
        )
        self.assertEqual(sorted(d["serial"] for d in imported), serials, imported)

        # a lot declared from devices of the park
        self.portal_home(browser)
        self.click(browser, 'a[href$="/my/lots"]', "Nos lots")
        self.click(browser, "a.o_reemploi_lot_new")
        browser.wait(".o_reemploi_lot_form")
        browser.click(".o_reemploi_lot_devices li label")
        browser.wait(".o_reemploi_lot_devices li:has(label) input:checked")
        chosen = browser.text(".o_reemploi_lot_devices li:has(input:checked) label")
        access = f"Accueil du bâtiment, badge {token}"
        browser.fill("textarea[name='access_notes']", access)
        self.check(browser, "the lot form")
        self.click(browser, "button.o_reemploi_lot_declare")
        browser.wait(".o_reemploi_lot_page .o_reemploi_lot_state", "Déclaré")
        browser.wait(".o_reemploi_lot_timeline li")
        self.check(browser, "the declared lot")
        lots = donor(
            "reemploi.lot",
            "search_read",
            [("access_notes", "=", access)],
            fields=["state", "device_count"],
        )
        self.assertEqual(len(lots), 1, lots)
        self.assertEqual(lots[0]["state"], "declared")
        self.assertEqual(lots[0]["device_count"], 1, chosen)

        # a lot of the demo whose collection is planned: its date is shown
        self.click(browser, ".o_portal_submenu a[href='/my/lots']")
        scheduled = donor(
            "reemploi.lot",
            "search_read",
            [("state", "=", "scheduled")],
            fields=["name", "round_id"],
            limit=1,
        )
        self.assertTrue(scheduled, "the demo has no scheduled lot of the donor")
        self.click(browser, "a", scheduled[0]["name"])
        browser.wait(".o_reemploi_lot_page .o_reemploi_lot_state", "Planifié")
        browser.wait(".o_reemploi_lot_collection_date")

        # a processed lot: its take-back report
        reported = donor(
            "reemploi.lot",
            "search_read",
            [("state", "=", "reported")],
            fields=["name"],
            limit=1,
        )
        self.assertTrue(reported, "the demo has no reported lot of the donor")
        self.click(browser, ".o_portal_submenu a[href='/my/lots']")
        self.click(browser, "a", reported[0]["name"])
        for selector, kind in (
            ("a.o_reemploi_lot_takeback_pdf", "application/pdf"),
            (
                "a.o_reemploi_lot_takeback_xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        ):
            status, content_type, _head, size_ = browser.download(
                browser.href(selector)
            )
            self.assertEqual((status, content_type.split(";")[0]), (200, kind))
            self.assertGreater(size_, 1000)

        # the erasure certificate of a device of that lot
        self.click(browser, ".o_reemploi_lot_lines a[href^='/my/equipment/']")
        status, content_type, head, _size = browser.download(
            browser.href("a.o_reemploi_certificate")
        )
        self.assertEqual(
            (status, content_type.split(";")[0], head), (200, "application/pdf", "%PDF")
        )

        # the badges, from the portal home
        self.portal_home(browser)
        self.click(browser, 'a[href$="/my/badges"]')
        browser.wait(".o_reemploi_badges_page")

        # and the guide, from the site's menu
        self.click(browser, 'a[href$="/guide"]')
        self.click(browser, 'a[href$="/guide/donor"]')
        browser.wait("main h2", "Importer votre inventaire")
        self.finish(browser, "donor", size)

    def test_donor_computer(self):
        self.journey(WIDE)

    def test_donor_phone(self):
        self.journey(PHONE)


# ---------------------------------------------------------- association
class TestAssociationJourney(JourneyCase):
    login = "nadia.haddad"

    def journey(self, size):
        code = self.issue_voucher(size)
        browser = self.open(size, self.login)
        association = self.server.rpc(self.login, self.login)

        # the shop, with the association's solidarity conditions
        browser.click_menu('a[href$="/shop"]')
        self.check(browser, "the shop")
        browser.wait(".o_reemploi_solidarity .o_reemploi_quotas")
        browser.wait(".o_reemploi_solidarity .o_reemploi_ceilings")
        serial = self.laptop_in_cart(browser)
        # the voucher of the person the association equips: the association
        # pays the solidarity price already; the voucher's laptop leaves its
        # quota, as the banner above the cart says
        self.apply_voucher(browser, code)
        browser.wait(".o_reemploi_voucher_ok", "ne compte pas dans votre quota")
        browser.wait(".o_reemploi_quotas .o_reemploi_quota_voucher", "hors quota")

        # the order, on invoice at solidarity prices
        self.click(browser, "form.o_reemploi_solidarity_confirm button[type='submit']")
        browser.wait("#portal_sale_content")
        self.check(browser, "the confirmed order")
        # the order's page: /my/orders/<id>
        order_id = int(re.search(r"/my/orders/(\d+)", browser.url)[1])
        orders = association(
            "sale.order",
            "read",
            [order_id],
            ["state", "amount_total", "reemploi_association_id"],
        )
        self.assertEqual(orders[0]["state"], "sale")
        self.assertTrue(orders[0]["reemploi_association_id"])

        # the device handed over to the person, recorded without a name
        self.portal_home(browser)
        self.click(browser, 'a[href$="/my/handovers"]')
        browser.wait(".o_reemploi_handover_pending", serial)
        line = browser._call(
            "(serial) => [...document.querySelectorAll('.o_reemploi_handover_pending')]"
            ".find((card) => card.innerText.includes(serial))"
            ".querySelector('input[name=line_id]').value",
            serial,
        )
        need = browser.select_first(f"select#need_{line}")
        browser.select_first(f"select#commune_{line}")
        browser.click(f"label[for='confirm_{line}']")
        self.click(
            browser,
            f".o_reemploi_handover_pending:has(#confirm_{line}) button[type='submit']",
        )
        browser.wait(".alert-success", "Remise enregistrée")
        browser.wait(".o_reemploi_handover_row", need)
        self.check(browser, "the hand-over recorded")
        self.finish(browser, "association", size)
        # the association's last hand-over (it does not read the register)
        handovers = association(
            "reemploi.handover",
            "search_read",
            [],
            fields=["need_category_id", "voucher_id"],
            order="id desc",
            limit=1,
            context={"lang": "fr_FR"},
        )
        self.assertEqual(handovers[0]["need_category_id"][1], need)
        vouchers = self.server.rpc("claire.morel", "claire.morel")(
            "reemploi.voucher", "search_read", [("code", "=", code)], fields=["state"]
        )
        self.assertEqual([v["state"] for v in vouchers], ["used"])

    def test_association_computer(self):
        self.journey(WIDE)

    def test_association_phone(self):
        self.journey(PHONE)


# --------------------------------------------------------------- public
class TestPublicJourney(JourneyCase):
    def journey(self, size):
        browser = self.open(size)
        self.go(browser, "/")
        # a device reused in the territory: what its QR label encodes
        devices = self.admin(
            "reemploi.equipment",
            "search_read",
            [("state", "in", ("for_sale", "sold", "donated"))],
            fields=["serial", "model", "traceability_url"],
            limit=1,
        )
        self.assertTrue(devices, "the demo has no device sold or for sale")
        device = devices[0]
        path = "/" + device["traceability_url"].split("/", 3)[3]
        self.go(browser, path)
        # the device's public story, not its serial number
        browser.wait("main", device["model"])
        browser.wait("main", "Effacement des données")

        # the same device found by its serial number from the home page
        self.site_home(browser)
        browser.fill("input#o_reemploi_lookup_reference", device["serial"])
        self.click(browser, "form.o_reemploi_lookup_form button[type='submit']")
        browser.wait("main", device["model"])
        token = device["traceability_url"].rsplit("/r/", 1)[1]
        self.assertTrue(browser.url.endswith(f"/r/{token}"), browser.url)

        # the shop, from the menu
        self.site_home(browser)
        browser.click_menu('a[href$="/shop"]')
        self.check(browser, "the shop")
        browser.wait(".oe_product")

        # the public leaderboard, from the site
        self.site_home(browser)
        browser.click_menu('a[href*="/reemploi/challenges"]')
        self.check(browser, "the challenges")
        self.click(browser, ".o_reemploi_challenges a[href*='/reemploi/challenges/']")
        browser.wait(".o_reemploi_leaderboard .o_reemploi_leaderboard_row")
        self.check(browser, "the leaderboard")
        self.finish(browser, "public", size)

        # a person referred by the CCAS: the social worker's voucher gives a
        # laptop the solidarity price
        code = self.issue_voucher(size)
        browser.click_menu('a[href$="/shop"]')
        self.check(browser, "the shop")
        self.laptop_in_cart(browser)
        before = euros(browser.text("#order_total .monetary_field"))
        after = euros(self.apply_voucher(browser, code))
        self.assertLess(after, before)

    def test_public_computer(self):
        self.journey(WIDE)

    def test_public_phone(self):
        self.journey(PHONE)
