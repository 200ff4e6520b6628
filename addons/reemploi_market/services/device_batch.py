"""A batch of devices sent to the partner API, as rows of the import engine.

Plain Python. The partner API does not upsert devices itself: it checks the
shape of each JSON object here, turns the batch into the header and rows
that ``reemploi.import.run`` reads from a file (``tabular.Row``), and lets
the engine map, match and write them like any inventory export. The column
names are those the engine's generic layout recognises.
"""

import datetime
import math

from odoo.addons.reemploi_asset.services import tabular
from odoo.addons.reemploi_asset.services.messages import Message, _

from .openapi import DEVICE_INPUT_FIELDS

# API field -> column of the generic layout (services/import_mapping.py)
COLUMNS = {
    "source_ref": "source_id",
    "serial": "serial",
    "asset_tag": "asset_tag",
    "manufacturer": "manufacturer",
    "model": "model",
    "category": "category",
    "state": "state",
    "purchase_date": "purchase_date",
    "cpu": "cpu",
    "ram_gb": "ram_gb",
    "storage_gb": "storage_gb",
    "screen_size": "screen_size",
    "os_name": "os_name",
    "site": "site",
}
HEADER = list(COLUMNS.values())
MAX_TEXT = 256


def _cell(field, value):
    """Text of one value for the engine, or raise ValueError(Message)."""
    if value is None:
        return ""
    kind = DEVICE_INPUT_FIELDS[field]["type"]
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(Message(_("%(field)s must be a number"), field=field))
        if not math.isfinite(value):
            raise ValueError(Message(_("%(field)s must be a number"), field=field))
        return repr(value)
    if not isinstance(value, str):
        raise ValueError(Message(_("%(field)s must be a text"), field=field))
    if len(value) > MAX_TEXT:
        raise ValueError(
            Message(
                _("%(field)s is longer than %(max)s characters"),
                field=field,
                max=MAX_TEXT,
            )
        )
    if field == "purchase_date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                Message(_("%(field)s must be a date written YYYY-MM-DD"), field=field)
            ) from None
    return value


def to_rows(devices):
    """``(rows, errors)`` for a list of JSON objects. ``errors``: a list of
    ``{"index", "field", "message"}`` (a :class:`Message`); when there is
    any, the batch is malformed and nothing must be imported. Row ``line``
    numbers are the 1-based positions in the batch."""
    rows, errors = [], []
    for index, device in enumerate(devices):
        if not isinstance(device, dict):
            errors.append(
                {
                    "index": index,
                    "field": None,
                    "message": Message(_("each device must be a JSON object")),
                }
            )
            continue
        values = dict.fromkeys(HEADER, "")
        for field, value in device.items():
            if field not in COLUMNS:
                errors.append(
                    {
                        "index": index,
                        "field": field,
                        "message": Message(
                            _("unknown field %(field)s"), field=repr(field)
                        ),
                    }
                )
                continue
            try:
                values[COLUMNS[field]] = _cell(field, value)
            except ValueError as error:
                errors.append(
                    {"index": index, "field": field, "message": error.args[0]}
                )
        raw = [values[column] for column in HEADER]
        rows.append(tabular.Row(line=index + 1, values=values, raw=raw))
    return rows, errors
