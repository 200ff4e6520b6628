"""The partner API over real HTTP, with real Odoo API keys."""

import json
import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..controllers.api import API_SCOPE, ReemploiApi
from ..services.openapi import BASE_PATH
from .common import MarketCase


class ApiCase(MarketCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key_donor_a = cls._key(cls.user_donor_a)
        cls.key_donor_b = cls._key(cls.user_donor_b)
        cls.key_operator_x = cls._key(cls.user_operator_x)
        cls.key_coordinator = cls._key(cls.user_coordinator)

    @classmethod
    def _key(cls, user, scope=API_SCOPE):
        return cls._api_key(user, scope, f"test {user.login}")

    def _call(self, method, path, key=None, body=None, raw=None, params=None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        data = raw
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        return self.opener.request(
            method,
            self.base_url() + BASE_PATH + path,
            data=data,
            headers=headers,
            params=params,
            timeout=30,
            allow_redirects=False,
        )

    def assertError(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text[:500])
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        error = response.json()["error"]
        self.assertEqual(error["code"], code)
        self.assertTrue(error["message"])
        return error


@tagged("post_install", "-at_install")
class TestApiAuth(ApiCase):
    def test_missing_malformed_and_bad_keys(self):
        for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}):
            response = self.opener.get(
                self.base_url() + BASE_PATH + "/devices", headers=headers, timeout=30
            )
            self.assertError(response, 401, "unauthorized")
            self.assertIn("Bearer", response.headers["WWW-Authenticate"])
        self.assertError(
            self._call("GET", "/devices", key="0" * 40), 401, "invalid_api_key"
        )
        # a key of another scope does not open the API; a global key does
        other_scope = self._key(self.user_donor_a, scope="other")
        self.assertError(
            self._call("GET", "/devices", key=other_scope), 401, "invalid_api_key"
        )
        global_key = self._key(self.user_donor_a, scope=None)
        self.assertEqual(self._call("GET", "/devices", key=global_key).status_code, 200)
        # a revoked key
        self.env["res.users.apikeys"].search(
            [("user_id", "=", self.user_donor_a.id), ("scope", "=", None)]
        ).sudo()._remove()
        self.assertError(
            self._call("GET", "/devices", key=global_key), 401, "invalid_api_key"
        )

    def test_browser_session_does_not_authenticate(self):
        self.user_donor_a.password = "donor_a"
        self.authenticate("donor_a", "donor_a")
        self.assertError(self._call("GET", "/devices"), 401, "unauthorized")

    def test_unknown_path_and_method(self):
        self.assertError(
            self._call("GET", "/nothing", key=self.key_donor_a), 404, "unknown_path"
        )
        response = self._call("DELETE", "/devices", key=self.key_donor_a)
        self.assertError(response, 405, "method_not_allowed")
        self.assertEqual(response.headers["Allow"], "GET, POST")

    def test_rate_limited_per_key(self):
        self.env["ir.config_parameter"].set_param("reemploi_market.api_rate_burst", "2")
        self.env["ir.config_parameter"].set_param("reemploi_market.api_rate_limit", "1")
        key = self._key(self.user_donor_a)
        for remaining in ("1", "0"):
            response = self._call("GET", "/devices", key=key)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.headers["X-RateLimit-Remaining"], remaining)
        response = self._call("GET", "/devices", key=key)
        self.assertError(response, 429, "rate_limited")
        self.assertGreaterEqual(int(response.headers["Retry-After"]), 50)
        # another key of the same user has its own bucket
        self.assertEqual(
            self._call("GET", "/devices", key=self.key_donor_a).status_code, 200
        )


@tagged("post_install", "-at_install")
class TestApiDevices(ApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device_a = cls._device("API-A-1", company=cls.company_x)
        cls.device_a2 = cls._device("API-A-2", category=cls.monitor)
        cls.device_b = cls._device("API-B-1", owner=cls.donor_b, company=cls.company_y)

    def test_list_and_filters(self):
        response = self._call("GET", "/devices", key=self.key_donor_a)
        self.assertEqual(response.status_code, 200)
        page = response.json()
        self.assertEqual(page["count"], 2)
        self.assertEqual(
            {item["serial"] for item in page["items"]}, {"API-A-1", "API-A-2"}
        )
        item = next(i for i in page["items"] if i["serial"] == "API-A-1")
        self.assertEqual(item["category"], "laptop")
        self.assertEqual(item["owner"], {"id": self.donor_a.id, "name": "Donateur A"})
        self.assertEqual(item["operator"]["id"], self.company_x.id)
        self.assertEqual(item["state"], "in_use")
        # filters and paging
        page = self._call(
            "GET", "/devices", key=self.key_donor_a, params={"category": "monitor"}
        ).json()
        self.assertEqual([i["id"] for i in page["items"]], [self.device_a2.id])
        page = self._call(
            "GET", "/devices", key=self.key_donor_a, params={"serial": "api a 1"}
        ).json()
        self.assertEqual([i["id"] for i in page["items"]], [self.device_a.id])
        page = self._call(
            "GET", "/devices", key=self.key_donor_a, params={"limit": 1, "offset": 1}
        ).json()
        self.assertEqual((len(page["items"]), page["count"]), (1, 2))
        self.assertError(
            self._call("GET", "/devices", key=self.key_donor_a, params={"limit": 0}),
            400,
            "invalid_parameter",
        )
        self.assertError(
            self._call(
                "GET", "/devices", key=self.key_donor_a, params={"state": "lost"}
            ),
            400,
            "invalid_parameter",
        )
        # the operator sees its company's devices, of any donor
        page = self._call("GET", "/devices", key=self.key_operator_x).json()
        self.assertEqual([i["id"] for i in page["items"]], [self.device_a.id])

    def test_one_device_by_id_or_token_without_leaks(self):
        for ref in (str(self.device_a.id), self.device_a.qr_token):
            response = self._call("GET", f"/devices/{ref}", key=self.key_donor_a)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["id"], self.device_a.id)
        # donor B's device is "not found", exactly like a device that never existed
        for ref in (str(self.device_a.id), self.device_a.qr_token):
            error = self.assertError(
                self._call("GET", f"/devices/{ref}", key=self.key_donor_b),
                404,
                "not_found",
            )
        missing = self.assertError(
            self._call("GET", "/devices/999999999", key=self.key_donor_b),
            404,
            "not_found",
        )
        self.assertEqual(error, missing)

    def test_upsert_batch_with_a_bad_row_then_again(self):
        batch = {
            "devices": [
                {
                    "source_ref": "PC-1",
                    "serial": "NEW-1",
                    "category": "laptop",
                    "manufacturer": "Lenovo",
                    "ram_gb": 16,
                    "purchase_date": "2021-05-03",
                },
                {"source_ref": "PC-2", "serial": "NEW-2", "category": "spaceship"},
                {
                    "source_ref": "PC-3",
                    "serial": "NEW-3",
                    "category": "monitor",
                    "state": "to_decommission",
                    "site": "Mairie annexe",
                },
            ]
        }
        response = self._call("POST", "/devices", key=self.key_donor_a, body=batch)
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()
        self.assertEqual(
            (result["created"], result["updated"], result["unchanged"]), (2, 0, 0)
        )
        self.assertEqual([row["index"] for row in result["rejected"]], [1])
        self.assertIn("spaceship", result["rejected"][0]["message"])
        devices = self.Equipment.search([("serial", "in", ["NEW-1", "NEW-2", "NEW-3"])])
        self.assertEqual(sorted(devices.mapped("serial")), ["NEW-1", "NEW-3"])
        self.assertEqual(devices.owner_id, self.donor_a)
        new_1 = devices.filtered(lambda d: d.serial == "NEW-1")
        self.assertEqual((new_1.ram_gb, new_1.source_ref), (16.0, "PC-1"))
        self.assertEqual(new_1.purchase_date, fields.Date.to_date("2021-05-03"))
        new_3 = devices - new_1
        self.assertEqual(new_3.state, "to_decommission")
        self.assertEqual(new_3.site_id.name, "Mairie annexe")
        self.assertEqual(new_3.site_id.parent_id, self.donor_a)
        # the same batch again changes nothing
        result = self._call("POST", "/devices", key=self.key_donor_a, body=batch).json()
        self.assertEqual(
            (result["created"], result["updated"], result["unchanged"]), (0, 0, 2)
        )
        self.assertEqual(
            self.Equipment.search_count([("serial", "in", ["NEW-1", "NEW-3"])]), 2
        )
        # then an update of one device
        batch["devices"][0]["ram_gb"] = 32
        result = self._call("POST", "/devices", key=self.key_donor_a, body=batch).json()
        self.assertEqual(
            (result["created"], result["updated"], result["unchanged"]), (0, 1, 1)
        )
        self.assertEqual(new_1.ram_gb, 32.0)
        # the runs are the donor's, through the usual import engine
        runs = (
            self.env["reemploi.import.run"]
            .with_user(self.user_donor_a)
            .search([("id", "=", result["run_id"])])
        )
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs.sudo().source_id.kind, "api")

    def test_malformed_batch_imports_nothing(self):
        response = self._call(
            "POST",
            "/devices",
            key=self.key_donor_a,
            body={
                "devices": [
                    {"serial": "OK-1", "category": "laptop"},
                    {"serial": 5, "colour": "red"},
                ]
            },
        )
        error = self.assertError(response, 400, "validation_error")
        self.assertEqual(
            {(d["index"], d["field"]) for d in error["details"]},
            {(1, "serial"), (1, "colour")},
        )
        self.assertFalse(self.Equipment.search([("serial", "=", "OK-1")]))
        self.assertError(
            self._call("POST", "/devices", key=self.key_donor_a, raw=b"{not json"),
            400,
            "invalid_json",
        )
        self.assertError(
            self._call("POST", "/devices", key=self.key_donor_a, body={"devices": []}),
            400,
            "validation_error",
        )

    def test_body_too_large(self):
        self.env["ir.config_parameter"].set_param(
            "reemploi_market.api_max_body_bytes", "200"
        )
        devices = [{"serial": f"BIG-{n}", "category": "laptop"} for n in range(20)]
        response = self._call(
            "POST", "/devices", key=self.key_donor_a, body={"devices": devices}
        )
        self.assertError(response, 413, "body_too_large")
        self.assertFalse(self.Equipment.search([("serial", "=like", "BIG-%")]))

    def test_who_registers_for_whom(self):
        device = {"serial": "WHO-1", "category": "laptop"}
        # a donor for its own organisation only
        self.assertError(
            self._call(
                "POST",
                "/devices",
                key=self.key_donor_a,
                body={"devices": [device], "owner_id": self.donor_b.id},
            ),
            403,
            "forbidden",
        )
        # an operator does not register donors' devices
        self.assertError(
            self._call(
                "POST", "/devices", key=self.key_operator_x, body={"devices": [device]}
            ),
            403,
            "forbidden",
        )
        # a coordinator names the donor
        response = self._call(
            "POST",
            "/devices",
            key=self.key_coordinator,
            body={"devices": [device], "owner_id": self.donor_b.id},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            self.Equipment.search([("serial", "=", "WHO-1")]).owner_id, self.donor_b
        )
        self.assertFalse(self.Equipment.search([("serial", "=", "OK-1")]))


@tagged("post_install", "-at_install")
class TestApiLots(ApiCase):
    def test_declare_read_and_isolation(self):
        device = self._device("LOT-API-1")
        device.action_to_decommission()
        today = fields.Date.today()
        body = {
            "date_from": fields.Date.to_string(today + timedelta(days=2)),
            "date_to": fields.Date.to_string(today + timedelta(days=30)),
            "pickup_address": "1 rue du Lac\n38000 Grenoble",
            "contact_name": "Jeanne Accueil",
            "contact_phone": "04 76 00 00 00",
            "devices": [device.qr_token],
            "quantities": [{"category": "monitor", "quantity": 3}],
        }
        response = self._call("POST", "/lots", key=self.key_donor_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        lot_json = response.json()
        self.assertEqual(lot_json["state"], "declared")
        self.assertEqual(lot_json["device_count"], 4)
        self.assertEqual(lot_json["donor"]["id"], self.donor_a.id)
        self.assertEqual(device.state, "declared")
        # read back; donor B does not see it
        response = self._call("GET", f"/lots/{lot_json['id']}", key=self.key_donor_a)
        self.assertEqual(response.json()["name"], lot_json["name"])
        self.assertError(
            self._call("GET", f"/lots/{lot_json['id']}", key=self.key_donor_b),
            404,
            "not_found",
        )
        page = self._call(
            "GET", "/lots", key=self.key_donor_a, params={"state": "declared"}
        ).json()
        self.assertEqual([lot["id"] for lot in page["items"]], [lot_json["id"]])
        self.assertEqual(
            self._call("GET", "/lots", key=self.key_donor_b).json()["count"], 0
        )

    def test_invalid_lots(self):
        device_b = self._device("LOT-API-B", owner=self.donor_b)
        device_b.action_to_decommission()
        today = fields.Date.today()
        # another donor's device is unknown; bad dates and fields are named
        error = self.assertError(
            self._call(
                "POST",
                "/lots",
                key=self.key_donor_a,
                body={
                    "date_from": "soon",
                    "date_to": "2030-01-01",
                    "devices": [device_b.id],
                    "state": "matched",
                },
            ),
            400,
            "validation_error",
        )
        self.assertEqual(
            {d["field"] for d in error["details"]}, {"date_from", "devices", "state"}
        )
        # a well-formed lot the workflow refuses (nothing in it)
        response = self._call(
            "POST",
            "/lots",
            key=self.key_donor_a,
            body={
                "date_from": fields.Date.to_string(today + timedelta(days=1)),
                "date_to": fields.Date.to_string(today + timedelta(days=9)),
            },
        )
        self.assertError(response, 422, "unprocessable")
        # and rolled back: no draft left behind
        self.assertFalse(self.Lot.search([("partner_id", "=", self.donor_a.id)]))
        self.assertEqual(device_b.state, "to_decommission")


@tagged("post_install", "-at_install")
class TestApiOpenApi(ApiCase):
    def test_every_route_is_described(self):
        response = self._call("GET", "/openapi.json")
        self.assertEqual(response.status_code, 200)
        spec = response.json()
        self.assertEqual(spec["openapi"], "3.1.0")
        self.assertTrue(spec["servers"][0]["url"].endswith(BASE_PATH))
        described = {
            (path, method.upper())
            for path, operations in spec["paths"].items()
            for method in operations
        }
        # the routes of the controller, and the methods each accepts (the
        # API answers 405 before it asks for a key)
        routes = set()
        for method in vars(ReemploiApi).values():
            routing = getattr(method, "original_routing", None)
            if not routing or method.__name__ == "unknown":
                continue
            for route in routing["routes"]:
                path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route[len(BASE_PATH) :])
                probe = re.sub(r"{\w+}", "1", path)
                for verb in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    if self._call(verb, probe).status_code != 405:
                        routes.add((path, verb))
        self.assertEqual(len(routes), 7)
        self.assertEqual(routes, described)
        # every operation says what it answers, errors included
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                with self.subTest(path=path, method=method):
                    self.assertIn(
                        "200" if method == "get" else "2",
                        "".join(operation["responses"]),
                    )
                    if operation.get("security") != []:
                        self.assertIn("401", operation["responses"])
                        self.assertIn("429", operation["responses"])
        # every $ref points at a schema
        text = json.dumps(spec)
        for ref in set(re.findall(r'"#/components/schemas/(\w+)"', text)):
            self.assertIn(ref, spec["components"]["schemas"])
