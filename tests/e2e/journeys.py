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
import secrets

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
