import json

from odoo import http
from odoo.http import request

from ..models.reemploi_opendata import CSV_NAME, JSON_NAME

MIMETYPES = {CSV_NAME: "text/csv; charset=utf-8", JSON_NAME: "application/json"}


class ReemploiOpendata(http.Controller):
    """The territory's open data at stable addresses: the files of the
    daily export, their schema and a page that describes them."""

    @http.route("/opendata", type="http", auth="public", website=True, sitemap=True)
    def opendata_page(self, **kwargs):
        Opendata = request.env["reemploi.opendata"]
        return request.render(
            "reemploi_market.opendata_page",
            {
                "schema": Opendata._schema(),
                "attachment": Opendata._attachment(CSV_NAME),
            },
        )

    @http.route(
        "/opendata/schema.json", type="http", auth="public", website=True, sitemap=False
    )
    def opendata_schema(self, **kwargs):
        schema = request.env["reemploi.opendata"]._schema()
        return request.make_response(
            json.dumps(schema, ensure_ascii=False, indent=2),
            headers=[
                ("Content-Type", "application/json"),
                ("Access-Control-Allow-Origin", "*"),
            ],
        )

    @http.route(
        [f"/opendata/{CSV_NAME}", f"/opendata/{JSON_NAME}"],
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def opendata_file(self, **kwargs):
        name = request.httprequest.path.rsplit("/", 1)[-1]
        Opendata = request.env["reemploi.opendata"]
        attachment = Opendata._attachment(name)
        if not attachment:
            # first visit before the first night: made now
            Opendata.sudo()._export()  # sudo: the export writes its own files
            attachment = Opendata._attachment(name)
        return request.make_response(
            attachment.raw,
            headers=[
                ("Content-Type", MIMETYPES[name]),
                ("Access-Control-Allow-Origin", "*"),
                ("Cache-Control", "public, max-age=3600"),
                (
                    "Last-Modified",
                    attachment.write_date.strftime("%a, %d %b %Y %H:%M:%S GMT"),
                ),
            ],
        )
