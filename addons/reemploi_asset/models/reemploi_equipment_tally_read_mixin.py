from odoo import api, models
from odoo.osv import expression

from .reemploi_tally_mixin import TRUE_OR_FALSE, tally_rules

# What ``reemploi.equipment.tally`` counts: groupings, filters and aggregates
# of the register that it answers instead of the devices' table
TALLY_KEYS = frozenset({"owner_id", "category_id", "state", "active"})
# the kept counts that answer the register's counts, in the order they are
# tried, with the fields they count by (``reemploi.equipment.month.tally``
# answers an operator's user, whose record rule compares the operator)
MONTH_TALLY_KEYS = frozenset({"company_id", "category_id", "state", "active"})
TALLIES = (
    ("reemploi.equipment.tally", TALLY_KEYS),
    ("reemploi.equipment.month.tally", MONTH_TALLY_KEYS),
)
# the devices' fields the tallies count by or sum (kept by triggers, so
# pending writes are flushed before reading them)
TALLY_FIELDS = [
    "owner_id",
    "company_id",
    "category_id",
    "state",
    "active",
    "state_date",
    "expected_end_date",
    "co2e_avoided_kg",
]
TALLY_AGGREGATES = {
    "__count": "device_count:sum",
    "co2e_avoided_kg:sum": "co2e_avoided_kg:sum",
}
# operators whose meaning does not depend on who searches (no name search
# nor hierarchy of the comodel)
TALLY_OPERATORS = frozenset({"=", "!=", "in", "not in"})


class ReemploiEquipmentTallyReadMixin(models.AbstractModel):
    """The register's counts (pivot, grouped lists, dashboards) answered from the
    kept counts (``reemploi.tally.mixin``) when they can answer exactly.
    Inherited by ``reemploi.equipment`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.equipment.tally.read.mixin"
    _description = "Equipment: counts from the kept tallies"

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        """Counts and CO2e avoided by donor, category and state (the pivot,
        grouped lists, the dashboards) from ``reemploi.equipment.tally``
        when it can answer exactly, otherwise from the devices."""
        tally = self._read_group_tally_args(domain, groupby, aggregates, having, order)
        if tally is None:
            return super()._read_group(
                domain, groupby, aggregates, having, offset, limit, order
            )
        self.browse().check_access("read")
        # the triggers count what reached the table: pending writes first
        self.flush_model(TALLY_FIELDS)
        tally_model, tally_domain, tally_order = tally
        # sudo: the tally has no record rules of its own; the domain carries
        # the devices' rules for this user, evaluated as _search() does
        # (sudo), and the user's own filters only compare the tally's columns
        rows = (
            self.env[tally_model]
            .sudo()
            ._read_group(
                tally_domain,
                groupby,
                [TALLY_AGGREGATES[spec] for spec in aggregates],
                # a group whose devices all left it sums to 0: not a group
                having=[("device_count:sum", ">", 0)] if groupby else (),
                offset=offset,
                limit=limit,
                order=tally_order,
            )
        )
        # the groups' records in the caller's environment, once per record
        relational = [
            index
            for index, spec in enumerate(groupby)
            if self._fields[spec].type == "many2one"
        ]
        counts = [
            index
            for index, spec in enumerate(aggregates, start=len(groupby))
            if spec == "__count"
        ]
        records = {}
        result = []
        for row in rows:
            row = list(row)
            for index in relational:
                value = row[index]
                key = (index, value._ids)
                if key not in records:
                    records[key] = value.with_env(self.env)
                row[index] = records[key]
            for index in counts:
                row[index] = row[index] or 0
            result.append(tuple(row))
        return result

    @api.model
    def _read_group_format_result(self, rows_dict, lazy_groupby):
        """As Odoo formats the groups of ``read_group``, with each donor's
        and category's label read once rather than once per group: a pivot
        donor x category x state has ~20,000 groups for 200 donors, and
        Odoo's ``value.sudo().display_name`` per group and field costed
        most of its time. Only the many2one groupings that come first are
        formatted here (the groups' domains keep Odoo's order of terms)."""
        own = []
        for group in lazy_groupby:
            if ":" in group or "." in group or self._fields[group].type != "many2one":
                break
            own.append(group)
        for group in own:
            labels = {}
            for row in rows_dict:
                value = row[group]
                if isinstance(value, models.BaseModel):
                    if value and value.id not in labels:
                        # sudo: as Odoo does, the group's label whoever reads
                        labels[value.id] = (value.id, value.sudo().display_name)
                    row[group] = labels[value.id] if value else False
                    value = value.id
                row["__domain"] = expression.AND(
                    [row["__domain"], [(group, "=", value)]]
                )
        return super()._read_group_format_result(rows_dict, lazy_groupby[len(own) :])

    @api.model
    def _read_group_tally_args(self, domain, groupby, aggregates, having, order):
        """(tally model, domain, order) of the same grouping on a tally
        (TALLIES), the devices' record rules included, or None when none
        can answer it."""
        if having or self.env.context.get("reemploi_no_tally"):
            return None
        if not set(aggregates) <= set(TALLY_AGGREGATES):
            return None
        leaves = []
        for leaf in expression.normalize_domain(domain or []):
            if not expression.is_leaf(leaf) or tuple(leaf) in TRUE_OR_FALSE:
                continue
            left, operator, right = leaf
            if operator not in TALLY_OPERATORS:
                return None
            values = right if isinstance(right, list | tuple) else [right]
            if left not in self._fields or (
                self._fields[left].type == "many2one"
                and any(isinstance(value, str) for value in values)
            ):
                return None  # a name search of the comodel, as the user
            leaves.append(left)
        terms = []
        for term in (order or "").split(","):
            words = term.split()
            if words:
                terms.append((TALLY_AGGREGATES.get(words[0], words[0]), words[1:]))
        for tally_model, keys in TALLIES:
            if not set(groupby) <= keys or not set(leaves) <= keys:
                continue
            if any(
                name not in keys and name not in TALLY_AGGREGATES.values()
                for name, _words in terms
            ):
                continue
            rules = tally_rules(self.env, self._name, keys)
            if rules is None:
                continue
            tally_domain = expression.AND([domain or [], rules]) if rules else domain
            tally_order = ", ".join(" ".join([name, *words]) for name, words in terms)
            return tally_model, tally_domain or [], tally_order or None
        return None
