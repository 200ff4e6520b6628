from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

TRUE_OR_FALSE = (expression.TRUE_LEAF, expression.FALSE_LEAF)

# Tallies kept by month keep a point in time as its month, whatever the time
# zone it is read in: a date more than 14 hours (the largest offset from
# UTC) away from the ends of its month becomes the 15th of its month at
# midnight, which is in the same month in every time zone; the others keep
# their quarter of an hour (every time zone's offset, hence the start of its
# months, is a whole number of quarters of an hour). Grouping the tally by
# month in the reader's time zone then gives the same months as grouping the
# dates themselves, with a few tens of groups a month instead of a row per
# date.
MONTH_BUCKET_FUNCTION = """
CREATE OR REPLACE FUNCTION reemploi_quarter_hour(value timestamp)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_trunc('hour', value)
           + floor(date_part('minute', value) / 15) * interval '15 minutes'
$$;
CREATE OR REPLACE FUNCTION reemploi_month_bucket(value timestamp)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN date_trunc('month', value - interval '14 hours')
           = date_trunc('month', value + interval '14 hours')
        THEN date_trunc('month', value) + interval '14 days'
        ELSE reemploi_quarter_hour(value)
    END
$$;
"""


def tally_rules(env, model_name, keys):
    """The read rules of ``model_name`` for the current user as a domain on
    ``keys`` (``[]`` when the user reads every record), or None when they
    compare other fields: a tally of these keys cannot answer this user
    (nor anyone when the context has ``reemploi_no_tally``: the counts are
    then taken from the records, to compare)."""
    if env.context.get("reemploi_no_tally"):
        return None
    if env.su:
        return []
    rules = env["ir.rule"]._compute_domain(model_name, "read") or []
    leaves = [
        tuple(leaf)
        for leaf in expression.normalize_domain(rules)
        if expression.is_leaf(leaf)
    ]
    if all(leaf == expression.TRUE_LEAF for leaf in leaves):
        return []  # a rule that lets the user read every record
    for leaf in leaves:
        if leaf in TRUE_OR_FALSE:
            continue
        if leaf[0].split(".")[0] not in keys:
            return None
    return rules


class ReemploiTallyMixin(models.AbstractModel):
    """Counts of the rows of a table by a few columns, kept by the database.

    Append-only, like ``reemploi.equipment.tally``: statement-level triggers
    on the counted table (insert, update, delete, with transition tables)
    insert one signed row per group and statement, whether the ORM or plain
    SQL wrote; nothing is updated in place, so concurrent writers never wait
    for one another on a counter row. The sum of a group's rows is its
    count; :meth:`_compact` folds them into one row per group (hourly).

    A model inheriting it sets ``_tally_source`` (the counted table),
    ``_tally_columns`` (the group's columns: name, SQL type, SQL expression
    over the counted row) and ``_tally_sums`` (name, SQL expression), and
    declares the same names as read-only fields.
    """

    _name = "reemploi.tally.mixin"
    _description = "Counts kept by the database"
    _log_access = False
    _order = "id"

    _tally_source = None
    _tally_columns = ()
    _tally_sums = ()

    device_count = fields.Integer(string="Devices", readonly=True)

    def _tally_names(self):
        """The tally's columns: the group's, the count, the sums."""
        return (
            [name for name, _type, _expr in self._tally_columns]
            + ["device_count"]
            + [name for name, _expr in self._tally_sums]
        )

    def _tally_select(self, rows, sign):
        """SELECT of the signed counts and sums of ``rows`` (a transition
        table or the counted table) by group."""
        items = [
            SQL("%s AS %s", SQL(expr), SQL.identifier(name))
            for name, _type, expr in self._tally_columns
        ]
        items.append(SQL("%s * count(*)", sign))
        items += [
            SQL("%s * coalesce(sum(%s), 0)", sign, SQL(expr))
            for _name, expr in self._tally_sums
        ]
        return SQL(
            "SELECT %s FROM %s GROUP BY %s",
            SQL(", ").join(items),
            SQL.identifier(rows),
            SQL(", ").join(SQL(str(n)) for n in range(1, len(self._tally_columns) + 1)),
        )

    def _tally_fold(self, rows):
        """INSERT of the rows of ``rows`` (a subquery of the tally's
        columns) folded by group, the groups that sum to nothing left out."""
        groups = [SQL.identifier(name) for name, _type, _expr in self._tally_columns]
        totals = [SQL.identifier(name) for name in self._tally_names()[len(groups) :]]
        return SQL(
            """
            INSERT INTO %(table)s (%(names)s)
            SELECT %(groups)s, %(sums)s
              FROM (%(rows)s) AS changes (%(names)s)
          GROUP BY %(groups)s
            HAVING %(changed)s
            """,
            table=SQL.identifier(self._table),
            names=SQL(", ").join([*groups, *totals]),
            groups=SQL(", ").join(groups),
            sums=SQL(", ").join(SQL("sum(%s)", total) for total in totals),
            rows=rows,
            changed=SQL(" OR ").join(SQL("sum(%s) <> 0", total) for total in totals),
        )

    def init(self):
        if not self._tally_source:
            return
        cr = self.env.cr
        table = SQL.identifier(self._table)
        cr.execute(MONTH_BUCKET_FUNCTION)
        cr.execute(SQL("SELECT to_regclass(%s) IS NULL", self._table))
        missing = cr.fetchone()[0]
        definitions = [SQL("id serial PRIMARY KEY")]
        definitions += [
            SQL("%s %s", SQL.identifier(name), SQL(sql_type))
            for name, sql_type, _expr in self._tally_columns
        ]
        definitions.append(SQL("device_count integer NOT NULL"))
        definitions += [
            SQL("%s numeric NOT NULL DEFAULT 0", SQL.identifier(name))
            for name, _expr in self._tally_sums
        ]
        cr.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS %s (%s)",
                table,
                SQL(", ").join(definitions),
            )
        )
        insert = SQL(
            "INSERT INTO %s (%s)",
            table,
            SQL(", ").join(SQL.identifier(name) for name in self._tally_names()),
        )
        cr.execute(
            SQL(
                """
                CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        %(insert)s %(new_rows)s;
                    ELSIF TG_OP = 'DELETE' THEN
                        %(insert)s %(old_rows)s;
                    ELSE
                        %(update)s;
                    END IF;
                    RETURN NULL;
                END
                $$;
                """,
                function=table,
                insert=insert,
                new_rows=self._tally_select("new_rows", 1),
                old_rows=self._tally_select("old_rows", -1),
                update=self._tally_fold(
                    SQL(
                        "%s UNION ALL %s",
                        self._tally_select("new_rows", 1),
                        self._tally_select("old_rows", -1),
                    )
                ),
            )
        )
        source = SQL.identifier(self._tally_source)
        for operation, referencing in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        ):
            trigger = SQL.identifier(f"{self._table}_{operation}")
            cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", trigger, source))
            cr.execute(
                SQL(
                    """
                    CREATE TRIGGER %s AFTER %s ON %s REFERENCING %s
                    FOR EACH STATEMENT EXECUTE FUNCTION %s()
                    """,
                    trigger,
                    SQL(operation.upper()),
                    source,
                    SQL(referencing),
                    table,
                )
            )
        if missing:
            # the rows written before the table existed (an update of the
            # module on a filled database), in the same transaction as the
            # triggers: nothing is counted twice nor missed
            cr.execute(SQL("%s %s", insert, self._tally_select(self._tally_source, 1)))

    @api.model
    def _compact(self):
        """Fold the rows of each group into one (the groups whose rows all
        left them disappear). Rows that concurrent transactions insert
        meanwhile are not seen, hence kept as they are."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "WITH gone AS (DELETE FROM %s RETURNING %s) %s",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in self._tally_names()),
                self._tally_fold(SQL("SELECT * FROM gone")),
            )
        )
        self.env.invalidate_all()
        return True
