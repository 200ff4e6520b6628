"""The labels of a selection field, as the user reads them."""


def selection_labels(model, field_name):
    """{value: label} of the selection field ``field_name`` of ``model`` (a
    recordset, possibly empty), in the language of ``model``'s environment."""
    field = model._fields[field_name]
    return dict(field._description_selection(model.env))
