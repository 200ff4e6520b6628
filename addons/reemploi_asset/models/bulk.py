"""Set-based INSERT of many rows of one model, for imports.

``create()`` costs the ORM a fraction of a millisecond per record (defaults,
computed fields, access checks, cache); an inventory import inserts
thousands of rows per transaction. The callers compute every stored value
themselves (see ``reemploi.equipment._insert_imported``) and insert them
here with one statement per table.
"""

from odoo.tools import SQL


def insert_rows(model, vals_list):
    """Insert ``vals_list`` into ``model``'s table; return the new ids, in
    the order of ``vals_list``.

    Each dict holds column values as the database stores them (ids for
    many2one, ``date``/``datetime`` objects, ``None`` or ``False`` for
    nothing); keys missing from a dict are NULL. ``create_uid``,
    ``write_uid``, ``create_date`` and ``write_date`` are set as ``create()``
    sets them. One ``INSERT ... SELECT FROM unnest()`` takes one array per
    column, whatever the number of rows.
    """
    if not vals_list:
        return []
    env = model.env
    names = sorted(set().union(*vals_list) - set(models_magic()))
    arrays = [
        (
            name,
            [None if vals.get(name) is False else vals.get(name) for vals in vals_list],
            model._fields[name].column_type[1],
        )
        for name in names
    ]
    count = len(vals_list)
    now = env.cr.now()
    arrays += [
        ("create_uid", [env.uid] * count, "int4"),
        ("write_uid", [env.uid] * count, "int4"),
        ("create_date", [now] * count, "timestamp"),
        ("write_date", [now] * count, "timestamp"),
    ]
    columns = SQL(", ").join(SQL.identifier(name) for name, _v, _t in arrays)
    # ORDER BY the position: the sequence gives ascending ids in that order
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT %s FROM unnest(%s) WITH ORDINALITY "
            "AS u(%s, ordinality) ORDER BY ordinality RETURNING id",
            SQL.identifier(model._table),
            columns,
            columns,
            SQL(", ").join(
                SQL("%s::%s[]", values, SQL(sql_type))
                for _name, values, sql_type in arrays
            ),
            columns,
        )
    )
    return sorted(row[0] for row in env.cr.fetchall())


def models_magic():
    """Columns that :func:`insert_rows` sets itself."""
    return ("id", "create_uid", "write_uid", "create_date", "write_date")
