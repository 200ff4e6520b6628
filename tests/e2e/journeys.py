"""Set-up helpers of the end-to-end journeys: the people and the profiles a
real deployment has, created over XML-RPC by the administrator.

Everything is named with a random token, so that the journeys run on the
database ``tests/run.py`` has just tested (with demo data) as well as on a
new one, and never depend on what else the database holds. The one
setting changed for the whole database is ``report.url`` (wkhtmltopdf
fetches the stylesheets of a PDF from the server under test): on a database
kept with ``E2E_DB``, reset it (or unset it) afterwards.
"""

import base64
import datetime
import re
import secrets
import urllib.parse

from harness import HTTP_TIMEOUT, csrf_token

# the donor's pickup site and the operator's depot, 5 km apart (Grenoble)
DONOR_POSITION = (45.1885, 5.7245)
OPERATOR_POSITION = (45.2335, 5.7245)


def today():
    """The server's day: the harness runs Odoo with TZ=UTC."""
    return datetime.datetime.now(datetime.UTC).date()


def b64(data):
    return base64.b64encode(data).decode("ascii")


def group_ids(admin, *xmlids):
    return [admin.ref(xmlid) for xmlid in xmlids]


class Cast:
    """An operator company with its manager, a donor organisation with a
    portal user, a territory coordinator and an equipment category of their
    own (only this operator takes it, so the matching is deterministic)."""

    def __init__(self, server, co2e_kg=150.0, weight_kg=2.5):
        self.server = server
        self.token = secrets.token_hex(4)
        admin = self.admin = server.rpc()
        token = self.token
        laptop = admin(
            "reemploi.equipment.category",
            "read",
            [admin.ref("reemploi_asset.category_laptop")],
            ["product_id"],
        )[0]
        self.category_code = f"e2e_{token}"
        self.category_id = admin(
            "reemploi.equipment.category",
            "create",
            {
                "name": f"E2E laptop {token}",
                "code": self.category_code,
                "co2e_kg": co2e_kg,
                "weight_kg": weight_kg,
                "factor_reference": f"E2E factor {token}",
                "has_data_medium": True,
                "has_battery": True,
                "product_id": laptop["product_id"][0],
                "shop_list_price": 240.0,
                "warranty_months": 12,
            },
        )
        self.company_id = admin(
            "res.company",
            "create",
            {
                "name": f"Opérateur E2E {token}",
                "city": "Grenoble",
                "zip": "38000",
                "reemploi_category_ids": [(6, 0, [self.category_id])],
                "reemploi_lots_per_period": 20,
                "reemploi_period_days": 30,
                "reemploi_max_distance_km": 50,
            },
        )
        company = admin("res.company", "read", [self.company_id], ["partner_id"])[0]
        # Odoo creates a new company's warehouse only while tests run
        # (stock/models/res_company.py): an administrator creates it
        admin(
            "stock.warehouse",
            "create",
            {
                "name": f"Dépôt E2E {token}",
                "code": token[:5].upper(),
                "company_id": self.company_id,
                "partner_id": company["partner_id"][0],
            },
            context={"allowed_company_ids": [self.company_id]},
        )
        admin(
            "res.partner",
            "write",
            [company["partner_id"][0]],
            {
                "partner_latitude": OPERATOR_POSITION[0],
                "partner_longitude": OPERATOR_POSITION[1],
            },
        )
        self.donor_id = admin(
            "res.partner",
            "create",
            {
                "name": f"Mairie E2E {token}",
                "is_company": True,
                "street": "11 boulevard Jean Pain",
                "zip": "38000",
                "city": "Grenoble",
                "partner_latitude": DONOR_POSITION[0],
                "partner_longitude": DONOR_POSITION[1],
            },
        )
        # the operator's own prices: with reemploi_social installed and no
        # other pricelist, every order would default to the solidarity one
        self.pricelist_id = admin(
            "product.pricelist",
            "create",
            {
                "name": f"Tarif E2E {token}",
                "company_id": self.company_id,
                "sequence": 1,
            },
        )
        # a customer of the refurbished shop
        self.buyer_id = admin(
            "res.partner",
            "create",
            {"name": f"Association acheteuse {token}", "is_company": True},
        )
        self.passwords = {}
        contact_id = admin(
            "res.partner",
            "create",
            {
                "name": f"Agent E2E {token}",
                "parent_id": self.donor_id,
                "email": f"agent-{token}@example.org",
                "phone": "04 76 00 00 00",
            },
        )
        self.donor_login = self._user(
            "donor",
            ["reemploi_asset.group_reemploi_donor"],
            partner_id=contact_id,
        )
        self.coordinator_login = self._user(
            "coordinator", ["reemploi_asset.group_reemploi_coordinator"]
        )
        self.operator_login = self._user(
            "operator",
            [
                "reemploi_asset.group_reemploi_operator_manager",
                "sales_team.group_sale_salesman",
            ],
            company_id=self.company_id,
            company_ids=[(6, 0, [self.company_id])],
        )
        # wkhtmltopdf fetches the report's stylesheets from this server
        admin("ir.config_parameter", "set_param", "report.url", server.url)

    def _user(self, role, groups, **values):
        login = f"{role}-{self.token}"
        password = secrets.token_urlsafe(12)
        self.admin(
            "res.users",
            "create",
            dict(
                {
                    "name": f"{role.title()} E2E {self.token}",
                    "login": login,
                    "password": password,
                    "groups_id": [(6, 0, group_ids(self.admin, *groups))],
                },
                **values,
            ),
        )
        self.passwords[login] = password
        return login

    def rpc(self, login):
        return self.server.rpc(login, self.passwords[login])

    def session(self, login):
        return self.server.session(login, self.passwords[login])


def ensure_french(admin):
    """French is the users' language: activate it (and load the addons'
    French) when the database does not have it yet, as on a new database
    without demo data, and offer it on the website."""
    french = admin("res.lang", "search", [("code", "=", "fr_FR")])
    if not french:
        french = admin(
            "res.lang",
            "search",
            [("code", "=", "fr_FR"), ("active", "=", False)],
            context={"active_test": False},
        )
        wizard = admin(
            "base.language.install", "create", {"lang_ids": [(6, 0, french)]}
        )
        admin("base.language.install", "lang_install", [wizard])
    admin(
        "website",
        "write",
        [admin.ref("website.default_website")],
        {"language_ids": [(4, french[0])]},
    )


def erasure_values(device_id, company_id, serial):
    """A verified NIST purge of the device's one drive, done in the last
    hour."""
    now = datetime.datetime.now(datetime.UTC)
    return {
        "equipment_id": device_id,
        "company_id": company_id,
        "medium_type": "nvme",
        "medium_serial": f"{serial}-D1",
        "method": "purge",
        "technique": "NVMe Format, crypto erase",
        "tool_name": "nwipe",
        "tool_version": "0.37",
        "date_start": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
        "date_end": now.strftime("%Y-%m-%d %H:%M:%S"),
        "result": "success",
        "verification_method": "sample",
        "verification_result": "pass",
    }


def graded_devices(operator, company_id, category_id, owner_id, serials, model):
    """New laptops of the operator walked through the register by the
    operator: received, erased, graded A; ready for the shop."""
    ids = operator(
        "reemploi.equipment",
        "create",
        [
            {
                "serial": serial,
                "manufacturer": "Dell",
                "model": model,
                "category_id": category_id,
                "owner_id": owner_id,
                "company_id": company_id,
            }
            for serial in serials
        ],
    )
    operator("reemploi.equipment", "action_declare", ids)
    operator("reemploi.equipment", "action_receive", ids)
    operator(
        "reemploi.erasure",
        "create",
        [
            erasure_values(device, company_id, serial)
            for device, serial in zip(ids, serials, strict=True)
        ],
    )
    operator("reemploi.equipment", "action_mark_erased", ids)
    gradings = operator(
        "reemploi.grading",
        "create",
        [
            {
                "equipment_id": device,
                "company_id": company_id,
                "check_power": "ok",
                "check_boot": "ok",
                "check_screen": "ok",
                "check_storage": "ok",
                "check_battery": "ok",
                "check_keyboard": "ok",
                "battery_design_capacity": 50.0,
                "battery_full_capacity": 43.5,
                "cosmetic_checked": True,
            }
            for device in ids
        ],
    )
    operator("reemploi.grading", "action_done", gradings)
    operator("reemploi.equipment", "action_grade", ids)
    return ids


def declare_lot(donor, device_ids):
    """The donor's agent declares a lot of its devices (XML-RPC)."""
    lot_id = donor(
        "reemploi.lot",
        "create",
        {
            "date_from": str(today() + datetime.timedelta(days=1)),
            "date_to": str(today() + datetime.timedelta(days=30)),
            "floor": 2,
            "has_lift": True,
            "contact_name": "Agent E2E",
            "contact_phone": "04 76 00 00 00",
            "line_ids": [(0, 0, {"equipment_id": d}) for d in device_ids],
        },
    )
    donor("reemploi.lot", "action_declare", [lot_id])
    return lot_id


def start_round(operator, lot_id):
    """The operator plans a collection round for the lot and sets off."""
    round_id = operator(
        "reemploi.collection.round",
        "create",
        {
            "date": str(today() + datetime.timedelta(days=2)),
            "area": "38000 Grenoble",
            "lot_ids": [(4, lot_id)],
        },
    )
    operator("reemploi.collection.round", "action_plan", [round_id])
    operator("reemploi.collection.round", "action_start", [round_id])
    return round_id


def address(admin):
    """An address in Grenoble, for organisations and their contacts."""
    return {
        "street": "1 rue de la Paix",
        "zip": "38000",
        "city": "Grenoble",
        "country_id": admin.ref("base.fr"),
    }


def open_shop(admin, company_id):
    """The website sells ``company_id``'s devices; a laptop costs 300 €
    there (above its solidarity ceiling). Returns the laptop category."""
    laptop = admin.ref("reemploi_asset.category_laptop")
    admin(
        "reemploi.equipment.category",
        "write",
        [laptop],
        {"shop_list_price": 300.0, "warranty_months": 12},
    )
    admin(
        "website",
        "write",
        [admin.ref("website.default_website")],
        {"company_id": company_id},
    )
    return laptop


def operator_workshop(admin, tag, code):
    """A new operator "Opérateur <tag>" with its warehouse (``code``: Odoo
    gives a new company one in test mode only), whose devices the website
    sells, and a donor organisation: (company id, laptop category id, donor
    partner id)."""
    company = admin("res.company", "create", {"name": f"Opérateur {tag}"})
    admin(
        "stock.warehouse",
        "create",
        {"name": f"Atelier {tag}", "code": code, "company_id": company},
        context={"allowed_company_ids": [company]},
    )
    laptop = open_shop(admin, company)
    donor = admin(
        "res.partner", "create", {"name": f"Donateur {tag}", "is_company": True}
    )
    return company, laptop, donor


def create_users(admin, db, values, password):
    """Users created by the administrator (``values``: a dict or a list of
    dicts), all with ``password``, hashed once for all of them: Odoo's 600,000
    PBKDF2 rounds are about a second of CPU a user. The id or the ids."""
    users = admin("res.users", "create", values)
    with db.cursor() as cr:
        cr.execute(
            "UPDATE res_users SET password = %s WHERE id = ANY(%s)",
            [password_hash(password), users if isinstance(users, list) else [users]],
        )
    return users


def cart_session(server, login, password):
    """A logged-in session of ``login`` and the CSRF token of its cart's page
    (valid as long as the session): (session, token, HTTP status of the
    page)."""
    session = server.session(login, password)
    page = session.get(f"{server.url}/shop/cart", timeout=HTTP_TIMEOUT)
    return session, csrf_token(page.text), page.status_code


def post_at_once(session, url, barrier, **data):
    """POST a form (``data`` and the session's CSRF token in ``csrf_token``)
    once every thread of ``barrier`` is there: the requests of a race."""
    barrier.wait(timeout=120)
    return session.post(url, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT)


class RaceSetup:
    """What the races on a multi-process server share (a mixin of their
    ServerCase): ``tag``, a token that makes every name unique (the database
    may be one that is reused), ``admin``, the administrator's XML-RPC, and
    ``db``, a PostgreSQL connection to check what was committed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = secrets.token_hex(3)
        cls.admin = cls.server.rpc()
        cls.db = cls.server.sql()
        cls.addClassCleanup(cls.db.close)


class CheckoutRace(RaceSetup):
    """What the races of solidarity checkouts share: the operator and the
    associations set up once (``_setup_operator()``,
    ``_setup_associations()``); ``self.sessions[buyer]`` is a buyer's
    (session, token) and ``self.logins[buyer]`` its login."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_operator()
        cls._setup_associations()

    def _add_to_cart(self, buyer, device):
        session, token = self.sessions[buyer]
        self.assertEqual(
            add_to_cart(self.server.url, session, token, device),
            (303, "/shop/cart", ""),
            f"{self.logins[buyer]} could not add device {device} to the cart",
        )

    def _checkout(self, buyer, barrier):
        """The buyer's solidarity checkout, at the barrier's signal."""
        session, token = self.sessions[buyer]
        response = post_at_once(
            session,
            f"{self.server.url}/shop/solidarity/confirm",
            barrier,
            csrf_token=token,
        )
        return checkout_outcome(response)


def clear_draft_carts(admin, partners):
    """The carts still open of ``partners`` (those of a previous round)."""
    drafts = admin(
        "sale.order",
        "search",
        [("partner_id", "in", partners), ("state", "=", "draft")],
    )
    if drafts:
        admin("sale.order", "unlink", drafts)


def accredited_associations(admin, names, number):
    """Associations accredited since 2020 (numbers ``number`` + 00, 01…):
    (their organisations' partner ids, their association ids)."""
    where = address(admin)
    organisations = admin(
        "res.partner",
        "create",
        [dict(where, name=name, is_company=True) for name in names],
    )
    associations = admin(
        "reemploi.association",
        "create",
        [
            {
                "partner_id": organisation,
                "accreditation_type": "public_interest",
                "accreditation_number": f"{number}{j:02d}",
                "accreditation_body": "Préfecture de l'Isère",
                "accreditation_start": "2020-01-01",
            }
            for j, organisation in enumerate(organisations)
        ],
    )
    return organisations, associations


# ------------------------------------------------- the shop's checkout races
# (test_solidarity_concurrency.py, test_pool_concurrency.py)
LANG_PREFIX_RE = re.compile(r"^/[a-z]{2}(?:_[A-Z]{2})?(?=/(?:shop|my)/)")
ORDER_PATH_RE = re.compile(r"^/my/orders/(\d+)$")


def password_hash(password):
    """A password hashed as Odoo stores it: 600,000 PBKDF2 rounds, about a
    second of CPU, so hashed once for many test users."""
    from passlib.context import CryptContext  # noqa: PLC0415 (Odoo's dependency)

    return CryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=600_000).hash(password)


def redirect_path(location):
    """The path of a redirection (a urlsplit result), without the language
    of a website that has several (/fr/shop/cart)."""
    return LANG_PREFIX_RE.sub("", location.path, count=1)


def add_to_cart(server_url, session, token, device):
    """Put a device in the session's cart as the shop's button does; the
    answer's (status, path, query): (303, "/shop/cart", "") when added."""
    response = session.post(
        f"{server_url}/shop/reemploi/add",
        data={"equipment_id": str(device), "csrf_token": token},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    location = urllib.parse.urlsplit(response.headers.get("Location", ""))
    return response.status_code, redirect_path(location), location.query


def checkout_outcome(response):
    """What a solidarity checkout (POST /shop/solidarity/confirm) answered:
    ("ok", order id), ("refused", reason) or ("error", what happened)."""
    location = urllib.parse.urlsplit(response.headers.get("Location", ""))
    query = urllib.parse.parse_qs(location.query)
    if response.status_code == 303:
        match = ORDER_PATH_RE.match(redirect_path(location))
        if match:
            return "ok", int(match[1])
        if redirect_path(location) == "/shop/cart" and query.get("reemploi_error"):
            return "refused", query["reemploi_error"][0]
    return "error", response_gist(response)


def response_gist(response):
    """An unexpected answer in one line, for a test's message."""
    return (
        f"HTTP {response.status_code} {response.headers.get('Location', '')} "
        + " ".join(response.text[:200].split())
    )
