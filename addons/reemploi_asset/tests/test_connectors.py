"""Connectors against real local HTTP servers (``fake_servers``): paging,
incremental syncs, credentials, retries, and failures that must abort the
whole sync. No database access."""

import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import requests

from odoo.tests import BaseCase, tagged
from odoo.tests.common import BlockedRequest, _super_send

from ..services.connectors import glpi, glpi_hl, ocs, snipeit
from ..services.connectors.base import AuthError, ConnectorError, Page
from .fake_servers import FakeGlpi, FakeGlpiHl, FakeOcsRest, FakeOcsSoap, FakeSnipeIt

FAST = {"timeout": 2.0, "retries": 2, "backoff": 0.01}


class ConnectorCase(BaseCase):
    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        """Loopback only, as in any Odoo test, but with the connector's own
        timeout: Odoo raises short ones to 10 s, the timeout tests need
        theirs."""
        if urlsplit(request.url).hostname != "127.0.0.1":
            raise BlockedRequest(f"External requests verboten (was {request.url})")
        return _super_send(session, request, **kwargs)

    def serve(self, server):
        server.start()
        self.addCleanup(server.stop)
        return server

    def assertFailsWhole(self, connector, retryable, *fragments):
        """fetch() raises (so no Page reaches the caller) a ConnectorError
        with ``retryable`` and the message fragments."""
        with self.assertRaises(ConnectorError) as caught:
            connector.fetch()
        self.assertIs(caught.exception.retryable, retryable)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        return caught.exception


# the same device through both GLPI APIs (FakeGlpi and FakeGlpiHl share
# their park)
GLPI_COMPUTER_7 = {
    "ID": "Computer/7",
    "Nom": "Poste R&D <labo>",
    "Statut": "En stock",
    "Fabricant": "HP",
    "Type": "Portable",
    "Modèle": "EliteDesk 800 G4",
    "Numéro de série": "PCSN000007",
    "Numéro d'inventaire": "INV-PC-00007",
    "Lieu": "Siège > Bureau 2",
    "Date d'achat": "",
    "date_mod": "2024-01-10 18:23:00",
}


class GlpiCases:
    """What both GLPI connectors must do alike. A test class sets
    ``self.glpi`` (its fake server) and ``self.list_path`` (the listing of
    computers), and says how its API went with ``assertIncrementalRequests``,
    ``assertNothingFetched`` and ``assertAbortedCleanly``."""

    def list_hits(self):
        return sum(1 for r in self.glpi.requests if r.path == self.list_path)

    def test_incremental_fetch(self):
        self.glpi.touch("Computer", [5, 130], "2024-03-01 10:00:00")
        self.glpi.touch("Monitor", [3], "2024-03-01 09:30:00")
        # modified in the very second of the cursor: fetched again
        self.glpi.touch("Phone", [2], "2024-02-01 00:00:00")
        page = self.connector(cursor="2024-02-01 00:00:00").fetch()
        self.assertEqual(
            [row["ID"] for row in page.rows],
            ["Computer/5", "Computer/130", "Monitor/3", "Phone/2"],
        )
        self.assertEqual(page.rows[0]["Fabricant"], "LENOVO")
        self.assertEqual(page.rows[0]["date_mod"], "2024-03-01 10:00:00")
        self.assertEqual(page.cursor, "2024-03-01 10:00:00")
        self.assertIncrementalRequests()

    def test_incremental_nothing_changed_keeps_cursor(self):
        page = self.connector(cursor="2024-06-01 00:00:00").fetch()
        self.assertEqual(page.rows, [])
        self.assertEqual(page.cursor, "2024-06-01 00:00:00")
        self.assertNothingFetched()

    def test_transient_error_is_retried(self):
        self.glpi.inject("error", path=self.list_path, page=1, times=1)
        page = self.connector(page_size=100).fetch()
        self.assertEqual(len(page.rows), 292)
        self.assertEqual(self.list_hits(), 4)  # 3 pages + 1 retry

    def test_connection_lost_mid_sync_fails_whole(self):
        self.glpi.inject("disconnect", path=self.list_path, page=1)
        self.assertFailsWhole(
            self.connector(page_size=100), True, f"GET {self.list_path}", "3 attempt(s)"
        )
        self.assertEqual(self.list_hits(), 1 + 3)
        self.assertAbortedCleanly()

    def test_malformed_answer(self):
        self.glpi.inject("malformed", path=self.list_path, page=0)
        self.assertFailsWhole(
            self.connector(), False, f"GET {self.list_path}", "not JSON"
        )
        self.assertEqual(self.list_hits(), 1)  # not retried


@tagged("at_install", "reemploi_unit")
class TestConnectorGlpi(GlpiCases, ConnectorCase):
    def setUp(self):
        super().setUp()
        self.glpi = self.serve(FakeGlpi(count=250, monitors=30, phones=12))
        self.list_path = f"{FakeGlpi.prefix}/Computer"

    def connector(self, server=None, **kwargs):
        server = server or self.glpi
        return glpi.GlpiConnector(
            server.url,
            kwargs.pop("app_token", server.app_token),
            kwargs.pop("user_token", server.user_token),
            **{**FAST, **kwargs},
        )

    def assertIncrementalRequests(self):
        # ids from the search engine (date_mod > cursor - 1 s), no full listing
        self.assertEqual(self.list_hits(), 0)
        search = next(
            r for r in self.glpi.requests if r.path.endswith("search/Computer")
        )
        self.assertEqual(search.param("criteria[0][field]"), "19")
        self.assertEqual(search.param("criteria[0][searchtype]"), "morethan")
        self.assertEqual(search.param("criteria[0][value]"), "2024-01-31 23:59:59")
        self.assertEqual(self.glpi.hits("/getMultipleItems"), 3)
        self.assertEqual(len(self.glpi.killed), 1)

    def assertNothingFetched(self):
        self.assertEqual(self.glpi.hits("/getMultipleItems"), 0)

    def assertAbortedCleanly(self):
        self.assertEqual(len(self.glpi.killed), 1)  # the session was closed

    def test_full_fetch_over_pages(self):
        page = self.connector(page_size=100).fetch()
        self.assertIsInstance(page, Page)
        self.assertEqual(page.header, glpi.GlpiConnector.header)
        # 250 computers + 30 monitors + 12 phones; no template, no trashed item
        self.assertEqual(len(page.rows), 292)
        rows = {row["ID"]: row for row in page.rows}
        self.assertEqual(len(rows), 292)
        self.assertNotIn("Computer/251", rows)
        self.assertNotIn("Computer/252", rows)
        self.assertEqual(rows["Computer/7"], GLPI_COMPUTER_7)
        # purchase date from the Infocom listing; no type nor location
        self.assertEqual(rows["Computer/12"]["Date d'achat"], "2019-02-06")
        self.assertEqual(rows["Computer/3"]["Type"], "Ordinateur")
        self.assertEqual(rows["Computer/3"]["Lieu"], "")
        self.assertEqual(
            rows["Monitor/2"],
            {
                "ID": "Monitor/2",
                "Nom": "ECR-0002",
                "Statut": "Don",
                "Fabricant": "LENOVO",
                "Type": "Moniteur",
                "Modèle": "P2419H",
                "Numéro de série": "ECRSN000002",
                "Numéro d'inventaire": "INV-ECR-00002",
                "Lieu": "Entrepôt",
                "Date d'achat": "",
                "date_mod": "2024-01-10 10:58:00",
            },
        )
        self.assertEqual(rows["Phone/3"]["Type"], "Smartphone")
        self.assertEqual(rows["Phone/4"]["Type"], "Téléphone")
        self.assertEqual(page.cursor, "2024-01-11 00:36:00")
        # 251 listed computers (template included) in pages of 100
        self.assertEqual(self.list_hits(), 3)
        ranges = [
            r.param("range") for r in self.glpi.requests if r.path == self.list_path
        ]
        self.assertEqual(ranges, ["0-99", "100-199", "200-299"])
        first = next(r for r in self.glpi.requests if r.path == self.list_path)
        self.assertEqual(first.param("expand_dropdowns"), "true")
        self.assertEqual(first.param("sort"), "id")
        self.assertEqual(first.headers["App-Token"], self.glpi.app_token)
        self.assertEqual(self.glpi.hits("/initSession"), 1)
        self.assertEqual(len(self.glpi.killed), 1)
        self.assertFalse(self.glpi.sessions)

    def test_wrong_user_token(self):
        error = self.assertFailsWhole(
            self.connector(user_token="stolen"),
            False,
            "ERROR_GLPI_LOGIN_USER_TOKEN",
            "check the user token",
        )
        self.assertIsInstance(error, AuthError)
        self.assertNotIn("stolen", str(error))
        self.assertEqual(self.glpi.killed, [])  # no session was opened
        self.assertEqual(self.glpi.hits("/killSession"), 0)

    def test_wrong_or_missing_app_token(self):
        error = self.assertFailsWhole(
            self.connector(app_token="nope"), False, "refused the app token"
        )
        self.assertIsInstance(error, AuthError)
        self.assertEqual(error.code, "ERROR_WRONG_APP_TOKEN_PARAMETER")
        with self.assertRaises(AuthError) as caught:
            self.connector(app_token=None).fetch()
        self.assertEqual(caught.exception.code, "ERROR_APP_TOKEN_PARAMETERS_MISSING")

    def test_missing_right_still_kills_session(self):
        server = self.serve(FakeGlpi(count=20, rights=("Computer", "Infocom")))
        with self.assertRaises(AuthError) as caught:
            self.connector(server).fetch()
        self.assertEqual(caught.exception.code, "ERROR_RIGHT_MISSING")
        self.assertIn("GET /glpi/apirest.php/Monitor", str(caught.exception))
        self.assertEqual(len(server.killed), 1)
        self.assertFalse(server.sessions)

    def test_no_infocom_right_means_no_purchase_date(self):
        server = self.serve(FakeGlpi(count=20, rights=("Computer", "Monitor", "Phone")))
        page = self.connector(server).fetch()
        self.assertEqual(len(page.rows), 62)
        self.assertEqual({row["Date d'achat"] for row in page.rows}, {""})

    def test_timeout(self):
        self.glpi.inject("slow", path=self.list_path, page=0, delay=1.0)
        self.assertFailsWhole(
            self.connector(timeout=0.2, retries=1),
            True,
            "did not answer GET /glpi/apirest.php/Computer within 0.2 s",
        )
        self.assertEqual(self.list_hits(), 2)
        self.assertEqual(len(self.glpi.killed), 1)


@tagged("at_install", "reemploi_unit")
class TestConnectorGlpiHl(GlpiCases, ConnectorCase):
    """GLPI 11's high-level API: OAuth2 token, Bearer calls, paging with
    Content-Range, RSQL filter on date_mod."""

    def setUp(self):
        super().setUp()
        self.glpi = self.serve(FakeGlpiHl(count=250, monitors=30, phones=12))
        self.list_path = f"{FakeGlpiHl.prefix}/v2/Assets/Computer"

    def connector(self, server=None, url=None, **kwargs):
        server = server or self.glpi
        credentials = {
            "client_id": server.client_id,
            "client_secret": server.client_secret,
            "username": server.username,
            "password": server.password,
        }
        credentials.update(
            (key, kwargs.pop(key)) for key in list(credentials) if key in kwargs
        )
        return glpi_hl.GlpiHlConnector(
            url or server.url, **credentials, **{**FAST, **kwargs}
        )

    def requests_to(self, path, server=None):
        server = server or self.glpi
        return [r for r in server.requests if r.path == path]

    def assertIncrementalRequests(self):
        # the server filters: one page per item type
        listed = self.requests_to(self.list_path)
        self.assertEqual(len(listed), 1)
        self.assertEqual(
            listed[0].param("filter"),
            'is_deleted==false;date_mod=ge="2024-02-01 00:00:00"',
        )

    def assertNothingFetched(self):
        self.assertEqual(self.glpi.hits("/Assets/"), 3)

    def assertAbortedCleanly(self):
        self.assertEqual(self.glpi.hits("/Assets/Monitor"), 0)  # stopped at once

    def test_full_fetch_over_pages(self):
        page = self.connector(page_size=100).fetch()
        self.assertEqual(page.header, glpi.GlpiConnector.header)
        # 250 computers + 30 monitors + 12 phones; the trashed one left out
        self.assertEqual(len(page.rows), 292)
        rows = {row["ID"]: row for row in page.rows}
        self.assertEqual(len(rows), 292)
        self.assertNotIn("Computer/252", rows)
        # the location's own name, not its path
        self.assertEqual(rows["Computer/7"], {**GLPI_COMPUTER_7, "Lieu": "Bureau 2"})
        # no type nor location (null dropdowns): the item type's default
        self.assertEqual(
            (rows["Computer/3"]["Type"], rows["Computer/3"]["Lieu"]), ("Ordinateur", "")
        )
        self.assertEqual(rows["Phone/3"]["Type"], "Smartphone")
        self.assertEqual(rows["Phone/4"]["Type"], "Téléphone")
        # RFC 3339 dates of the server, kept in its local time
        self.assertEqual(page.cursor, "2024-01-11 00:36:00")
        # one token (password grant), then 3 pages of computers
        token = self.requests_to(f"{FakeGlpiHl.prefix}/token")
        self.assertEqual(len(token), 1)
        form = parse_qs(token[0].body.decode())
        self.assertEqual(
            {key: value[0] for key, value in form.items()},
            {
                "grant_type": "password",
                "client_id": self.glpi.client_id,
                "client_secret": self.glpi.client_secret,
                "username": self.glpi.username,
                "password": self.glpi.password,
                "scope": "api",
            },
        )
        listed = self.requests_to(self.list_path)
        self.assertEqual([r.param("start") for r in listed], ["0", "100", "200"])
        self.assertEqual(
            {(r.param("limit"), r.param("sort"), r.param("filter")) for r in listed},
            {("100", "id:asc", "is_deleted==false")},
        )
        token_value = next(iter(self.glpi.tokens))
        self.assertEqual(listed[0].headers["Authorization"], f"Bearer {token_value}")

    def test_same_devices_as_the_legacy_api(self):
        """A source moving from apirest.php to api.php keeps its devices."""
        legacy = self.serve(FakeGlpi(count=40, monitors=5, phones=3))
        high = self.serve(FakeGlpiHl(count=40, monitors=5, phones=3))
        old = glpi.GlpiConnector(
            legacy.url, legacy.app_token, legacy.user_token
        ).fetch()
        new = self.connector(high).fetch()
        self.assertEqual(
            {(row["ID"], row["Numéro de série"], row["date_mod"]) for row in new.rows},
            {(row["ID"], row["Numéro de série"], row["date_mod"]) for row in old.rows},
        )
        self.assertEqual(new.cursor, old.cursor)

    def test_url_forms(self):
        root = self.glpi.url[: -len("/api.php")]
        for url in (
            self.glpi.url,
            self.glpi.url + "/",
            self.glpi.url + "/v2.0",
            root,
            root + "/apirest.php",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.connector(url=url).url, self.glpi.url)
        page = self.connector(
            url=self.glpi.url + "/v2.2", options={"itemtypes": ["Phone"]}
        ).fetch()
        self.assertEqual(len(page.rows), 12)
        self.assertEqual(
            len(self.requests_to(f"{FakeGlpiHl.prefix}/v2/Assets/Phone")), 1
        )

    def test_wrong_client_secret(self):
        error = self.assertFailsWhole(
            self.connector(client_secret="leaked-secret"),
            False,
            f"GLPI at {self.glpi.url}",
            "invalid_client",
            "check the client ID and client secret of the source",
        )
        self.assertIsInstance(error, AuthError)
        self.assertEqual(error.code, "invalid_client")
        self.assertNotIn("leaked-secret", str(error))
        self.assertEqual(self.glpi.hits("/Assets/"), 0)

    def test_wrong_password(self):
        error = self.assertFailsWhole(
            self.connector(password="Mot de passe 2023!"),
            False,
            "invalid_grant",
            "username or password of the API user",
        )
        self.assertIsInstance(error, AuthError)
        self.assertNotIn("2023", str(error))
        self.assertEqual(self.glpi.tokens, {})

    def test_missing_credentials_sends_nothing(self):
        with self.assertRaises(AuthError) as caught:
            self.connector(client_id=None).fetch()
        self.assertIn("no OAuth client ID or secret", str(caught.exception))
        with self.assertRaises(AuthError) as caught:
            self.connector(password="").fetch()
        self.assertIn("no password", str(caught.exception))
        self.assertEqual(self.glpi.hits(), 0)

    def test_client_credentials_grant(self):
        """GLPI 11 refuses the API to a token without a user; a server that
        accepts it gets the grant without username."""
        error = self.assertFailsWhole(
            self.connector(username=None, password=None),
            False,
            "refused the access token",
            "fill in the username and password",
        )
        self.assertIsInstance(error, AuthError)
        self.assertEqual(self.glpi.grants, ["client_credentials"] * 2)
        server = self.serve(FakeGlpiHl(count=20, client_credentials=True))
        page = self.connector(server, username=None, password=None).fetch()
        self.assertEqual(len(page.rows), 62)
        form = parse_qs(
            self.requests_to(f"{FakeGlpiHl.prefix}/token", server)[0].body.decode()
        )
        self.assertEqual(form["grant_type"], ["client_credentials"])
        self.assertNotIn("username", form)

    def test_expired_token_is_renewed_once(self):
        server = self.serve(FakeGlpiHl(count=250, token_uses=2))
        page = self.connector(server, page_size=100).fetch()
        self.assertEqual(len(page.rows), 292)
        # 5 pages, 2 per token: each refusal got a new token, and the page
        self.assertEqual(len(server.grants), 3)
        self.assertEqual(server.hits("/Assets/"), 5 + 2)

    def test_token_refused_again_fails(self):
        server = self.serve(FakeGlpiHl(count=20, token_uses=0))
        error = self.assertFailsWhole(
            self.connector(server),
            False,
            "refused the access token for GET /glpi/api.php/v2/Assets/Computer",
            "Access token has expired",
        )
        self.assertIsInstance(error, AuthError)
        self.assertEqual(len(server.grants), 2)  # one renewal, no loop
        self.assertEqual(server.hits("/Assets/"), 2)

    def test_token_renewed_before_it_expires(self):
        # a token announced for 30 s is renewed for each call (60 s margin)
        server = self.serve(FakeGlpiHl(count=20, expires_in=30))
        page = self.connector(server).fetch()
        self.assertEqual(len(page.rows), 62)
        self.assertEqual(len(server.grants), server.hits("/Assets/"))
        self.assertEqual(server.hits("/Assets/"), 3)  # none refused

    def test_missing_right(self):
        server = self.serve(FakeGlpiHl(count=20, rights=("Computer",)))
        error = self.assertFailsWhole(
            self.connector(server),
            False,
            "GET /glpi/api.php/v2/Assets/Monitor",
            "ERROR_RIGHT_MISSING",
            "give it read access to computers, monitors and phones",
        )
        self.assertIsInstance(error, AuthError)

    def test_api_disabled(self):
        server = self.serve(FakeGlpiHl(count=20, enabled=False))
        error = self.assertFailsWhole(
            self.connector(server),
            False,
            "The High-Level API is disabled",
            "Enable the high-level API in GLPI",
        )
        self.assertIsInstance(error, AuthError)

    def test_glpi_10_has_no_high_level_api(self):
        legacy = self.serve(FakeGlpi(count=5))
        error = self.assertFailsWhole(
            self.connector(url=legacy.url),
            False,
            "has no high-level API",
            "needs GLPI 11 or later",
        )
        self.assertNotIsInstance(error, AuthError)
        self.assertEqual(legacy.hits("/token"), 1)


@tagged("at_install", "reemploi_unit")
class TestConnectorSnipeIt(ConnectorCase):
    def setUp(self):
        super().setUp()
        self.snipe = self.serve(FakeSnipeIt(count=250))

    def connector(self, server=None, **kwargs):
        server = server or self.snipe
        token = kwargs.pop("user_token", server.token)
        return snipeit.SnipeItConnector(
            server.url, user_token=token, **{**FAST, **kwargs}
        )

    def test_full_fetch_over_pages(self):
        page = self.connector(page_size=100).fetch()
        self.assertEqual(page.header, snipeit.SnipeItConnector.header)
        self.assertEqual(len(page.rows), 250)
        rows = {row["ID"]: row for row in page.rows}
        self.assertEqual(len(rows), 250)
        self.assertEqual(
            rows["10"],
            {
                "ID": "10",
                "Asset Tag": "A00010",
                "Name": "Mac O'Brien & Co",
                "Serial": "SNIPE000010",
                "Model": "EliteDesk 800 G4",
                "Category": "Desktops",
                "Manufacturer": "HP",
                "Status": "Deployed",
                "Location": "Lyon",
                "Purchase Date": "2020-01-11",
                "Purchase Cost": "1035.00",
                "updated_at": "2024-01-10 18:10:00",
            },
        )
        # no current location: the default one; no purchase date
        self.assertEqual(rows["5"]["Location"], "Lyon")
        self.assertEqual(rows["4"]["Purchase Date"], "")
        self.assertEqual(page.cursor, "2024-01-11 00:21:00")
        self.assertEqual(self.snipe.hits("/api/v1/hardware"), 3)
        first = self.snipe.requests[0]
        self.assertEqual(first.headers["Authorization"], f"Bearer {self.snipe.token}")
        self.assertEqual(first.headers["Accept"], "application/json")
        self.assertEqual(
            (first.param("sort"), first.param("order"), first.param("limit")),
            ("updated_at", "desc", "100"),
        )
        self.assertEqual(
            [r.param("offset") for r in self.snipe.requests], ["0", "100", "200"]
        )

    def test_paging_follows_the_server_cap(self):
        server = self.serve(FakeSnipeIt(count=250, max_results=100))
        page = self.connector(server, page_size=500).fetch()
        self.assertEqual(len(page.rows), 250)
        self.assertEqual(
            [r.param("offset") for r in server.requests], ["0", "100", "200"]
        )

    def test_incremental_fetch(self):
        self.snipe.touch([4, 77], "2024-03-01 10:00:00")
        self.snipe.touch([9], "2024-02-01 00:00:00")  # in the cursor's second
        page = self.connector(cursor="2024-02-01 00:00:00").fetch()
        self.assertEqual([row["ID"] for row in page.rows], ["77", "4", "9"])
        self.assertEqual(page.rows[1]["updated_at"], "2024-03-01 10:00:00")
        self.assertEqual(page.cursor, "2024-03-01 10:00:00")
        self.assertEqual(self.snipe.hits(), 1)  # newest first: one page is enough

    def test_status_filter(self):
        page = self.connector(options={"status_id": 3}).fetch()
        self.assertEqual(len(page.rows), 83)
        self.assertEqual({row["Status"] for row in page.rows}, {"Pending"})
        self.assertEqual(self.snipe.requests[0].param("status_id"), "3")

    def test_lookup_serial(self):
        connector = self.connector()
        rows = connector.lookup_serial("SNIPE000004")
        self.assertEqual(
            [(row["ID"], row["Asset Tag"]) for row in rows], [("4", "A00004")]
        )
        self.assertEqual(connector.lookup_serial("UNKNOWN 1/2"), [])
        self.assertEqual(
            self.snipe.requests[-1].path, "/api/v1/hardware/byserial/UNKNOWN 1/2"
        )

    def test_wrong_token(self):
        error = self.assertFailsWhole(
            self.connector(user_token="expired"), False, "HTTP 401", "credentials"
        )
        self.assertIsInstance(error, AuthError)
        self.assertEqual(self.snipe.hits(), 1)
        with self.assertRaises(AuthError):
            self.connector(user_token=None).fetch()
        self.assertEqual(self.snipe.hits(), 1)  # nothing sent without a key

    def test_error_with_http_200(self):
        self.snipe.inject("app_error", path="/api/v1/hardware", page=1)
        self.assertFailsWhole(
            self.connector(page_size=100), False, "Server Error", "GET /api/v1/hardware"
        )

    def test_transient_errors_are_retried(self):
        self.snipe.inject("error", path="/api/v1/hardware", page=1, times=1)
        self.snipe.inject("throttle", path="/api/v1/hardware", page=2, times=1)
        page = self.connector(page_size=100).fetch()
        self.assertEqual(len(page.rows), 250)
        self.assertEqual(self.snipe.hits(), 5)  # 3 pages + 2 retries

    def test_retry_after_is_honoured_and_capped(self):
        connector = self.connector()
        response = requests.Response()
        response.headers["Retry-After"] = "7"
        self.assertEqual(connector._retry_delay(0, response), 7.0)
        response.headers["Retry-After"] = "3600"
        self.assertEqual(connector._retry_delay(0, response), connector.max_delay)
        self.assertEqual(connector._retry_delay(2), 0.04)  # backoff * 2 ** 2
        # a throttled answer asking for 30 s, with the cap lowered to 10 ms
        connector.max_delay = 0.01
        self.snipe.inject(
            "throttle", path="/api/v1/hardware", times=1, retry_after="30"
        )
        self.assertEqual(len(connector.fetch().rows), 250)

    def test_connection_lost_mid_sync_fails_whole(self):
        self.snipe.inject("disconnect", path="/api/v1/hardware", page=2)
        self.assertFailsWhole(
            self.connector(page_size=100), True, "GET /api/v1/hardware"
        )
        self.assertEqual(self.snipe.hits(), 2 + 3)

    def test_malformed_answer(self):
        self.snipe.inject("malformed", path="/api/v1/hardware", page=0)
        self.assertFailsWhole(
            self.connector(), False, "GET /api/v1/hardware", "not JSON"
        )

    def test_timeout(self):
        self.snipe.inject("slow", path="/api/v1/hardware", page=0, delay=1.0)
        self.assertFailsWhole(
            self.connector(timeout=0.2, retries=1), True, "did not answer"
        )
        self.assertEqual(self.snipe.hits(), 2)


OCS_ROW_3 = {
    "ID": "3",
    "TAG": "SITE-0",
    "NAME": "Poste-Réception",
    "SSN": "OCSSN000003",
    "SMANUFACTURER": "HP",
    "SMODEL": "EliteBook 840 G5",
    "TYPE": "Desktop",
    "OSNAME": "Ubuntu 22.04.4 LTS",
    "MEMORY": "16384",
    "PROCESSORT": "Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz",
    "LASTDATE": "2024-01-10 10:39:00",
}


@tagged("at_install", "reemploi_unit")
class TestConnectorOcsRest(ConnectorCase):
    def setUp(self):
        super().setUp()
        self.ocs = self.serve(FakeOcsRest(count=250, login="api", password="pw"))

    def connector(self, server=None, **kwargs):
        server = server or self.ocs
        return ocs.OcsRestConnector(
            server.url,
            kwargs.pop("app_token", server.login),
            kwargs.pop("user_token", server.password),
            **{**FAST, **kwargs},
        )

    def test_full_fetch_over_pages(self):
        page = self.connector(page_size=100).fetch()
        self.assertEqual(page.header, ocs.HEADER)
        self.assertEqual(len(page.rows), 250)  # the 2 group entries are dropped
        rows = {row["ID"]: row for row in page.rows}
        self.assertEqual(rows["3"], OCS_ROW_3)
        self.assertEqual(rows["4"]["TYPE"], "Notebook")
        self.assertEqual(rows["4"]["MEMORY"], "8192")
        self.assertEqual(page.cursor, "2024-01-11 00:27:00")
        listing = [r for r in self.ocs.requests if r.path == "/ocsapi/v1/computers"]
        self.assertEqual([r.param("start") for r in listing], ["0", "100", "200"])

    def test_incremental_fetch(self):
        self.ocs.touch([5, 200], "2024-03-01 10:00:00")
        page = self.connector(cursor="2024-02-01 00:00:00").fetch()
        self.assertEqual([row["ID"] for row in page.rows], ["5", "200"])
        self.assertEqual(page.cursor, "2024-03-01 10:00:00")
        # cursor read as UTC, minus 14 h: 2024-01-31 10:00:00 UTC
        self.assertEqual(
            [r.path for r in self.ocs.requests],
            [
                "/ocsapi/v1/computers/lastupdate/1706695200",
                "/ocsapi/v1/computer/5",
                "/ocsapi/v1/computer/200",
            ],
        )

    def test_incremental_with_time_zone(self):
        paris = ZoneInfo("Europe/Paris")
        server = self.serve(FakeOcsRest(count=30, zone=paris))
        server.touch([7], "2024-03-01 10:00:00")
        server.touch([8], "2024-03-01 09:59:59")
        page = self.connector(
            server, cursor="2024-03-01 10:00:00", options={"timezone": "Europe/Paris"}
        ).fetch()
        self.assertEqual([row["ID"] for row in page.rows], ["7"])
        stamp = int(datetime.datetime(2024, 3, 1, 10, tzinfo=paris).timestamp()) - 1
        self.assertEqual(
            server.requests[0].path, f"/ocsapi/v1/computers/lastupdate/{stamp}"
        )
        self.assertEqual(len(server.requests), 2)

    def test_incremental_many_changes_reads_the_list(self):
        self.ocs.touch(range(1, 21), "2024-03-01 10:00:00")
        page = self.connector(page_size=10, cursor="2024-02-01 00:00:00").fetch()
        self.assertEqual(
            [row["ID"] for row in page.rows], [str(n) for n in range(1, 21)]
        )
        self.assertEqual(self.ocs.hits("/ocsapi/v1/computer/"), 0)

    def test_wrong_password(self):
        error = self.assertFailsWhole(
            self.connector(user_token="guess"), False, "HTTP 401", "password"
        )
        self.assertIsInstance(error, AuthError)

    def test_transient_error_is_retried(self):
        self.ocs.inject("error", path="/ocsapi/v1/computers", page=1, times=1)
        page = self.connector(page_size=100).fetch()
        self.assertEqual(len(page.rows), 250)
        self.assertEqual(self.ocs.hits("/ocsapi/v1/computers"), 4)

    def test_connection_lost_mid_sync_fails_whole(self):
        self.ocs.inject("disconnect", path="/ocsapi/v1/computers", page=2)
        self.assertFailsWhole(
            self.connector(page_size=100), True, "GET /ocsapi/v1/computers"
        )
        self.assertEqual(self.ocs.hits(), 2 + 3)

    def test_malformed_answer(self):
        self.ocs.inject("malformed", path="/ocsapi/v1/computers", page=0)
        self.assertFailsWhole(
            self.connector(), False, "GET /ocsapi/v1/computers", "not JSON"
        )

    def test_timeout(self):
        self.ocs.inject("slow", path="/ocsapi/v1/computers", page=0, delay=1.0)
        self.assertFailsWhole(
            self.connector(timeout=0.2, retries=1), True, "did not answer"
        )


@tagged("at_install", "reemploi_unit")
class TestConnectorOcsSoap(ConnectorCase):
    def setUp(self):
        super().setUp()
        self.ocs = self.serve(FakeOcsSoap(count=250, results_limit=100))

    def connector(self, server=None, **kwargs):
        server = server or self.ocs
        return ocs.OcsSoapConnector(
            server.url,
            kwargs.pop("app_token", server.login),
            kwargs.pop("user_token", server.password),
            **{**FAST, **kwargs},
        )

    def test_full_fetch_over_pages(self):
        page = self.connector().fetch()
        self.assertEqual(page.header, ocs.HEADER)
        self.assertEqual(len(page.rows), 250)
        rows = {row["ID"]: row for row in page.rows}
        # "Réception" travels base64-encoded, as SOAP::Lite sends non-ASCII
        self.assertEqual(rows["3"], OCS_ROW_3)
        self.assertEqual(page.cursor, "2024-01-11 00:27:00")
        # 3 pages of 100 and the empty one that ends the listing
        self.assertEqual(self.ocs.hits("/ocsinterface"), 4)
        self.assertEqual(
            [r.findtext("OFFSET") for r in self.ocs.parsed], ["0", "1", "2", "3"]
        )
        first = self.ocs.parsed[0]
        self.assertEqual(first.findtext("ENGINE"), "FIRST")
        self.assertEqual(first.findtext("ASKING_FOR"), "INVENTORY")
        self.assertEqual(first.findtext("WANTED"), "1")
        self.assertIsNone(first.find("CHECKSUM"))
        self.assertEqual(
            self.ocs.requests[0].headers["SOAPAction"],
            '"http://localhost/Apache/Ocsinventory/Interface#get_computers_V1"',
        )

    def test_smaller_server_pages(self):
        server = self.serve(FakeOcsSoap(count=95, results_limit=40))
        page = self.connector(server).fetch()
        self.assertEqual(len(page.rows), 95)
        self.assertEqual(server.hits(), 4)

    def test_incremental_fetch(self):
        self.ocs.touch([5, 200], "2024-03-01 10:00:00")
        page = self.connector(cursor="2024-02-01 00:00:00").fetch()
        self.assertEqual([row["ID"] for row in page.rows], ["5", "200"])
        self.assertEqual(page.rows[0]["SSN"], "OCSSN000005")
        self.assertEqual(page.cursor, "2024-03-01 10:00:00")
        meta, inventory = self.ocs.parsed
        self.assertEqual(
            [meta.findtext(tag) for tag in ("ASKING_FOR", "SORT_BY", "SORT_DIR")],
            ["META", "LASTDATE", "DESC"],
        )
        self.assertEqual([e.text for e in inventory.findall("ID")], ["5", "200"])

    def test_server_without_bios_section(self):
        server = self.serve(FakeOcsSoap(count=10, bios=False))
        rows = {row["ID"]: row for row in self.connector(server).fetch().rows}
        self.assertEqual(
            (rows["4"]["SSN"], rows["4"]["TYPE"], rows["4"]["NAME"]),
            ("", "Desktop", "PC-0004"),
        )

    def test_wrong_password(self):
        error = self.assertFailsWhole(
            self.connector(user_token="guess"), False, "HTTP 401", "OCS_OPT_WEB_SERVICE"
        )
        self.assertIsInstance(error, AuthError)
        with self.assertRaises(AuthError):
            self.connector(app_token=None, user_token=None).fetch()

    def test_soap_fault_is_not_retried(self):
        self.ocs.inject("app_error", path="/ocsinterface", page=1)
        self.assertFailsWhole(self.connector(), False, "SOAP fault", "is crashed")
        self.assertEqual(self.ocs.hits(), 2)

    def test_transient_error_is_retried(self):
        self.ocs.inject("error", path="/ocsinterface", page=1, times=1)
        self.assertEqual(len(self.connector().fetch().rows), 250)
        self.assertEqual(self.ocs.hits(), 5)

    def test_connection_lost_mid_sync_fails_whole(self):
        self.ocs.inject("disconnect", path="/ocsinterface", page=1)
        self.assertFailsWhole(
            self.connector(), True, "POST /ocsinterface get_computers_V1"
        )
        self.assertEqual(self.ocs.hits(), 1 + 3)

    def test_malformed_answer(self):
        self.ocs.inject("malformed", path="/ocsinterface", page=0)
        self.assertFailsWhole(
            self.connector(),
            False,
            "POST /ocsinterface get_computers_V1",
            "SOAP envelope",
        )

    def test_timeout(self):
        self.ocs.inject("slow", path="/ocsinterface", page=0, delay=1.0)
        self.assertFailsWhole(
            self.connector(timeout=0.2, retries=1), True, "did not answer"
        )
