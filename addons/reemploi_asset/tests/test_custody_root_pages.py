"""The published custody roots on the website, their feeds, the proofs on
the public page and the reports, and the README's way to check a proof."""

import re
import xmlrpc.client
from pathlib import Path

from freezegun import freeze_time
from lxml import etree

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, tagged

from .test_custody_root import DAY_1, DAY_2, CustodyRootCase, independent_verify
from .test_integrity_rpc import RpcMixin

ATOM = "{http://www.w3.org/2005/Atom}"
# the block of README.md that a donor copies to check a printed proof
README_MARKER = (
    "<!-- verifier-preuve: reemploi_asset/tests/test_custody_root_pages.py -->"
)


def readme_snippet():
    """The Python block that follows README_MARKER in the repository's
    README.md."""
    readme = Path(get_module_path("reemploi_asset")).parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index(README_MARKER)
    match = re.compile(r"```python\n(.*?)```", re.S).search(text, start)
    return match.group(1)


@tagged("post_install", "-at_install")
class TestCustodyRootPages(CustodyRootCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls._publish(DAY_1)
        cls.device.action_mark_missing()
        cls.root = cls._publish(DAY_2)
        cls.newcomer = cls._device("SER-ROOT-NEW")

    def test_roots_page(self):
        response = self.url_open("/tracabilite/racines")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("Published custody roots", page)
        for root in (self.root, self.first):
            self.assertIn(root.root, page)
        self.assertLess(page.index(self.root.root), page.index(self.first.root))
        self.assertIn("2031-05-02", page)
        self.assertIn('href="/tracabilite/racines.json"', page)
        self.assertIn('href="/tracabilite/racines.atom"', page)
        self.assertEqual(self.url_open("/tracabilite/racines/page/2").status_code, 200)
        self.assertEqual(
            self.url_open("/tracabilite/racines/page/99999999999").status_code, 404
        )
        self.assertEqual(self.url_open("/tracabilite/racines?x=%00").status_code, 400)

    def test_lookup_page_links_to_the_roots(self):
        page = self.url_open("/tracabilite").text
        self.assertIn('href="/tracabilite/racines"', page)

    def test_json_feed(self):
        response = self.url_open("/tracabilite/racines.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Type"], "application/json; charset=utf-8"
        )
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")
        feed = response.json()
        self.assertEqual(feed["algorithm"], "reemploi-merkle-sha256-v1")
        self.assertEqual(
            [(r["date"], r["root"], r["leaf_count"]) for r in feed["roots"]],
            [
                ("2031-05-02", self.root.root, self.root.leaf_count),
                ("2031-05-01", self.first.root, self.first.leaf_count),
            ],
        )
        one = self.url_open("/tracabilite/racines.json?date=2031-05-01").json()
        self.assertEqual([r["root"] for r in one["roots"]], [self.first.root])

    def test_json_feed_bad_dates(self):
        for query, status in (
            ("date=2031-05-03", 404),
            ("date=2031-02-30", 400),
            ("date=01/05/2031", 400),
            ("date=2031-05-01x", 400),
            ("date=", 400),
            ("date=%00", 400),
            ("date=" + "9" * 300, 400),
        ):
            with self.subTest(query=query[:30]):
                response = self.url_open(f"/tracabilite/racines.json?{query}")
                self.assertEqual(response.status_code, status)

    def test_atom_feed(self):
        response = self.url_open("/tracabilite/racines.atom")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            response.headers["Content-Type"].startswith("application/atom+xml")
        )
        feed = etree.fromstring(response.content)
        self.assertEqual(feed.tag, f"{ATOM}feed")
        entries = feed.findall(f"{ATOM}entry")
        self.assertEqual(
            [entry.findtext(f"{ATOM}title") for entry in entries],
            ["2031-05-02", "2031-05-01"],
        )
        self.assertIn(self.root.root, entries[0].findtext(f"{ATOM}content"))
        self.assertTrue(entries[0].findtext(f"{ATOM}id").endswith("date=2031-05-02"))

    def test_device_proof_json(self):
        response = self.url_open(f"/r/{self.device.qr_token}/preuve.json")
        self.assertEqual(response.status_code, 200)
        proof = response.json()
        self.assertEqual(proof["date"], "2031-05-02")
        self.assertEqual(proof["root"], self.root.root)
        self.assertEqual(proof["token"], self.device.qr_token)
        self.assertEqual(
            proof["event_hash"],
            self.device.custody_event_ids.sorted("sequence")[-1].hash,
        )
        self.assertTrue(independent_verify(proof))
        # no root holds the newcomer yet; unknown codes are not found
        for token in (self.newcomer.qr_token, "x" * 32, "short"):
            with self.subTest(token=token):
                self.assertEqual(
                    self.url_open(f"/r/{token}/preuve.json").status_code, 404
                )

    def test_device_page_shows_its_proof_and_hashes(self):
        page = self.url_open(f"/r/{self.device.qr_token}").text
        proof = self.Root._latest_proofs(self.device)[self.device.id]
        self.assertIn("Traceability proof", page)
        self.assertIn(self.root.root, page)
        self.assertIn(proof["leaf"], page)
        for step in proof["path"]:
            self.assertIn(step["hash"], page)
        for event in self.device.custody_event_ids:
            self.assertIn(event.hash, page)
        page = self.url_open(f"/r/{self.newcomer.qr_token}").text
        self.assertIn("not in a published custody root yet", page)

    def test_certificate_prints_the_proof(self):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "reemploi_asset.action_report_erasure_certificate",
            (self.device | self.newcomer).ids,
        )
        html = html.decode()
        proof = self.Root._latest_proofs(self.device)[self.device.id]
        for text in (
            "Traceability proof",
            "2031-05-02",
            self.root.root,
            proof["token"],
            proof["event_hash"],
            proof["leaf"],
        ):
            self.assertIn(text, html)
        for step in proof["path"]:
            self.assertIn(step["hash"], html)
        self.assertIn("not in a published custody root yet", html)

    def _readme_verifier(self):
        """The README's ``verifier()``; it reads this server's feed with
        urllib, so what this transaction wrote is flushed first (as
        url_open does)."""
        namespace = {}
        exec(readme_snippet(), namespace)  # the README's own code
        verifier = namespace["verifier"]

        def verify(*args):
            self.cr.flush()
            self.cr.clear()
            return verifier(*args)

        return verify

    def test_readme_snippet_checks_a_printed_proof(self):
        """The README's lines of Python, run as a donor would, against this
        server's feed."""
        verify = self._readme_verifier()
        proof = self.Root._latest_proofs(self.other)[self.other.id]
        french = {"left": "gauche", "right": "droite"}
        steps = [(french[step["side"]], step["hash"]) for step in proof["path"]]
        feed = f"{self.base_url()}/tracabilite/racines.json"
        self.assertTrue(
            verify(proof["token"], proof["event_hash"], "2031-05-02", steps, feed)
        )
        # the same proof against the day before, a changed hash, a changed
        # step: refused
        self.assertFalse(
            verify(proof["token"], proof["event_hash"], "2031-05-01", steps, feed)
        )
        head = self.other.custody_event_ids.sorted("sequence")[-2].hash
        self.assertFalse(verify(proof["token"], head, "2031-05-02", steps, feed))
        forged = [(steps[0][0], "00" * 32)] + steps[1:]
        self.assertFalse(
            verify(proof["token"], proof["event_hash"], "2031-05-02", forged, feed)
        )

    def test_readme_snippet_detects_a_rewritten_history(self):
        """A donor keeps the proof of the first root; the history is then
        rewritten and the roots published since: the old proof still leads
        to the old root, and the device's page no longer shows its hash."""
        verify = self._readme_verifier()
        kept = self.first._proofs(self.third)[self.third.id]
        steps = [(step["side"], step["hash"]) for step in kept["path"]]
        self._rewrite_chain(self.third, 1, "Enregistré ailleurs")
        with freeze_time("2031-05-03"):
            self.Root._publish()
        feed = f"{self.base_url()}/tracabilite/racines.json"
        self.assertTrue(
            verify(kept["token"], kept["event_hash"], "2031-05-01", steps, feed)
        )
        page = self.url_open(f"/r/{self.third.qr_token}").text
        self.assertNotIn(kept["event_hash"], page)
        current = self.url_open(f"/r/{self.third.qr_token}/preuve.json").json()
        self.assertEqual(current["date"], "2031-05-03")
        self.assertEqual(current["sequence"], kept["sequence"])
        self.assertNotEqual(current["event_hash"], kept["event_hash"])


@tagged("post_install", "-at_install")
class TestCustodyRootRpc(CustodyRootCase, HttpCase, RpcMixin):
    """Nobody creates, changes or deletes a root over RPC, whatever the role;
    every role reads them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = cls._publish(DAY_1)
        cls.values = {
            "date": "2031-05-02",
            "root": "ab" * 32,
            "leaf_count": 1,
            "algorithm": "reemploi-merkle-sha256-v1",
        }

    def _attempts(self, call):
        context = {"reemploi_custody_root_write": True}
        return {
            "create": call("create", [self.values], {"context": context}),
            "write": call("write", [self.root.ids, {"root": "cd" * 32}]),
            "unlink": call("unlink", [self.root.ids]),
            "publish": call("_publish", []),
            "read": call("read", [self.root.ids, ["date", "root"]]),
        }

    def _assert_untouched(self):
        self.Root.invalidate_model()
        self.assertEqual(self.Root.search([]), self.root)
        self.assertEqual(self.root.date, DAY_1)

    def test_json_rpc_as_each_role(self):
        for login in ("admin", "coordinator", "op_x", "donor_a"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                answers = self._attempts(
                    lambda method, args, kwargs=None: self._call_kw(
                        "reemploi.custody.root", method, args, kwargs
                    )
                )
                for method in ("create", "write", "unlink", "publish"):
                    self.assertIn("error", answers[method], method)
                self.assertEqual(answers["read"]["result"][0]["root"], self.root.root)
                self._assert_untouched()

    def test_xml_rpc_as_each_role(self):
        for user in (self.user_coordinator, self.user_operator_x, self.user_donor_a):
            with self.subTest(login=user.login):

                def call(method, args, kwargs=None, user=user):
                    try:
                        return {
                            "result": self._execute_kw(
                                user, "reemploi.custody.root", method, args, kwargs
                            )
                        }
                    except xmlrpc.client.Fault as fault:
                        return {"error": fault.faultString}

                answers = self._attempts(call)
                for method in ("create", "write", "unlink", "publish"):
                    self.assertIn("error", answers[method], method)
                self.assertEqual(answers["read"]["result"][0]["root"], self.root.root)
                self._assert_untouched()

    def test_publish_button_is_the_coordinators(self):
        self.authenticate("op_x", "op_x")
        answer = self._call_kw("reemploi.custody.root", "action_publish", [[]])
        self.assertIn("error", answer)
        self.authenticate("coordinator", "coordinator")
        with freeze_time(DAY_2):
            answer = self._call_kw("reemploi.custody.root", "action_publish", [[]])
        self.assertIn("result", answer)
        self.assertEqual(self.Root.search([]).mapped("date"), [DAY_2, DAY_1])
