from typing import NamedTuple

from odoo import api, models
from odoo.tools import SQL

from ..services import lifecycle


class PoolHold(NamedTuple):
    """A kind of promise that holds devices out of the pool: ``field``, the
    devices' field to the promises; ``held``, the domain of the promises
    that hold (an accepted demand match, a reserved allocation line);
    ``partner_field``, the promise's field to the commercial partner it is
    made to. The promise's model says what holds a device in words
    (``_pool_hold_label(public)``)."""

    field: str
    held: tuple
    partner_field: str


class ReemploiEquipmentPoolMixin(models.AbstractModel):
    """The pool of available devices that the shop, the demand matching and the
    fair allocation hand out, and the taking of devices from it.
    Inherited by ``reemploi.equipment`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.equipment.pool.mixin"
    _description = "Equipment: pool of available devices"

    @api.model
    def _available_domain(self, partner=None):
        """The pool of available devices, as a domain: in an operator's
        hands, graded at least and not gone yet (``lifecycle.POOL_STATES``),
        promised to nobody.

        The refurbished shop, the demand matching of reemploi_market and the
        fair allocation of reemploi_social hand out this one pool. Each addon
        that promises devices extends this method to leave out what it
        promised itself, and nothing else; the consumers add their scope (a
        product, a category, an operator), never an exclusion.

        ``partner`` (a commercial partner): the devices promised to it stay
        in, for the order that delivers what was promised. A new promise
        never passes one: a device is promised once.

        Search it as superuser: a promise holds whoever looks, also for who
        may not read it.
        """
        domain = [
            ("state", "in", sorted(lifecycle.POOL_STATES)),
            ("company_id", "!=", False),
            ("grade_id", "!=", False),
        ]
        for hold in self._pool_holds():
            held = list(hold.held)
            if partner:
                held.append(
                    (hold.partner_field, "!=", partner.commercial_partner_id.id)
                )
            domain.append((hold.field, "not any", held))
        return domain

    @api.model
    def _pool_holds(self):
        """The kinds of promise that hold devices (``PoolHold``): each addon
        that promises devices extends this list with its own, once."""
        return []

    def _pool_take(self, partner=None):
        """Take these devices from the pool for a promise that this
        transaction records (a sale, a demand accepted, an allocation
        confirmed): return those that are available, in ``self``'s
        environment; the caller refuses or replaces the others.

        Every promise writes the rows of its devices before it commits, as
        the checkout of the shop has always done by selling them. At Odoo's
        REPEATABLE READ isolation, of two transactions writing the same row
        the second waits for the first and, if the first commits, fails with
        a serialization error: Odoo runs its request again, and the new run
        finds the first promise in the pool's domain. Under READ COMMITTED,
        the pool read after the lock finds it at once. The rows are locked in
        id order, so that promises of overlapping devices do not deadlock.
        """
        if not self:
            return self
        ids = tuple(sorted(set(self.ids)))
        self.env.cr.execute(
            SQL(
                "SELECT id FROM reemploi_equipment WHERE id IN %s "
                "ORDER BY id FOR NO KEY UPDATE",
                ids,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE reemploi_equipment SET write_date = %s, write_uid = %s "
                "WHERE id IN %s",
                self.env.cr.now(),
                self.env.uid,
                ids,
            )
        )
        self.invalidate_recordset(["write_date", "write_uid"])
        # sudo: the promises of every path count, whoever takes the devices;
        # only the ids of the available ones are used
        available = set(
            self.sudo()
            .search([("id", "in", ids), *self._available_domain(partner)])
            .ids
        )
        return self.filtered(lambda device: device.id in available)

    def _pool_holder_labels(self, public=False):
        """{device: what holds it, in words} for those of these devices that
        a promise holds, to say why one is not available; ``public``: words
        that name nobody, for a visitor of the shop."""
        labels = {}
        # sudo: whoever sells or promises a device must know what holds it;
        # only the words of a message come out
        devices = self.sudo()
        for hold in self._pool_holds():
            for device in devices:
                promise = device[hold.field].filtered_domain(list(hold.held))[:1]
                if promise and device not in labels:
                    labels[device.sudo(False)] = promise._pool_hold_label(public)
        return labels
