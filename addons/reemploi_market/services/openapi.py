"""OpenAPI 3.1 description of the partner API (``controllers/api.py``).

Written by hand as a dict, served as ``/reemploi/api/v1/openapi.json``; a
test checks that every route of the controller is described here.
"""

from odoo.addons.reemploi_asset.services import lifecycle

from . import lot_lifecycle

BASE_PATH = "/reemploi/api/v1"

# fields a client may send for a device; all optional but one identity
DEVICE_INPUT_FIELDS = {
    "source_ref": {"type": "string", "description": "Id in your own system"},
    "serial": {"type": "string"},
    "asset_tag": {"type": "string"},
    "manufacturer": {"type": "string"},
    "model": {"type": "string"},
    "category": {
        "type": "string",
        "description": "Category code (laptop, desktop, monitor, smartphone...)",
    },
    "state": {"type": "string", "enum": sorted(lifecycle.OWNER_STATES)},
    "purchase_date": {"type": "string", "format": "date"},
    "cpu": {"type": "string"},
    "ram_gb": {"type": "number", "minimum": 0},
    "storage_gb": {"type": "number", "minimum": 0},
    "screen_size": {"type": "number", "minimum": 0},
    "os_name": {"type": "string"},
    "site": {"type": "string", "description": "Site name, created when new"},
}

_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_REF = {"type": ["object", "null"], "properties": {"id": {}, "name": {}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema):
    return {"application/json": {"schema": schema}}


def _error(description):
    return {"description": description, "content": _json(_ref("Error"))}


COMMON_ERRORS = {
    "401": _error("Missing, unknown or expired API key"),
    "405": _error("Method not allowed on this path"),
    "429": {
        "description": "Too many requests: wait Retry-After seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": _json(_ref("Error")),
    },
    "500": _error("Unexpected error (never with details)"),
}

PAGING = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
    },
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
]


def _operation(summary, responses, **extra):
    operation = {
        "summary": summary,
        "security": [{"apiKey": []}],
        "responses": {**responses, **COMMON_ERRORS},
    }
    operation.update(extra)
    return operation


def _get_one(summary, schema, parameter, kind):
    """The operation reading one record by the path's ``parameter``."""
    return _operation(
        summary,
        {
            "200": {"description": summary, "content": _json(_ref(schema))},
            "404": _error("Unknown, or not yours"),
        },
        parameters=[
            {
                "name": parameter,
                "in": "path",
                "required": True,
                "schema": {"type": kind},
            }
        ],
    )


def _page(item):
    return {
        "type": "object",
        "required": ["items", "count", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "count": {"type": "integer", "description": "Matches in all"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        },
    }


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "array", "items": {"type": "object"}},
                },
            }
        },
    },
    "Device": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "qr_token": {"type": "string"},
            "traceability_url": {"type": "string", "format": "uri"},
            "serial": _NULLABLE_STRING,
            "asset_tag": _NULLABLE_STRING,
            "source_ref": _NULLABLE_STRING,
            "manufacturer": _NULLABLE_STRING,
            "model": _NULLABLE_STRING,
            "category": {"type": "string"},
            "state": {"type": "string", "enum": list(lifecycle.STATES)},
            "state_date": {"type": ["string", "null"], "format": "date-time"},
            "grade": _NULLABLE_STRING,
            "erasure_verified": {"type": "boolean"},
            "purchase_date": {"type": ["string", "null"], "format": "date"},
            "expected_end_date": {"type": ["string", "null"], "format": "date"},
            "co2e_avoided_kg": {"type": "number"},
            "owner": _REF,
            "operator": _REF,
            "lot_id": _NULLABLE_INT,
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "DeviceInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": DEVICE_INPUT_FIELDS,
        "anyOf": [
            {"required": ["source_ref"]},
            {"required": ["serial"]},
            {"required": ["asset_tag"]},
        ],
    },
    "DeviceBatch": {
        "type": "object",
        "required": ["devices"],
        "properties": {
            "devices": {"type": "array", "items": _ref("DeviceInput"), "minItems": 1},
            "owner_id": {
                "type": "integer",
                "description": "Donor organisation (coordinators only; a "
                "donor's key always registers its own organisation's devices)",
            },
        },
    },
    "UpsertResult": {
        "type": "object",
        "properties": {
            "run_id": {"type": "integer"},
            "created": {"type": "integer"},
            "updated": {"type": "integer"},
            "unchanged": {"type": "integer"},
            "merged": {"type": "integer"},
            "rejected": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "index": {"type": "integer", "description": "0-based"},
                        "message": {"type": "string"},
                    },
                },
            },
            "warnings": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Lot": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "state": {"type": "string", "enum": list(lot_lifecycle.STATES)},
            "donor": _REF,
            "operator": _REF,
            "date_from": {"type": ["string", "null"], "format": "date"},
            "date_to": {"type": ["string", "null"], "format": "date"},
            "date_declared": {"type": ["string", "null"], "format": "date-time"},
            "device_count": {"type": "integer"},
            "weight_kg": {"type": "number"},
            "co2e_kg": {"type": "number"},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "device_id": _NULLABLE_INT,
                        "category": {"type": "string"},
                        "quantity": {"type": "integer"},
                    },
                },
            },
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "LotInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["date_from", "date_to"],
        "properties": {
            "partner_id": {
                "type": "integer",
                "description": "Donor organisation (coordinators only)",
            },
            "date_from": {"type": "string", "format": "date"},
            "date_to": {"type": "string", "format": "date"},
            "pickup_address": {"type": "string"},
            "floor": {"type": "integer"},
            "has_lift": {"type": "boolean"},
            "has_loading_dock": {"type": "boolean"},
            "access_notes": {"type": "string"},
            "contact_name": {"type": "string"},
            "contact_phone": {"type": "string"},
            "contact_email": {"type": "string"},
            "devices": {
                "type": "array",
                "description": "Ids or traceability tokens of your devices",
                "items": {"type": ["integer", "string"]},
            },
            "quantities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["category", "quantity"],
                    "properties": {
                        "category": {"type": "string"},
                        "quantity": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "declare": {
                "type": "boolean",
                "default": True,
                "description": "Declare the lot at once (false: keep a draft)",
            },
        },
    },
}


def spec(server_url=""):
    """The OpenAPI document; ``server_url``: the database's base URL."""
    devices_page = _page("Device")
    lots_page = _page("Lot")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Réemploi partner API",
            "version": "1.0.0",
            "description": "Register devices, declare lots and follow them. "
            "Authenticate with an Odoo API key: 'Authorization: Bearer <key>'. "
            "The key acts as its user: a donor sees its organisation's "
            "devices and lots, an operator its company's. Errors are "
            '{"error": {"code": ..., "message": ...}}.',
        },
        "servers": [{"url": f"{server_url}{BASE_PATH}"}],
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An Odoo API key of the user",
                }
            },
            "schemas": SCHEMAS,
        },
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
            "/devices": {
                "get": _operation(
                    "Devices the key's user may read",
                    {"200": {"description": "A page", "content": _json(devices_page)}},
                    parameters=PAGING
                    + [
                        {
                            "name": name,
                            "in": "query",
                            "schema": {"type": "string", **extra},
                            "description": description,
                        }
                        for name, description, extra in (
                            ("state", "States, comma separated", {}),
                            ("category", "Category code", {}),
                            ("serial", "Serial number (any spacing or case)", {}),
                            ("asset_tag", "Asset tag", {}),
                            ("source_ref", "Id in your own system", {}),
                            (
                                "updated_since",
                                "Changed at or after (UTC)",
                                {"format": "date-time"},
                            ),
                        )
                    ],
                ),
                "post": _operation(
                    "Create or update a batch of your organisation's devices",
                    {
                        "200": {
                            "description": "Applied; rejected rows are listed",
                            "content": _json(_ref("UpsertResult")),
                        },
                        "400": _error("Malformed batch: nothing applied"),
                        "403": _error("The key's user may not register devices"),
                        "413": _error("Body too large"),
                    },
                    requestBody={
                        "required": True,
                        "content": _json(_ref("DeviceBatch")),
                    },
                ),
            },
            "/devices/{ref}": {
                "get": _get_one(
                    "One device, by id or traceability token", "Device", "ref", "string"
                ),
            },
            "/lots": {
                "get": _operation(
                    "Lots the key's user may read",
                    {"200": {"description": "A page", "content": _json(lots_page)}},
                    parameters=PAGING
                    + [
                        {
                            "name": "state",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "States, comma separated",
                        }
                    ],
                ),
                "post": _operation(
                    "Declare a lot",
                    {
                        "201": {
                            "description": "Created",
                            "content": _json(_ref("Lot")),
                        },
                        "400": _error("Invalid lot"),
                        "403": _error("The key's user may not declare lots"),
                        "413": _error("Body too large"),
                        "422": _error("The lot cannot be declared (reasons given)"),
                    },
                    requestBody={"required": True, "content": _json(_ref("LotInput"))},
                ),
            },
            "/lots/{lot_id}": {
                "get": _get_one("One lot", "Lot", "lot_id", "integer"),
            },
        },
    }
