"""The operator's and the coordinator's days in the back-office, on the demo
database, in a real headless Chromium driven from outside (browser.py).

Each journey starts from a copy of the database ``demo/build.py`` makes
(``harness.DemoCase``: what ``docker compose up`` and ``./demo.sh`` show)
and signs in with a demo account of README.md (password = login). Nothing
is prepared over RPC and no data is mended beforehand: the user clicks and
types, in French, at 1366 px (the check-in also on a 360 px phone); what
was done is then read back over XML-RPC as that user.

One check runs after every step (``Screen.check()``), and fails the
journey on what a user would see go wrong: a JavaScript error or a
``console.error``, an HTTP status of 500 or more, an error dialog, a word
of Odoo's or of our English that the French translation replaces, a page
wider than the screen, a count shown with decimals or a year with a
thousands separator in a list.

1. Operator (``lea.garnier``): the first-run tour, the matching proposals
   (one accepted), a collection round planned for the lot, the lot's
   devices checked in by serial number, a verified erasure recorded in one
   save, the device graded, published on the shop at the price shown, and
   the operator's own figures.
2. Coordinator (``sophie.lambert``): the first-run tour, the proposals, a
   declared lot whose pickup site has no coordinates placed by hand and
   proposed again, the import sources and their runs, an AGEC indicator
   for a public body, the challenges and their leaderboard.

The end of each journey is screenshotted into ``E2E_ARTIFACTS`` and, with
``E2E_SCREENSHOTS`` set to a folder (``docs/screenshots``), there too.
"""

import contextlib
import datetime
import json
import os
import re
import shutil
import time
import unittest
from pathlib import Path

from browser import Browser, find_chromium
from harness import DemoCase

LANG = "fr_FR"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740, "mobile": True}

# Words of Odoo's web client and of our menus and buttons that the French
# translation replaces: seen on a French screen, something is untranslated.
# (Words French shares with English, "Actions", "Date", "Total", "Lots",
# "Sources", "Grade", "Imports", are left out.)
ENGLISH_WORDS = (
    # Odoo's web client
    "New",
    "Save",
    "Discard",
    "Settings",
    "Search",
    "Filters",
    "Group By",
    "Favorites",
    "Delete",
    "Duplicate",
    "Print",
    "Edit",
    "Create",
    "Cancel",
    "Close",
    "Confirm",
    "Send message",
    "Log note",
    "Activities",
    "Add a line",
    "Loading",
    "Welcome",
    "Well done",
    "Yes",
    # our menus, buttons and columns
    "Reuse",
    "Market",
    "Proposals",
    "Collection rounds",
    "Check-ins",
    "Check in",
    "Erasures",
    "Gradings",
    "Processing",
    "Register",
    "Dashboards",
    "Challenges",
    "Leaderboards",
    "Leaderboard",
    "Runs",
    "Devices",
    "Operator",
    "Accept",
    "Refuse",
    "Publish",
    "Locate",
    "Propose operators",
)
ENGLISH_RE = re.compile(
    r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH_WORDS)) + r")(?![\w-])"
)

# The texts of the page a user reads: visible text, placeholders of the
# visible fields, the open tour tip.
PAGE_TEXT_JS = """
(() => {
    const visible = (el) => el.getClientRects().length
        && getComputedStyle(el).visibility !== "hidden";
    const fields = "input[placeholder], textarea[placeholder]";
    const placeholders = [...document.querySelectorAll(fields)]
        .filter(visible).map((el) => el.placeholder);
    return [document.body.innerText, ...placeholders].join("\\n");
})()
"""

# Counts with decimals ("3,00") and years with a thousands separator
# ("2 025") in the cells of list views: [column, text] of each.
LIST_NUMBERS_JS = r"""
(() => {
    const bad = [];
    const year = /(^|_)year$/;
    const count = /(^|_)(count|qty|quantity|sequence)$/;
    const cells = ".o_list_renderer td.o_data_cell[name]";
    for (const td of document.querySelectorAll(cells)) {
        const name = td.getAttribute("name");
        const text = (td.innerText || "").trim();
        if (!text) { continue; }
        if (year.test(name) && !/^\d{4}$/.test(text)) { bad.push([name, text]); }
        else if (count.test(name) && !/^-?\d{1,3}([\u202f\u00a0 ]\d{3})*$/.test(text)) {
            bad.push([name, text]);
        }
    }
    return bad;
})()
"""

# a section of the top bar, by its menu's xmlid
NAVBAR = ".o_main_navbar [data-menu-xmlid='{}']"
# the step a running tour is at (web_tour's tour_state.js)
TOUR_INDEX_JS = "localStorage.getItem('current_tour.index')"
ASSET_RE = re.compile(r'(?:src|href)="(/web/assets/[^"]+)"')
# Odoo's own activity: the web client's RPCs and its blocking overlay
SETTLED_JS = (
    "document.readyState === 'complete' && "
    "!document.querySelector('.o_blockUI, .o_loading_indicator')"
)


class Screen(Browser):
    """The browser of a journey. Besides browser.py's checks of JavaScript
    errors, it records the responses of 500 and more (Network domain)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.desktop = not kwargs.get("mobile")
        self.send("Network.enable")

    def _event(self, message):
        if message.get("method") == "Network.responseReceived":
            response = message["params"].get("response", {})
            if response.get("status", 0) >= 500:
                self.errors.append(f"HTTP {response['status']} {response.get('url')}")
            return
        super()._event(message)

    def check(self, what):
        """What a user would see go wrong at this step fails the journey."""
        self.wait_until(SETTLED_JS, f"the page settled after {what}")
        time.sleep(0.3)  # the last renders after the last RPC
        self.check_console()
        if self.find(".o_error_dialog"):
            self._fail(
                f"{what}: an error dialog opened: {self.text('.o_error_dialog')}"
            )
        text = self.evaluate(PAGE_TEXT_JS) or ""
        english = sorted(set(ENGLISH_RE.findall(text)))
        if english:
            lines = [
                line.strip() for line in text.splitlines() if ENGLISH_RE.search(line)
            ]
            self._fail(f"{what}: English on a French screen: {english} in {lines[:5]}")
        if self.overflows():
            self._fail(f"{what}: the page is wider than the screen (horizontal scroll)")
        numbers = self.evaluate(LIST_NUMBERS_JS)
        if numbers:
            self._fail(
                f"{what}: counts or years badly formatted in a list: {numbers[:5]}"
            )

    def menu(self, *path):
        """Open a menu of the top bar by its labels (the app's sections,
        then the item), as a user does, and wait for its view."""
        first, *rest = path
        if not self.find(".o_main_navbar .o_menu_brand", "Réemploi"):
            self.click(".o_navbar_apps_menu button")
            self.click(".o_app[data-menu-xmlid='reemploi_asset.reemploi_root_menu']")
            self.wait(".o_main_navbar .o_menu_brand", "Réemploi")
        self.click(
            ".o_main_navbar .o_menu_sections > * > button, "
            ".o_main_navbar .o_menu_sections > a, "
            ".o_main_navbar .o_menu_sections .dropdown-toggle",
            first,
        )
        for label in rest:
            self.click(".o-dropdown--menu .dropdown-item", label)
        self.wait(".o_action_manager .o_view_controller, .o_action_manager .o_action")

    def list_row(self, text):
        """Open the record of the list's row that contains ``text``."""
        self.click(".o_list_renderer .o_data_row .o_data_cell", text)
        self.wait(".o_form_view")

    def save(self):
        """The form's save button (the cloud), then the saved form."""
        self.click(".o_form_button_save")
        self.wait_until(
            "(() => { const b = document.querySelector('.o_form_button_save'); "
            "return !b || !b.getClientRects().length "
            "|| getComputedStyle(b).visibility === 'hidden'; })() "
            "&& !/\\/new$/.test(location.pathname)",
            "the record saved",
        )

    def click_button(self, name, text=None):
        """A button of the form's header or sheet, by its method's name."""
        self.click(f".o_form_view button[name='{name}']", text)

    def keep(self, name):
        """The journey's last screen: in E2E_ARTIFACTS and, with
        E2E_SCREENSHOTS set, in that folder (docs/screenshots)."""
        path = self.screenshot(name)
        folder = os.environ.get("E2E_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(folder) / f"{name}.png")
        return path


class BackendJourneyCase(DemoCase):
    # checks of this journey that fail today for a known reason, written in
    # the issue's note: they still run, a failure is printed as a known issue
    # instead of failing the journey, and a pass says the marker can go
    known_issues = {}

    @contextlib.contextmanager
    def check_step(self, name):
        """A subtest of the journey, unless ``name`` is a known issue."""
        if name not in self.known_issues:
            with self.subTest(name):
                yield
            return
        try:
            yield
        except Exception as error:  # noqa: BLE001 (any failure of the step)
            print(
                f"\nKNOWN ISSUE {self.id()} [{name}]: {self.known_issues[name]} "
                f"({type(error).__name__}: {str(error)[:200]})",
                flush=True,
            )
        else:
            print(
                f"\nKNOWN ISSUE NO LONGER SEEN {self.id()} [{name}]: remove it "
                "from known_issues",
                flush=True,
            )

    @classmethod
    def setUpClass(cls):
        if not find_chromium():
            # tests/run.py counts a skipped test as a failure
            raise unittest.SkipTest("no Chromium: install Debian's chromium")
        super().setUpClass()
        cls.warm_up()

    @classmethod
    def warm_up(cls):
        """Odoo builds its asset bundles on their first request, minutes on
        a busy machine: fetch those of the login page and of the back-office
        once, so that the journeys' waits measure the pages, not that."""
        session = cls.server.session("admin", "admin")
        for path in ("/web/login", "/odoo"):
            page = session.get(cls.server.url + path, timeout=600)
            for asset in set(ASSET_RE.findall(page.text)):
                session.get(cls.server.url + asset, timeout=600)

    def screen(self, login, size=DESKTOP):
        """A new Chromium signed in as ``login`` (a demo account, password =
        login); closed after the test, failing it on any error left
        unseen."""
        screen = Screen(name=self.id().rsplit(".", 1)[-1], **size)
        self.addCleanup(screen.close)
        self.addCleanup(screen.check_console)
        screen.base_url = self.server.front_url
        screen.login(screen.base_url, login, login)
        screen.check(f"{login} signed in")
        return screen

    def rpc(self, login):
        return self.server.rpc(login, login)

    def follow_tour(self, screen, steps):
        """The first-run tour: its first tip shows when the user arrives;
        the user follows it, clicking where each step points (``steps``:
        the selectors of the steps' triggers), to the rainbow at its end.
        A tour that cannot be followed is a finding; the user then closes
        it (user menu, "Parcours d'intégration") and the journey goes on."""
        screen.goto(screen.base_url + "/odoo")
        with self.check_step("the tour's first tip shows on arrival"):
            try:
                screen.wait(".o_tour_pointer", timeout=20)
            finally:
                screen.errors.clear()  # reported here, not again below
        with self.check_step("the tour followed to its end"):
            try:
                if not screen.find(".o_tour_pointer"):
                    # the user looks for the app by themselves
                    screen.click(".o_navbar_apps_menu button")
                screen.check("the tour's first tip")
                for number, (selector, text) in enumerate(steps, 1):
                    screen.wait(".o_tour_pointer", timeout=20)
                    index = screen.evaluate(TOUR_INDEX_JS)
                    screen.click(selector, text)
                    screen.wait_until(
                        f"{TOUR_INDEX_JS} !== {json.dumps(index)}",
                        f"step {number} of the tour done ({selector})",
                        timeout=20,
                    )
                    screen.check(f"step {number} of the tour")
                # the rainbow, or its message as a notification when the
                # database has the effects off
                screen.wait(".o_reward, .o_notification", "Bravo", timeout=20)
                screen.check("the end of the tour")
                # and no other tour (Sales, Invoicing…) takes over
                time.sleep(2)
                self.assertFalse(
                    screen.evaluate("localStorage.getItem('current_tour')"),
                    "once the role's tour is done, another tour starts",
                )
            finally:
                screen.errors.clear()  # reported here, not again below
                if self.tour_running(screen):
                    screen.click(".o_user_menu button, .o_user_menu .dropdown-toggle")
                    screen.click(".dropdown-item", "Parcours d'intégration")
                    screen.wait_until(
                        "document.readyState === 'complete' && "
                        "!localStorage.getItem('current_tour')",
                        "the tour closed",
                    )

    @staticmethod
    def tour_running(screen):
        return screen.evaluate("!!localStorage.getItem('current_tour')")

    def top_bar_fits(self, screen):
        """At 1366 px, every section of the app's top bar is shown (none
        pushed into the "more" menu)."""
        with self.check_step("the top bar fits at 1366 px"):
            self._top_bar_fits(screen)

    def _top_bar_fits(self, screen):
        self.assertFalse(
            screen.find(".o_menu_sections .o_menu_sections_more"),
            "the top bar does not fit at 1366 px: sections hidden under «…»: "
            + screen.evaluate(
                "[...document.querySelectorAll('.o_menu_sections > *')]"
                ".map((e) => e.innerText.trim()).join(' | ')"
            ),
        )


class TestOperatorDay(BackendJourneyCase):
    login = "lea.garnier"

    def test_operator_day(self):
        screen = self.screen(self.login)
        operator = self.rpc(self.login)
        user = operator("res.users", "read", [operator.uid], ["company_id"])[0]
        company_id = user["company_id"][0]

        # 1. the first-run tour: the register, a device, the gradings
        self.follow_tour(
            screen,
            [
                (".o_navbar_apps_menu button", None),
                (".o_app[data-menu-xmlid='reemploi_asset.reemploi_root_menu']", None),
                (NAVBAR.format("reemploi_asset.reemploi_equipment_menu_root"), None),
                (
                    ".dropdown-item[data-menu-xmlid='reemploi_asset.reemploi_equipment_menu']",
                    None,
                ),
                (".o_data_row:first-child .o_data_cell[name='serial']", None),
                (".o_form_view .o_statusbar_status", None),
                (
                    NAVBAR.format("reemploi_asset.reemploi_processing_menu_root"),
                    None,
                ),
                (
                    ".dropdown-item[data-menu-xmlid='reemploi_asset.reemploi_grading_menu']",
                    None,
                ),
                (".o_list_button_add", None),
                (".o_form_view .o_field_widget[name='equipment_id'] input", None),
            ],
        )
        self.top_bar_fits(screen)

        # 2. the lots the matching proposes to the operator: accept one
        screen.menu("Marché", "Propositions")
        screen.wait(".o_list_renderer .o_data_row")
        screen.check("the proposals")
        lot_name = screen.text(
            ".o_list_renderer .o_data_row .o_data_cell[name='lot_id']"
        )
        screen.list_row(lot_name)
        screen.check("a proposal")
        screen.click_button("action_accept", "Accepter")
        screen.wait(".modal .modal-footer .btn-primary")
        screen.check("the acceptance asked for confirmation")
        screen.click(".modal .modal-footer .btn-primary")
        screen.wait(".o_statusbar_status .o_arrow_button_current", "Acceptée")
        screen.check("the proposal accepted")
        lot = operator(
            "reemploi.lot",
            "search_read",
            [("name", "=", lot_name)],
            fields=["state", "company_id", "line_ids"],
        )
        self.assertEqual(len(lot), 1, lot)
        self.assertEqual(lot[0]["state"], "matched")
        self.assertEqual(lot[0]["company_id"][0], company_id)

        # 3. a collection round for the lot, planned and set off
        screen.menu("Marché", "Tournées de collecte")
        screen.check("the collection rounds")
        screen.click(".o_list_button_add, .o-kanban-button-new")
        screen.wait(".o_form_view div[name='area']")
        # the first day the donor can hand the lot over
        available = operator("reemploi.lot", "read", [lot[0]["id"]], ["date_from"])[0]
        day = datetime.date.fromisoformat(available["date_from"])
        screen.fill("div[name='date'] input", day.strftime("%d/%m/%Y"))
        screen.press("Tab")  # the date committed, its picker closed
        screen.fill("div[name='area'] input", "38000 Grenoble")
        screen.click(".o_notebook a.nav-link", "Lots")
        screen.click("div[name='lot_ids'] .o_field_x2many_list_row_add a")
        screen.wait(".modal .o_list_renderer")
        screen.check("the lots to collect")
        screen.click(".modal .o_data_row .o_data_cell", lot_name)
        screen.wait_until(
            "!document.querySelector('.modal')", "the lot added to the round"
        )
        screen.wait("div[name='lot_ids'] .o_data_row", lot_name)
        screen.click_button("action_plan", "Planifier")
        screen.wait(".o_statusbar_status .o_arrow_button_current", "Planifiée")
        # starting the round opens it on the driver's phone screen
        screen.click_button("action_open_pickup", "Démarrer la tournée")
        screen.wait(".o_reemploi_round .o_reemploi_round_stop", lot_name)
        screen.check("the round on the driver's screen")
        screen.click(".o_reemploi_round button", "Détails")
        screen.wait(".o_statusbar_status .o_arrow_button_current", "En cours")
        screen.check("the round set off")

        # 4. the check-in of the lot: every device's serial typed
        devices = operator(
            "reemploi.equipment",
            "search_read",
            [("reemploi_lot_id.name", "=", lot_name)],
            fields=["serial", "state"],
            order="id",
        )
        self.assertTrue(devices, f"lot {lot_name} has no device of the register")
        screen.click("div[name='lot_ids'] .o_data_row button.o_reemploi_open_checkin")
        screen.wait(".o_reemploi_checkin .o_reemploi_checkin_line[data-kind='device']")
        screen.check("the check-in screen")
        for device in devices:
            screen.fill("input.o_reemploi_checkin_input", device["serial"])
            screen.press("Enter")
            screen.wait(
                ".o_reemploi_checkin_result[data-result='received']", device["serial"]
            )
        screen.check("the devices checked in")
        screen.click("button.o_reemploi_checkin_validate")
        screen.click(".modal-footer .btn-primary")
        screen.wait(".o_reemploi_checkin_done", "Réception validée")
        screen.check("the check-in validated")
        states = operator(
            "reemploi.equipment", "read", [d["id"] for d in devices], ["state"]
        )
        self.assertEqual({d["state"] for d in states}, {"received"}, states)

        # 5. the first device on the bench: a verified erasure in one save
        device = devices[0]
        screen.menu("Équipement", "Registre")
        screen.fill(".o_searchview_input", device["serial"])
        screen.press("Enter")
        screen.list_row(device["serial"])
        screen.check("the device")
        screen.click_button("action_new_erasure", "Enregistrer un effacement")
        screen.wait(".o_form_view div[name='medium_serial']")
        screen.check("the erasure form")
        screen.fill("div[name='medium_serial'] input", f"{device['serial']}-D1")
        screen.select("div[name='medium_type'] select", "NVMe SSD")
        screen.fill(
            "div[name='technique'] input", "NVMe Format, effacement cryptographique"
        )
        screen.fill("div[name='tool_name'] input", "nwipe")
        screen.fill("div[name='tool_version'] input", "0.37")
        # the tool's report says when it ended (the user's time, in French)
        ended = screen.evaluate(
            "luxon.DateTime.now().plus({minutes: 2}).toFormat('dd/MM/yyyy HH:mm:ss')"
        )
        screen.fill("div[name='date_end'] input", ended)
        screen.press("Tab")  # the date committed, its picker closed
        screen.select("div[name='result'] select", "Succès")
        screen.select(
            "div[name='verification_method'] select", "Échantillonnage représentatif"
        )
        screen.select("div[name='verification_result'] select", "Réussi")
        screen.save()
        screen.wait(".o_form_view .ribbon")  # « Vérifié »
        screen.check("the erasure saved")
        erasures = operator(
            "reemploi.erasure",
            "search_read",
            [("equipment_id", "=", device["id"])],
            fields=["result", "verification_result", "medium_serial", "verified"],
        )
        self.assertEqual(len(erasures), 1, erasures)
        self.assertEqual(erasures[0]["result"], "success")
        self.assertEqual(erasures[0]["verification_result"], "pass")
        self.assertEqual(erasures[0]["medium_serial"], f"{device['serial']}-D1")
        self.assertTrue(erasures[0]["verified"])

        # 6. the device graded in the grading form
        screen.goto(
            f"{screen.base_url}/odoo/action-reemploi_asset."
            f"reemploi_equipment_action/{device['id']}"
        )
        screen.click_button("action_mark_erased", "Effacement terminé")
        screen.wait(".o_statusbar_status .o_arrow_button_current", "Effacé")
        screen.check("the erasure closed")
        screen.click_button("action_new_grading", "Commencer une évaluation")
        screen.wait(".o_form_view div[name='check_power']")
        screen.check("the grading form")
        for check in (
            "check_power",
            "check_boot",
            "check_screen",
            "check_storage",
            "check_keyboard",
            "check_battery",
        ):
            if screen.find(f"div[name='{check}'] input[data-value='ok']"):
                screen.click(f"div[name='{check}'] input[data-value='ok']")
        if screen.find("div[name='battery_design_capacity'] input"):
            screen.fill("div[name='battery_design_capacity'] input", "50")
            screen.fill("div[name='battery_full_capacity'] input", "45")
            screen.press("Tab")
        screen.click(".o_reemploi_nothing_to_report", "Rien à signaler")
        screen.wait(".o_reemploi_nothing_to_report.btn-success")
        screen.wait("div[name='grade_id']", "A")
        screen.click_button("action_done_and_grade")
        screen.wait_until(
            "!document.querySelector(\"button[name='action_done_and_grade']\")",
            "the grading validated",
        )
        screen.check("the grading validated")
        graded = operator(
            "reemploi.equipment", "read", [device["id"]], ["state", "grade_id"]
        )[0]
        self.assertEqual(graded["state"], "graded")

        # 7. on the shop, at the price shown and confirmed
        screen.goto(
            f"{screen.base_url}/odoo/action-reemploi_asset."
            f"reemploi_equipment_action/{device['id']}"
        )
        price = screen.text("div[name='shop_price']")
        self.assertRegex(price, r"\d+,\d\d\s*€")
        screen.click_button("action_publish_shop", "Publier en boutique")
        screen.wait(".modal .modal-footer .btn-primary")
        # the confirmation refers to the price the form shows
        self.assertIn("prix en boutique affiché", screen.text(".modal .modal-body"))
        screen.check("the publication asked for confirmation")
        screen.click(".modal .modal-footer .btn-primary")
        screen.wait(".o_statusbar_status .o_arrow_button_current", "En vente")
        screen.check("the device on the shop")
        sold = operator(
            "reemploi.equipment",
            "read",
            [device["id"]],
            ["state", "shop_product_id"],
        )[0]
        self.assertEqual(sold["state"], "for_sale")
        product = operator(
            "product.product",
            "read",
            [sold["shop_product_id"][0]],
            ["lst_price", "is_published"],
        )[0]
        self.assertTrue(product["is_published"])
        self.assertIn(
            f"{product['lst_price']:.2f}".replace(".", ","), price.replace("\u202f", "")
        )

        # 8. the operator's own figures
        screen.menu("Tableaux de bord", "Volumes de réemploi")
        screen.wait(".o_pivot, .o_graph_renderer, .o_list_renderer")
        screen.check("the operator's figures")
        self.top_bar_fits(screen)
        screen.keep("journey_operator_1366")
        report = operator(
            "reemploi.equipment.report",
            "read_group",
            [],
            ["company_id"],
            ["company_id"],
        )
        self.assertEqual(
            {group["company_id"][0] for group in report}, {company_id}, report
        )


class TestCheckInOnPhone(BackendJourneyCase):
    """At the depot, the operator checks a lot in from a phone."""

    login = "lea.garnier"

    def test_check_in_on_a_phone(self):
        operator = self.rpc(self.login)
        screen = self.screen(self.login, PHONE)
        screen.goto(
            f"{screen.base_url}/odoo/action-reemploi_market."
            "reemploi_collection_round_action"
        )
        screen.check("the rounds on a phone")
        screen.click(".o_kanban_record, .o_data_row")
        screen.wait(".o_form_view")
        if screen.find(".o_form_view button[name='action_start']"):
            screen.click_button("action_start")
            screen.wait(".o_statusbar_status", "En cours")
        screen.check("the round on a phone")
        screen.click(
            ".o_form_view .o_notebook a.nav-link, .o_form_view .o_notebook_headers a",
            "Lots",
        )
        screen.click("div[name='lot_ids'] button.o_reemploi_open_checkin")
        screen.wait(".o_reemploi_checkin .o_reemploi_checkin_line[data-kind='device']")
        screen.check("the check-in screen on a phone")
        lot = screen.text(".o_reemploi_checkin .o_reemploi_checkin_lot")
        # the label on the first device out of the van
        devices = operator(
            "reemploi.equipment",
            "search_read",
            [("reemploi_lot_id.name", "=", lot), ("serial", "!=", False)],
            fields=["serial"],
            order="id",
            limit=1,
        )
        self.assertTrue(devices, f"lot {lot} has no device of the register")
        serial = devices[0]["serial"]
        screen.fill("input.o_reemploi_checkin_input", serial)
        screen.press("Enter")
        screen.wait(".o_reemploi_checkin_result[data-result='received']", serial)
        screen.check("a device checked in on a phone")
        self.assertFalse(screen.overflows(), "the check-in is wider than the phone")
        screen.keep("journey_checkin_360")
        received = operator(
            "reemploi.lot.checkin.line",
            "search_read",
            [("equipment_id.serial", "=", serial), ("received_qty", ">", 0)],
            fields=["checkin_id"],
        )
        self.assertEqual(len(received), 1, (lot, serial, received))


class TestCoordinatorDay(BackendJourneyCase):
    login = "sophie.lambert"

    def test_coordinator_day(self):
        screen = self.screen(self.login)
        coordinator = self.rpc(self.login)

        # 1. the first-run tour: the lots, the imports
        self.follow_tour(
            screen,
            [
                (".o_navbar_apps_menu button", None),
                (".o_app[data-menu-xmlid='reemploi_asset.reemploi_root_menu']", None),
                (
                    NAVBAR.format("reemploi_market.reemploi_market_menu_root"),
                    None,
                ),
                (
                    ".dropdown-item[data-menu-xmlid='reemploi_market.reemploi_lot_menu']",
                    None,
                ),
                # a declared lot (in bold), then its proposal
                (
                    ".o_reemploi_lot_list .o_data_row.fw-bold "
                    ".o_data_cell[name='name']",
                    None,
                ),
                (
                    ".o_form_view button[name='action_propose'].btn-primary, "
                    ".o_form_view button[name='action_view_proposals']",
                    None,
                ),
                (
                    NAVBAR.format("reemploi_asset.reemploi_import_menu_root"),
                    None,
                ),
                (
                    ".dropdown-item[data-menu-xmlid='reemploi_asset.reemploi_import_run_menu']",
                    None,
                ),
            ],
        )
        self.top_bar_fits(screen)

        # 2. the proposals of the territory
        screen.menu("Marché", "Propositions")
        screen.wait(".o_list_renderer .o_data_row")
        screen.check("the proposals")

        # 3. a declared lot that no operator could be proposed: its pickup
        # site has no coordinates; typed by hand (no network here), then
        # the operators proposed again
        with self.subTest("a pickup site without coordinates placed by hand"):
            screen.menu("Marché", "Lots")
            screen.check("the lots")
            lots = [
                lot
                for lot in coordinator(
                    "reemploi.lot",
                    "search_read",
                    [("state", "=", "declared")],
                    fields=["name", "pickup_latitude", "pickup_longitude"],
                    order="name",
                )
                if not (lot["pickup_latitude"] or lot["pickup_longitude"])
            ]
            self.assertTrue(
                lots, "the demo has no declared lot whose pickup site lacks coordinates"
            )
            lot_name = lots[0]["name"]
            screen.fill(".o_searchview_input", lot_name)
            screen.press("Enter")
            screen.list_row(lot_name)
            screen.wait(".alert-warning", "coordonnées")
            screen.check("the lot without coordinates")
            screen.fill("div[name='pickup_latitude'] input", "45,1885")
            screen.fill("div[name='pickup_longitude'] input", "5,7245")
            screen.save()
            screen.click_button("action_propose", "Proposer")
            # Odoo 18 draws the button box as .o-form-buttonbox (form_compiler.js)
            screen.wait(".o-form-buttonbox button[name='action_view_proposals']")
            screen.check("the operators proposed")
            lot = coordinator(
                "reemploi.lot",
                "search_read",
                [("name", "=", lot_name)],
                fields=["pickup_latitude", "pickup_longitude", "current_proposal_id"],
            )[0]
            self.assertAlmostEqual(lot["pickup_latitude"], 45.1885, places=4)
            self.assertAlmostEqual(lot["pickup_longitude"], 5.7245, places=4)
            self.assertTrue(lot["current_proposal_id"], lot)

        # 4. the import sources: one of them and its runs
        screen.menu("Imports", "Sources")
        screen.wait(".o_list_renderer .o_data_row")
        screen.check("the import sources")
        screen.click(".o_list_renderer .o_data_row .o_data_cell")
        screen.wait(".o_form_view")
        screen.click(".o_notebook a.nav-link", "Exécutions")
        screen.wait("div[name='run_ids'] .o_data_row")
        screen.check("a source's runs")

        # 5. an AGEC indicator for a public body, through the form
        screen.menu("Tableaux de bord", "Indicateurs AGEC")
        screen.check("the AGEC indicators")
        body = coordinator(
            "res.partner",
            "search_read",
            [("is_public_body", "=", True)],
            fields=["name"],
            order="name",
        )
        self.assertTrue(body, "no public body in the demo")
        existing = coordinator(
            "reemploi.agec.stock",
            "search_read",
            [],
            fields=["partner_id", "year"],
        )
        taken = {(row["partner_id"][0], row["year"]) for row in existing}
        # a year since the décret (2023) a public body has no indicator for
        partner, year = next(
            (
                (body_, year_)
                for year_ in range(datetime.date.today().year, 2022, -1)
                for body_ in body
                if (body_["id"], year_) not in taken
            ),
            (None, None),
        )
        self.assertTrue(partner, "every public body has its indicators already")
        screen.click(".o_list_button_add")
        screen.fill(
            ".o_data_row.o_selected_row div[name='partner_id'] input", partner["name"]
        )
        screen.click(".o-autocomplete--dropdown-menu .dropdown-item", partner["name"])
        screen.fill(".o_data_row.o_selected_row div[name='year'] input", str(year))
        screen.click(".o_list_button_save")
        screen.wait_until(
            "!document.querySelector('.o_data_row.o_selected_row')",
            "the indicator saved",
        )
        screen.check("the AGEC indicator created")
        created = coordinator(
            "reemploi.agec.stock",
            "search_read",
            [("partner_id", "=", partner["id"]), ("year", "=", year)],
            fields=["reuse_rate", "reuse_target"],
        )
        self.assertEqual(len(created), 1, created)

        # 6. the challenges and a leaderboard
        screen.menu("Défis", "Défis")
        screen.wait(".o_list_renderer .o_data_row")
        screen.check("the challenges")
        screen.menu("Défis", "Classements")
        screen.wait(".o_list_renderer .o_data_row")
        screen.click(".o_list_renderer .o_data_row .o_data_cell")
        screen.click(".o_notebook a.nav-link", "Classement")
        screen.wait(
            "div[name='reemploi_leaderboard_html'] table, "
            "div[name='reemploi_leaderboard_html'] li"
        )
        screen.check("a leaderboard")
        self.top_bar_fits(screen)
        screen.keep("journey_coordinator_1366")


if __name__ == "__main__":
    unittest.main()
