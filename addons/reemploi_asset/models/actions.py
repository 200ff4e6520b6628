"""Window actions that the models' buttons return."""


def related_records_action(record, xmlid, field):
    """The action ``xmlid`` (a list of records) narrowed to those whose
    ``field`` is ``record``; a record created from it gets ``record`` there
    (a lot's proposals, a webhook's deliveries, an issuer's vouchers)."""
    record.ensure_one()
    action = record.env["ir.actions.act_window"]._for_xml_id(xmlid)
    action["domain"] = [(field, "=", record.id)]
    action["context"] = {f"default_{field}": record.id}
    return action
