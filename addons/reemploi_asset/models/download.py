"""The suite's XLSX files: built in memory, attached to their record, or
streamed to the browser. One place for the four workbooks (the lot's
take-back report, the metropolis' report, the rejected rows of an import,
the supply forecast), docs/ARCHITECTURE.md."""

import io

import xlsxwriter

from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxBook:
    """An XLSX workbook in memory (``workbook``: xlsxwriter's), where text
    is never read as a formula, with its ``bold`` format; :meth:`data`
    closes it and gives its bytes."""

    def __init__(self):
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(
            self._buffer, {"in_memory": True, "strings_to_formulas": False}
        )
        self.bold = self.workbook.add_format({"bold": True})

    def sheet(self, name, titles=(), row=0):
        """A new sheet ``name``, with ``titles`` in bold on ``row``."""
        sheet = self.workbook.add_worksheet(name)
        for column, title in enumerate(titles):
            sheet.write_string(row, column, str(title), self.bold)
        return sheet

    def data(self):
        self.workbook.close()
        return self._buffer.getvalue()


def xlsx_download_action(env, filename, data, record):
    """Store ``data`` (XLSX bytes) as an attachment of ``record`` (deleted
    with it), return the action that downloads it."""
    attachment = env["ir.attachment"].create(
        {
            "name": filename,
            "raw": data,
            "mimetype": XLSX_MIMETYPE,
            "res_model": record._name,
            "res_id": record.id,
        }
    )
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "self",
    }


def file_response(filename, data, mimetype=XLSX_MIMETYPE):
    """The HTTP response that downloads ``data`` (bytes of ``mimetype``, an
    XLSX workbook by default), stored nowhere: for a file computed on each
    request."""
    return request.make_response(
        data,
        headers=[
            ("Content-Type", mimetype),
            ("Content-Length", len(data)),
            ("Content-Disposition", content_disposition(filename)),
        ],
    )
