"""The input boundary of HTTP (services/http_input.py), without a server."""

from odoo.tests import BaseCase, tagged

from ..services import http_input
from ..services.http_input import InputRefused


@tagged("post_install", "-at_install")
class TestHttpInput(BaseCase):
    def assertRefused(self, reason, func, *args):
        with self.assertRaises(InputRefused) as refused:
            func(*args)
        self.assertEqual(refused.exception.reason, reason)
        return refused.exception

    def test_text(self):
        self.assertEqual(
            http_input.check_text("Bâtiment A — 2ᵉ étage"), "Bâtiment A — 2ᵉ étage"
        )
        self.assertRefused("nul", http_input.check_text, "a\x00b")
        self.assertRefused("surrogate", http_input.check_text, "a\ud800")
        self.assertRefused("too_long", http_input.check_text, "x" * 11, "q", 10)

    def test_json(self):
        document = {"devices": [{"serial": "5CG1", "ram_gb": 16, "weight": 1.5}]}
        self.assertEqual(
            http_input.parse_json(
                b'{"devices": [{"serial": "5CG1", "ram_gb": 16, "weight": 1.5}]}'
            ),
            document,
        )
        error = self.assertRefused(
            "nul", http_input.parse_json, b'{"devices": [{"serial": "a\\u0000"}]}'
        )
        self.assertEqual(error.where, "body.devices[0].serial")
        self.assertRefused("surrogate", http_input.parse_json, b'{"a": "\\ud800"}')
        self.assertRefused("surrogate", http_input.parse_json, b'{"\\udfff": 1}')
        self.assertRefused(
            "integer_range", http_input.parse_json, b'{"id": 2147483648}'
        )
        self.assertRefused(
            "integer_range", http_input.parse_json, b'{"id": -2147483649}'
        )
        self.assertEqual(
            http_input.parse_json(b'{"id": 2147483647}'), {"id": 2147483647}
        )
        self.assertRefused("number", http_input.parse_json, b'{"x": NaN}')
        self.assertRefused("number", http_input.parse_json, b'{"x": -Infinity}')
        self.assertRefused("number", http_input.parse_json, b'{"x": 1e999}')
        self.assertRefused("depth", http_input.parse_json, b"[" * 40 + b"]" * 40)
        self.assertRefused(
            "depth", http_input.parse_json, b"[" * 100000 + b"]" * 100000
        )
        self.assertRefused("json", http_input.parse_json, b'{"a": ')
        self.assertRefused("json", http_input.parse_json, b"\xff\xfe")

    def test_ids(self):
        self.assertEqual(http_input.parse_id("42"), 42)
        self.assertEqual(http_input.parse_id(" 7 "), 7)
        for text in (
            "²",
            "٣",
            "1e3",
            "-1",
            "",
            None,
            "99999999999",
            "2147483648",
            "4 2",
        ):
            self.assertIsNone(http_input.parse_id(text), text)
        self.assertEqual(http_input.parse_id("2147483647"), 2147483647)

    def test_route_args_and_params(self):
        http_input.check_route_args({"lot_id": 12, "token": "abc", "flag": True})
        error = self.assertRefused(
            "integer_range", http_input.check_route_args, {"lot_id": 10**20}
        )
        self.assertEqual(error.where, "lot_id")
        self.assertRefused("nul", http_input.check_route_args, {"token": "a\x00"})

        class Record:
            """What a <model(...)> converter gives: a recordset's ids."""

            def __init__(self, *ids):
                self._ids = ids

        http_input.check_route_args({"category": Record(3)})
        for ids in ((), (0,), (-4,), (10**20,)):
            error = self.assertRefused(
                "integer_range", http_input.check_route_args, {"category": Record(*ids)}
            )
            self.assertEqual(error.where, "category")
        http_input.check_params([("page", "2"), ("search", 'écran 24"')])
        self.assertRefused("nul", http_input.check_params, [("search", "\x00")])
        self.assertRefused("nul", http_input.check_params, [("a\x00", "b")])
