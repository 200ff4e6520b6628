import base64
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, split_every

from ..services import merkle

_logger = logging.getLogger(__name__)

# Context value with which _publish() creates a root. It is an object, not
# a flag: no RPC, import or URL can send it.
ROOT_WRITE = object()


class ReemploiCustodyRoot(models.Model):
    """The daily Merkle root over the latest custody hash of every device.

    Published on the website (``/tracabilite/racines``, JSON and Atom
    feeds), printed with each device's proof on its take-back report and
    erasure certificate: whoever keeps a copy can later tell whether a
    device's history was rewritten, even by someone with database access.
    The rules of the tree are in ``services/merkle.py``.

    Written once by :meth:`_publish` (the daily job), never changed nor
    deleted by anybody, except when the module is uninstalled.
    """

    _name = "reemploi.custody.root"
    _description = "Published custody root"
    _order = "date desc"

    date = fields.Date(
        required=True,
        readonly=True,
        help="Day (UTC) on which the root was computed.",
    )
    root = fields.Char(
        required=True,
        readonly=True,
        help="Merkle root (SHA-256, hexadecimal) over the latest custody "
        "hash of every device on that day.",
    )
    leaf_count = fields.Integer(string="Devices", readonly=True)
    algorithm = fields.Char(required=True, readonly=True)
    leaves = fields.Binary(
        attachment=True,
        readonly=True,
        help="The leaves of the tree, sorted: 32 bytes per device.",
    )

    # no index of its own: the unique constraint's index serves lookups
    _sql_constraints = [
        ("date_unique", "unique(date)", "A single custody root is published a day."),
    ]

    @api.depends("date")
    def _compute_display_name(self):
        for root in self:
            root.display_name = self.env._(
                "Custody root of %(date)s", date=format_date(self.env, root.date)
            )

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("reemploi_custody_root_write") is not ROOT_WRITE:
            raise UserError(
                self.env._(
                    "Custody roots are computed by the daily job from the custody "
                    "chains and cannot be created by hand."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        raise UserError(
            self.env._(
                "A published custody root is evidence and cannot be changed; the "
                "next day's root will take the new custody events."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("A published custody root is evidence and cannot be deleted.")
        )

    # ------------------------------------------------------------------
    # Publication
    # ------------------------------------------------------------------
    def action_publish(self):
        """The coordinators' button (in the list's header: called on the
        selected roots, or none): publish today's root now, if the job has
        not yet."""
        if not self.env.user.has_group("reemploi_asset.group_reemploi_coordinator"):
            raise AccessError(
                self.env._("Only the territory coordinators publish custody roots.")
            )
        self._publish()
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _cron_publish(self):
        """The daily job: check the latest root against the stored chains,
        then publish today's."""
        self.search([], limit=1)._verify()
        return self._publish()

    @api.model
    def _publish(self):
        """Compute and store today's root (UTC) over the latest custody hash
        of every device; return it. A root already published today is
        returned as it is; with no custody event at all, nothing is
        published (an empty recordset)."""
        day = fields.Date.today()
        published = self.search([("date", "=", day)], limit=1)
        if published:
            return published
        leaves = merkle.sort_leaves(
            merkle.leaf_hash(token, head) for token, head in self._current_heads()
        )
        if not leaves:
            return self.browse()
        # sudo: nobody has the right to create a root (access rights and
        # create()); this method is its one writer, from the stored chains
        root = (
            self.sudo()
            .with_context(reemploi_custody_root_write=ROOT_WRITE)
            .create(
                {
                    "date": day,
                    "root": merkle.root(leaves).hex(),
                    "leaf_count": len(leaves),
                    "algorithm": merkle.ALGORITHM,
                    "leaves": base64.b64encode(merkle.pack(leaves)),
                }
            )
        )
        _logger.info(
            "Custody root of %s published: %s (%s devices)",
            day,
            root.root,
            root.leaf_count,
        )
        return self.browse(root.id)

    @api.model
    def _current_heads(self):
        """``[(qr_token, hash)]``: the latest event of every device's chain,
        read from the stored rows."""
        self.env["reemploi.custody.event"].flush_model()
        self.env["reemploi.equipment"].flush_model(["qr_token"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (event.equipment_id)
                   equipment.qr_token, COALESCE(event.hash, '')
              FROM reemploi_custody_event event
              JOIN reemploi_equipment equipment ON equipment.id = event.equipment_id
          ORDER BY event.equipment_id, event.sequence DESC
            """
        )
        return self.env.cr.fetchall()

    def _public_values(self):
        """What the website and its feeds show of this root (JSON-ready):
        hashes, a count and dates, nothing about anyone."""
        self.ensure_one()
        return {
            "date": self.date.isoformat(),
            "root": self.root,
            "leaf_count": self.leaf_count,
            "algorithm": self.algorithm,
            "computed_at": self.create_date.replace(microsecond=0).isoformat() + "Z",
        }

    # ------------------------------------------------------------------
    # Proofs
    # ------------------------------------------------------------------
    def _leaves(self):
        """The sorted leaves (32 bytes each) stored with this root."""
        self.ensure_one()
        # sudo: the leaves are hashes, public like the root they give; the
        # attachment that holds them is read for this root only
        data = self.sudo().with_context(bin_size=False).leaves
        return merkle.unpack(base64.b64decode(data or b""))

    @api.model
    def _latest(self):
        """The latest published root (sudo), or an empty recordset."""
        # sudo: published roots are public
        return self.sudo().search([], limit=1)

    @api.model
    def _device_events(self, devices):
        """``{device id: (qr_token, [(sequence, hash)] newest first)}``,
        read from the stored rows."""
        self.env["reemploi.custody.event"].flush_model()
        self.env["reemploi.equipment"].flush_model(["qr_token"])
        self.env.cr.execute(
            """
            SELECT event.equipment_id, equipment.qr_token, event.sequence,
                   COALESCE(event.hash, '')
              FROM reemploi_custody_event event
              JOIN reemploi_equipment equipment ON equipment.id = event.equipment_id
             WHERE event.equipment_id = ANY(%s)
          ORDER BY event.equipment_id, event.sequence DESC
            """,
            [list(devices.ids)],
        )
        chains = {}
        for device_id, token, sequence, event_hash in self.env.cr.fetchall():
            chains.setdefault(device_id, (token, []))[1].append((sequence, event_hash))
        return chains

    @api.model
    def _latest_proofs(self, devices):
        """``{device id: proof}`` of ``devices`` against the latest root;
        a device that the root does not hold (registered since) has no
        entry. See :meth:`_proofs`."""
        return self._latest()._proofs(devices)

    def _proofs(self, devices):
        """``{device id: proof}`` of ``devices`` in this root (or in none,
        an empty recordset): the event of the device's current chain that
        the root took, and the siblings leading from its leaf to the root.

        A proof is a dict: ``date``, ``root``, ``algorithm``,
        ``leaf_count`` (of the root), ``token``, ``sequence`` and
        ``event_hash`` (the event), ``leaf``, and ``path``: ``[{"side":
        "left"|"right", "hash"}]`` (``services/merkle.py``).

        A device whose chain holds no event that the root took has no entry:
        either it was registered after the root, or its history was
        rewritten since (see :meth:`_verify`).
        """
        if not self or not devices:
            return {}
        self.ensure_one()
        leaves = self._leaves()
        tree = None
        proofs = {}
        for device_id, (token, events) in self._device_events(devices).items():
            for sequence, event_hash in events:
                leaf = merkle.leaf_hash(token, event_hash)
                index = merkle.index_of(leaves, leaf)
                if index is None:
                    continue
                tree = tree or merkle.levels(leaves)
                proofs[device_id] = {
                    "date": self.date,
                    "root": self.root,
                    "algorithm": self.algorithm,
                    "leaf_count": self.leaf_count,
                    "token": token,
                    "sequence": sequence,
                    "event_hash": event_hash,
                    "leaf": leaf.hex(),
                    "path": merkle.proof_to_hex(merkle.proof(tree, index)),
                }
                break
        return proofs

    # ------------------------------------------------------------------
    # Verification
    # ------------------------------------------------------------------
    def _verify(self):
        """Check these roots against what is stored now.

        Return ``{root id: message}`` for each root whose stored leaves no
        longer give its published value, or that holds a leaf no event of
        the current custody chains gives: a device's history was rewritten
        since the root was published (its chain may still verify on its
        own, if it was rewritten whole).
        """
        broken = {}
        remaining = {}
        for root in self:
            try:
                leaves = root._leaves()
            except merkle.ProofError:
                leaves = None
            if (
                leaves is None
                or merkle.root(leaves).hex() != root.root
                or len(leaves) != root.leaf_count
            ):
                broken[root.id] = self.env._(
                    "The stored leaves of the custody root of %(date)s no longer "
                    "give its published value: they were changed outside the "
                    "application.",
                    date=format_date(self.env, root.date),
                )
            else:
                remaining[root] = set(leaves)
        if remaining:
            self._discard_current_leaves(remaining)
        for root, missing in remaining.items():
            if missing:
                broken[root.id] = self.env._(
                    "The custody history of %(count)s device(s) no longer holds "
                    "the event that the custody root of %(date)s published: it was "
                    "rewritten outside the application. Restore it from a backup "
                    "and investigate.",
                    count=len(missing),
                    date=format_date(self.env, root.date),
                )
        for message in broken.values():
            _logger.warning(message)
        return broken

    @api.model
    def _discard_current_leaves(self, remaining):
        """Remove from each set of ``remaining`` ({root: set of leaves}) the
        leaves that an event of the current chains gives, a batch of devices
        at a time."""
        self.env["reemploi.custody.event"].flush_model()
        self.env["reemploi.equipment"].flush_model(["qr_token"])
        self.env.cr.execute(
            "SELECT DISTINCT equipment_id FROM reemploi_custody_event ORDER BY 1"
        )
        equipment_ids = [row[0] for row in self.env.cr.fetchall()]
        for batch in split_every(1000, equipment_ids, list):
            self.env.cr.execute(
                """
                SELECT equipment.qr_token, COALESCE(event.hash, '')
                  FROM reemploi_custody_event event
                  JOIN reemploi_equipment equipment
                    ON equipment.id = event.equipment_id
                 WHERE event.equipment_id = ANY(%s)
                """,
                [batch],
            )
            current = {
                merkle.leaf_hash(token, event_hash)
                for token, event_hash in self.env.cr.fetchall()
            }
            for leaves in remaining.values():
                leaves -= current
