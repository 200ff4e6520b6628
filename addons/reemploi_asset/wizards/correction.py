"""What the administrator's correction forms of devices and lots share
(reemploi.equipment.correction here, reemploi.lot.correction in
reemploi_market): they start empty and pass what was filled to the records'
``action_admin_correct``, which checks the rights and logs the reason."""


def correction_defaults(wizard, values, fields_list, records_field, corrected):
    """``values`` of ``default_get`` without the defaults of the list or
    form the correction is opened from (default_company_id...: not
    corrections), with the records it is opened on in ``records_field``."""
    for name in corrected:
        values.pop(name, None)
    context = wizard.env.context
    model = wizard._fields[records_field].comodel_name
    if context.get("active_model") == model and records_field in fields_list:
        values[records_field] = [(6, 0, context.get("active_ids") or [])]
    return values


def correction_values(wizard, corrected):
    """The corrections filled in the form: {field: value} (ids for
    many2one fields), the empty ones left out."""
    return {
        name: wizard[name].id
        if wizard._fields[name].type == "many2one"
        else wizard[name]
        for name in corrected
        if wizard[name]
    }
