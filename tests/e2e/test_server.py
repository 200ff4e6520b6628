"""The harness itself: a real server answers over HTTP and XML-RPC."""

import concurrent.futures
import xmlrpc.client

import psutil
import requests
from harness import HTTP_TIMEOUT, ServerCase, csrf_token


class TestServer(ServerCase):
    def test_health(self):
        response = requests.get(f"{self.server.url}/web/health", timeout=HTTP_TIMEOUT)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "pass"})

    def test_xmlrpc_login(self):
        rpc = self.server.rpc()
        self.assertEqual(rpc.uid, 2)
        modules = rpc(
            "ir.module.module",
            "search_read",
            [("name", "in", self.server.modules)],
            fields=["name", "state"],
        )
        self.assertEqual({m["state"] for m in modules}, {"installed"})
        self.assertEqual(len(modules), len(self.server.modules))
        common = xmlrpc.client.ServerProxy(f"{self.server.url}/xmlrpc/2/common")
        self.assertFalse(common.authenticate(self.server.dbname, "admin", "wrong", {}))

    def test_web_login_and_csrf(self):
        session = self.server.session("admin", "admin")
        page = session.get(f"{self.server.url}/odoo", timeout=HTTP_TIMEOUT)
        self.assertEqual(page.status_code, 200)
        self.assertTrue(csrf_token(page.text))
        info = session.post(
            f"{self.server.url}/web/session/get_session_info",
            json={"jsonrpc": "2.0", "method": "call", "params": {}},
            timeout=HTTP_TIMEOUT,
        ).json()
        self.assertEqual(info["result"]["uid"], 2)

    def test_multi_process_server(self):
        """--workers: one process per worker, each with its own database
        connection, so requests are concurrent transactions."""
        self.assertGreater(self.server.workers, 1)
        master = psutil.Process(self.server.proc.pid)
        names = [child.cmdline() for child in master.children()]
        # the workers plus the gevent process of the websockets
        self.assertGreaterEqual(len(names), self.server.workers, names)
        conn = self.server.sql()
        try:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                    [self.server.dbname],
                )
                self.assertGreaterEqual(cr.fetchone()[0], 1)
        finally:
            conn.close()
        url = f"{self.server.url}/web/health"
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(
                    lambda _i: requests.get(url, timeout=30).status_code, range(16)
                )
            )
        self.assertEqual(codes, [200] * 16)
