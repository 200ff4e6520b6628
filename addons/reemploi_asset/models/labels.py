"""The labels of a selection field, as the user reads them."""


def selection_labels(model, field_name):
    """{value: label} of the selection field ``field_name`` of ``model`` (a
    recordset, possibly empty), in the language of ``model``'s environment."""
    field = model._fields[field_name]
    return dict(field._description_selection(model.env))


def state_word(record, state=None):
    """The label of ``state`` (by default ``record``'s own state) in lower
    case, to stand in a sentence: "Lot LOT/2026/0018 is scheduled", "an
    erased device". ``record``: a record of a model with a ``state``
    selection (a recordset of one, or empty with ``state`` given)."""
    state = record.state if state is None else state
    return selection_labels(record, "state").get(state, state or "").lower()
