"""The territory's open data: rows of aggregates to CSV and JSON, and a
check of a CSV against its Table Schema (frictionless specification, the
subset the schema uses: string, integer, number, yearmonth; required,
minimum, pattern, enum)."""

import csv
import io
import json
import re

REUSED = frozenset({"sold", "donated"})


def outcome(state):
    """The outcome of the reuse of a device in ``state``."""
    if state in REUSED:
        return "reemploi"
    if state == "recycled":
        return "recyclage"
    if state == "missing":
        return "manquant"
    return "en_cours"


def field_names(schema):
    return [field["name"] for field in schema["fields"]]


def to_csv(schema, rows):
    """CSV text (comma, UTF-8, header of the schema's field names)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, field_names(schema), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def to_json(schema, rows, **meta):
    return json.dumps(
        dict(meta, schema=schema.get("name"), rows=list(rows)),
        ensure_ascii=False,
        indent=1,
        sort_keys=False,
    )


def _cast(field, text):
    kind = field.get("type", "string")
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]+", text):
            raise ValueError("not an integer")
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "yearmonth":
        if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text):
            raise ValueError("not a year-month (YYYY-MM)")
        return text
    return text


def validate_csv(schema, text):
    """Errors of a CSV against ``schema``: a list of "line N, field: why"
    (empty when valid)."""
    errors = []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    expected = field_names(schema)
    if header != expected:
        return [f"header {header!r} is not {expected!r}"]
    missing_values = schema.get("missingValues", [""])
    keys = set()
    primary = schema.get("primaryKey", [])
    for number, values in enumerate(reader, start=2):
        if len(values) != len(expected):
            errors.append(f"line {number}: {len(values)} values, {len(expected)} expected")
            continue
        row = dict(zip(expected, values, strict=True))
        for field in schema["fields"]:
            name, value = field["name"], row[field["name"]]
            constraints = field.get("constraints", {})
            if value in missing_values:
                if constraints.get("required"):
                    errors.append(f"line {number}, {name}: required")
                continue
            try:
                cast = _cast(field, value)
            except ValueError as exc:
                errors.append(f"line {number}, {name}: {value!r} {exc}")
                continue
            if "minimum" in constraints and cast < constraints["minimum"]:
                errors.append(f"line {number}, {name}: below {constraints['minimum']}")
            if "enum" in constraints and cast not in constraints["enum"]:
                errors.append(f"line {number}, {name}: {value!r} not allowed")
            if "pattern" in constraints and not re.fullmatch(
                constraints["pattern"], value
            ):
                errors.append(f"line {number}, {name}: {value!r} does not match")
        key = tuple(row[k] for k in primary)
        if primary and key in keys:
            errors.append(f"line {number}: duplicate key {key!r}")
        keys.add(key)
    return errors
