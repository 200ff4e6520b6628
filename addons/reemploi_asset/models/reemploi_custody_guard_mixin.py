from odoo import models
from odoo.exceptions import AccessError, UserError


class ReemploiCustodyGuardMixin(models.AbstractModel):
    """Fields that carry custody (state, owner, operator...): whoever calls
    (web client, JSON-RPC, XML-RPC, import, API), only the model's workflow,
    which records the change, or an administrator's logged correction
    changes them. Inherited by ``reemploi.equipment`` and ``reemploi.lot``
    (docs/ARCHITECTURE.md, "Rules that hold whoever calls").

    A model gives its fields (:meth:`_custody_fields`), its token
    (:meth:`_custody_token`: an object, not a flag, so that no RPC can send
    it) and its messages; its ``write()`` calls :meth:`_check_custody_write`.
    """

    _name = "reemploi.custody.guard.mixin"
    _description = "Guard of the custody fields"

    def _custody_fields(self):
        """Names of the fields only the workflow may change (a set)."""
        raise NotImplementedError

    def _custody_token(self):
        """The model's own context object that lets its workflow write."""
        raise NotImplementedError

    def _custody_change_allowed(self, name):
        """Whether ``name`` of this record may change outside the workflow
        all the same (a step of the workflow done by hand)."""
        return False

    def _custody_refusal(self, labels):
        """The message refusing a change of ``labels`` (text) on this record."""
        raise NotImplementedError

    def _custody_write_allowed(self):
        return (
            self.env.su
            or self.env.context.get("reemploi_custody_write") is self._custody_token()
        )

    def _write_custody(self, vals):
        """Write custody fields on behalf of the workflow (which records the
        change itself)."""
        return self.with_context(reemploi_custody_write=self._custody_token()).write(
            vals
        )

    def _check_custody_write(self, vals):
        """Refuse a change of a custody field outside the workflow, for every
        caller. Values equal to the current ones (an import re-sending them)
        pass."""
        names = sorted(self._custody_fields().intersection(vals))
        if not names or not self or self._custody_write_allowed():
            return
        for record in self:
            changed = [
                name
                for name in names
                if self._fields[name].convert_to_write(record[name], record)
                != (vals[name] or False)
                and not record._custody_change_allowed(name)
            ]
            if changed:
                # who may not write the record at all hears it first
                record.check_access("write")
                raise UserError(
                    record._custody_refusal(
                        ", ".join(
                            self._fields[name].get_description(self.env)["string"]
                            for name in changed
                        )
                    )
                )

    def _check_admin_correction(self, values, reason, admin_only, reason_missing):
        """The values and reason of an administrator's correction of custody
        fields, checked: refused (``admin_only``, ``reason_missing``: the
        model's messages) to a user who is not an administrator, without a
        reason, or for other fields."""
        if not self.env.is_system():
            raise AccessError(admin_only)
        reason = (reason or "").strip()
        values = dict(values or {})
        if not reason:
            raise UserError(reason_missing)
        if not values or set(values) - self._custody_fields():
            raise UserError(
                self.env._(
                    "A correction changes only %(fields)s.",
                    fields=", ".join(sorted(self._custody_fields())),
                )
            )
        return values, reason
