"""Hand a generated file to the user's browser."""

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download_action(env, filename, data, record=None):
    """Store ``data`` (XLSX bytes) as an attachment, return the action that
    downloads it. ``record``: the document the file belongs to, if any."""
    values = {"name": filename, "raw": data, "mimetype": XLSX_MIMETYPE}
    if record:
        values.update({"res_model": record._name, "res_id": record.id})
    attachment = env["ir.attachment"].create(values)
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "self",
    }
