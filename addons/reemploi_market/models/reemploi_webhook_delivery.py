import json
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.reemploi_asset.models.labels import selection_labels

from ..services import webhooks

EVENT_SELECTION = [
    (webhooks.DEVICE_STATE_CHANGED, "Device state changed"),
    (webhooks.LOT_STATE_CHANGED, "Lot state changed"),
]
BATCH = 20  # deliveries sent per call of the scheduled job
LOG_DAYS = 30  # successful deliveries are kept this long


class ReemploiWebhookDelivery(models.Model):
    """One event for one webhook: what was sent, when, and how it went.

    Deliveries are created in the transaction that changes the state and
    sent by a scheduled job once it is committed: the user never waits for
    a partner's server, and an event of a rolled back change is never sent.
    """

    _name = "reemploi.webhook.delivery"
    _description = "Webhook delivery"
    _order = "id desc"

    webhook_id = fields.Many2one(
        "reemploi.webhook", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        related="webhook_id.company_id", store=True, index=True, string="Operator"
    )
    url = fields.Char(related="webhook_id.url", string="URL")
    event = fields.Selection(EVENT_SELECTION, required=True, readonly=True)
    res_model = fields.Char(string="Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", readonly=True
    )
    occurred_at = fields.Datetime(required=True, readonly=True)
    data = fields.Text(readonly=True, help="The event's values, as JSON.")
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Delivered"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    next_attempt = fields.Datetime(
        readonly=True, index=True, default=fields.Datetime.now
    )
    last_attempt = fields.Datetime(readonly=True)
    response_code = fields.Integer(string="Last response code", readonly=True)
    response_excerpt = fields.Text(string="Last response (excerpt)", readonly=True)
    error = fields.Char(string="Last error", readonly=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)

    def _compute_display_name(self):
        labels = selection_labels(self, "event")
        for delivery in self:
            delivery.display_name = f"{labels.get(delivery.event, '')} #{delivery.id}"

    # ------------------------------------------------------------------
    # Enqueue (in the transaction of the change)
    # ------------------------------------------------------------------
    @api.model
    def _enqueue(self, event, records, previous):
        """Queue ``event`` for each of ``records`` (whose previous states are
        ``previous``, {id: state}) and each webhook that should hear of it.
        Nothing is sent here."""
        if not records:
            return self
        field = {
            webhooks.DEVICE_STATE_CHANGED: "event_device_state",
            webhooks.LOT_STATE_CHANGED: "event_lot_state",
        }[event]
        # sudo: the user's own action produced the event; the user may see
        # neither the webhooks nor their deliveries, which are routed here
        # by the records' operator and donor only
        Webhook = self.env["reemploi.webhook"].sudo()
        hooks = Webhook.search([(field, "=", True)])
        if not hooks:
            return self
        now = fields.Datetime.now()
        vals_list = []
        # sudo: the payload holds identifiers and states of records the user
        # has just changed
        for record in records.sudo():
            company, donor = record._webhook_scope()
            data = json.dumps(
                record._webhook_data(previous.get(record.id)), ensure_ascii=False
            )
            vals_list.extend(
                {
                    "webhook_id": hook.id,
                    "event": event,
                    "res_model": record._name,
                    "res_id": record.id,
                    "occurred_at": now,
                    "next_attempt": now,
                    "data": data,
                }
                for hook in hooks
                if hook._accepts(company, donor)
            )
        if not vals_list:
            return self
        # sudo: deliveries are queued by the state change of whoever made
        # it, for the webhooks that may hear of the record (checked above)
        deliveries = self.sudo().create(vals_list)
        deliveries._schedule(now)
        return deliveries

    def _schedule(self, when):
        """Wake the sending job at ``when``; the trigger is committed with
        the deliveries, so the job never runs before them."""
        # sudo: scheduled jobs are technical records; only this job is woken
        self.env.ref("reemploi_market.ir_cron_send_webhooks").sudo()._trigger(when)

    # ------------------------------------------------------------------
    # Sending (scheduled job)
    # ------------------------------------------------------------------
    @api.model
    def _due_domain(self, now):
        return [
            ("state", "=", "pending"),
            ("next_attempt", "<=", now),
            ("webhook_id.active", "=", True),
        ]

    @api.model
    def _cron_send(self):
        """Send the deliveries that are due, a batch per call; the job calls
        again (after a commit) while some remain."""
        ICP = self.env["ir.config_parameter"].sudo()
        batch = int(ICP.get_param("reemploi_market.webhook_batch", BATCH))
        now = fields.Datetime.now()
        due = self.search(self._due_domain(now), order="next_attempt, id", limit=batch)
        # another job (or a 'Retry' click) may be sending some of them
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = ANY(%s) FOR UPDATE SKIP LOCKED",
                SQL.identifier(self._table),
                due.ids,
            )
        )
        locked = {row[0] for row in self.env.cr.fetchall()}
        todo = due.filtered(lambda delivery: delivery.id in locked)
        for delivery in todo:
            delivery._attempt()
        remaining = self.search_count(self._due_domain(now))
        self.env["ir.cron"]._notify_progress(done=len(todo), remaining=remaining)
        return todo

    def _body(self):
        self.ensure_one()
        document = webhooks.payload(
            self.event,
            self.id,
            self.occurred_at.isoformat() + "Z",
            json.loads(self.data or "{}"),
        )
        return webhooks.encode(document)

    def _attempt(self):
        """Send this delivery once and log how it went."""
        self.ensure_one()
        webhook = self.webhook_id
        body = self._body()
        headers = webhooks.headers(
            webhook.secret, self.event, self.id, body, time.time()
        )
        outcome = webhooks.send(
            webhook.url,
            body,
            headers,
            webhook.timeout,
            allowed_hosts=webhook._allowed_hosts(),
        )
        attempts = self.attempt_count + 1
        now = fields.Datetime.now()
        values = {
            "attempt_count": attempts,
            "last_attempt": now,
            "response_code": outcome.status or 0,
            "response_excerpt": outcome.excerpt,
            "error": outcome.error,
            "duration_ms": outcome.duration_ms,
        }
        if outcome.ok:
            values["state"] = "done"
        else:
            delay = webhooks.next_delay(attempts)
            if delay is None:
                values["state"] = "failed"
            else:
                values["next_attempt"] = now + timedelta(seconds=delay)
        self.write(values)
        if self.state == "pending":
            self._schedule(self.next_attempt)
        return outcome

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_retry(self):
        """Send again at once (one more attempt for a failed delivery)."""
        now = fields.Datetime.now()
        self.write({"state": "pending", "next_attempt": now})
        self._schedule(now)
        return True

    @api.autovacuum
    def _gc_deliveries(self):
        ICP = self.env["ir.config_parameter"].sudo()
        days = int(ICP.get_param("reemploi_market.webhook_log_days", LOG_DAYS))
        limit = fields.Datetime.now() - timedelta(days=days)
        self.search([("state", "=", "done"), ("occurred_at", "<", limit)]).unlink()
