from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.reemploi_asset.services import lifecycle


class ReemploiImportSource(models.Model):
    """The partner API imports through a source of its own per donor, so
    that its devices go through the same upsert engine as files and
    connectors, with their runs and rejected rows."""

    _inherit = "reemploi.import.source"

    kind = fields.Selection(
        selection_add=[("api", "Partner API")], ondelete={"api": "set default"}
    )

    def _sync_cron(self):
        api_sources = self.filtered(lambda source: source.kind == "api")
        # sudo: scheduled jobs are technical records; an API source receives
        # its devices, it has nothing to pull
        api_sources.sudo().cron_id.active = False
        return super(ReemploiImportSource, self - api_sources)._sync_cron()

    @api.onchange("kind")
    def _onchange_kind(self):
        if self.kind == "api":
            self.preset = "generic"
            return None
        return super()._onchange_kind()

    def action_sync_now(self):
        for source in self:
            if source.kind == "api":
                raise UserError(
                    self.env._(
                        "%(name)s receives its devices from the partner API: "
                        "there is nothing to synchronise.",
                        name=source.name,
                    )
                )
        return super().action_sync_now()

    @api.model
    def _api_source(self, organisation):
        """The source of the devices ``organisation`` sends through the API,
        created on its first call."""
        return self._organisation_source(
            organisation,
            "api",
            {
                "name": self.env._(
                    "Partner API — %(organisation)s", organisation=organisation.name
                ),
                "preset": "generic",
                "mapping_ids": [
                    Command.create(
                        {
                            "mapping_type": "state",
                            "source_value": state,
                            "target_state": state,
                        }
                    )
                    for state in sorted(lifecycle.OWNER_STATES)
                ],
            }
        )
