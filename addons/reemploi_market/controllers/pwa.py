import json

from odoo import http
from odoo.http import request
from odoo.tools import file_open

APP_NAME = "Réemploi"
THEME_COLOR = "#1f6f43"
BACKGROUND_COLOR = "#ffffff"
ICON_SIZES = (192, 512)


class ReemploiPwa(http.Controller):
    """The website installable on a phone: a web app manifest and a service
    worker served at the root, so that its scope is the whole website."""

    def _manifest(self):
        return {
            "name": APP_NAME,
            "short_name": APP_NAME,
            "description": request.env._(
                "Reuse of IT equipment: donors, operators and associations."
            ),
            "lang": request.env.lang.replace("_", "-") if request.env.lang else "fr",
            "start_url": "/my",
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "icons": [
                {
                    "src": f"/reemploi_market/static/img/icon-{size}.png",
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any maskable",
                }
                for size in ICON_SIZES
            ],
        }

    @http.route(
        "/reemploi/manifest.webmanifest",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        readonly=True,
    )
    def reemploi_manifest(self, **kwargs):
        return request.make_response(
            json.dumps(self._manifest(), ensure_ascii=False),
            headers=[
                ("Content-Type", "application/manifest+json; charset=utf-8"),
                ("Cache-Control", "public, max-age=3600"),
            ],
        )

    @http.route(
        "/reemploi-sw.js",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        readonly=True,
    )
    def reemploi_service_worker(self, **kwargs):
        with file_open("reemploi_market/static/src/pwa/service_worker.js") as script:
            body = script.read()
        return request.make_response(
            body,
            headers=[
                ("Content-Type", "text/javascript; charset=utf-8"),
                ("Service-Worker-Allowed", "/"),
                # a new version is picked up on the next visit
                ("Cache-Control", "no-cache"),
            ],
        )
