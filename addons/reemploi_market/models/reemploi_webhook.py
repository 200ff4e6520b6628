import secrets

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.reemploi_asset.models.actions import related_records_action

from ..services import webhooks


class ReemploiWebhook(models.Model):
    """An address of a partner's system told about state changes."""

    _name = "reemploi.webhook"
    _description = "Webhook"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    url = fields.Char(
        string="URL",
        required=True,
        help="Address that receives the events as signed HTTP POST requests.",
    )
    secret = fields.Char(
        required=True,
        copy=False,
        default=lambda self: self._default_secret(),
        groups="reemploi_asset.group_reemploi_operator_manager,"
        "reemploi_asset.group_reemploi_coordinator",
        help="Shared secret of the HMAC-SHA256 signature (X-Reemploi-Signature "
        "header): give it to the receiver, which checks every request with it.",
    )
    event_device_state = fields.Boolean(string="Device state changes", default=True)
    event_lot_state = fields.Boolean(string="Lot state changes", default=True)
    company_id = fields.Many2one(
        "res.company",
        string="Operator",
        index=True,
        default=lambda self: self.env.company,
        help="Only the events of this operator's devices and lots. Empty: "
        "every operator's (coordinators only).",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Donor",
        index=True,
        domain=[("is_company", "=", True)],
        help="Only the events of this donor organisation's devices and lots.",
    )
    timeout = fields.Integer(
        string="Timeout (s)",
        default=10,
        help="Seconds to wait for the receiver's answer before the attempt "
        "counts as failed.",
    )
    delivery_ids = fields.One2many(
        "reemploi.webhook.delivery", "webhook_id", string="Deliveries"
    )
    delivery_count = fields.Integer(compute="_compute_delivery_counts")
    failed_count = fields.Integer(
        string="Failed deliveries", compute="_compute_delivery_counts"
    )

    _sql_constraints = [
        (
            "timeout_range",
            "CHECK(timeout BETWEEN 1 AND 60)",
            "The timeout of a webhook is between 1 and 60 seconds.",
        ),
    ]

    @api.model
    def _default_secret(self):
        return secrets.token_hex(32)

    def _compute_delivery_counts(self):
        counts = {
            (webhook.id, state): count
            for webhook, state, count in self.env[
                "reemploi.webhook.delivery"
            ]._read_group(
                [("webhook_id", "in", self.ids)], ["webhook_id", "state"], ["__count"]
            )
        }
        for webhook in self:
            webhook.delivery_count = sum(
                counts.get((webhook.id, state), 0)
                for state in ("pending", "done", "failed")
            )
            webhook.failed_count = counts.get((webhook.id, "failed"), 0)

    @api.model
    def _allowed_hosts(self):
        """Hosts an administrator allows although they resolve to internal
        addresses (system parameter ``reemploi_market.webhook_allowed_hosts``,
        comma-separated): an integration inside the operator's network."""
        # sudo: reads one system parameter, which only administrators write
        text = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("reemploi_market.webhook_allowed_hosts", "")
        )
        return webhooks.parse_hosts(text)

    @api.constrains("url")
    def _check_url(self):
        allowed = self._allowed_hosts()
        for webhook in self:
            try:
                webhooks.check_target(webhook.url, allowed)
            except webhooks.TargetRefused as refused:
                if refused.reason == "unresolved":
                    # not known yet (or no DNS here): every delivery checks
                    # the address again before connecting
                    continue
                if refused.reason == "internal":
                    raise ValidationError(
                        self.env._(
                            "The URL of webhook %(name)s points to %(host)s, an "
                            "internal address (%(address)s): webhooks are only "
                            "sent to public servers. If this receiver really is "
                            "inside your network, ask an administrator to add "
                            "%(host)s to the system parameter "
                            "reemploi_market.webhook_allowed_hosts.",
                            name=webhook.name,
                            host=refused.host,
                            address=refused.address,
                        )
                    ) from refused
                raise ValidationError(
                    self.env._(
                        "The URL of webhook %(name)s must start with https:// "
                        "(or http://) and name a server.",
                        name=webhook.name,
                    )
                ) from refused

    def _events(self):
        """The events this webhook subscribes to."""
        self.ensure_one()
        return {
            event
            for event, subscribed in (
                (webhooks.DEVICE_STATE_CHANGED, self.event_device_state),
                (webhooks.LOT_STATE_CHANGED, self.event_lot_state),
            )
            if subscribed
        }

    def _accepts(self, company, donor):
        """Whether an event of a record held by ``company`` and given by
        ``donor`` is for this webhook: a webhook never hears of records
        outside its operator or its donor."""
        self.ensure_one()
        if self.company_id and self.company_id != company:
            return False
        return not self.partner_id or self.partner_id == donor

    def action_regenerate_secret(self):
        for webhook in self:
            webhook.secret = self._default_secret()
        return True

    def action_open_deliveries(self):
        return related_records_action(
            self, "reemploi_market.reemploi_webhook_delivery_action", "webhook_id"
        )
