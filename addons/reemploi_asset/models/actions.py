"""The records that point to a record (a lot's proposals, a category's
devices...): their list, as a button opens it, and their number, as a
smart button shows it."""


def related_records_action(record, xmlid, field):
    """The action ``xmlid`` (a list of records) narrowed to those whose
    ``field`` is ``record``; a record created from it gets ``record`` there
    (a lot's proposals, a webhook's deliveries, an issuer's vouchers)."""
    record.ensure_one()
    action = record.env["ir.actions.act_window"]._for_xml_id(xmlid)
    action["domain"] = [(field, "=", record.id)]
    action["context"] = {f"default_{field}": record.id}
    return action


def related_counts(records, model, field):
    """{record: number of ``model`` records whose ``field`` is it} for
    ``records``, in one query (a record with none is absent)."""
    return dict(
        records.env[model]._read_group(
            [(field, "in", records.ids)], [field], ["__count"]
        )
    )
