import random
from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models

from odoo.addons.reemploi_asset.services import lifecycle
from odoo.addons.reemploi_asset.services.demo_clock import demo_clock

from ..services.lot_lifecycle import (
    CANCELLED,
    COLLECTED,
    DECLARED,
    DRAFT,
    MATCHED,
    PROCESSED,
    RECEIVED,
    REPORTED,
    SCHEDULED,
)

# Days after its declaration when a lot reaches each state, as the
# operators of the demo usually work; a step that would fall after today
# has not happened yet.
STEP_DAYS = {
    MATCHED: 3,
    SCHEDULED: 7,
    COLLECTED: 14,
    RECEIVED: 15,
    PROCESSED: 35,
    REPORTED: 42,
}
PATH = [DECLARED, MATCHED, SCHEDULED, COLLECTED, RECEIVED, PROCESSED, REPORTED]
# devices processed (erased, graded, then reused or recycled) between the
# reception and the closing of the lot
ERASE_DAY, GRADE_DAY, OUTCOME_DAY = 20, 22, 28
# lots processed less than this many days ago still have devices on the shop
SHOP_DAYS = 120
SHOP_CATEGORIES = ("laptop", "desktop", "monitor", "smartphone", "tablet")
# grades of the devices that keep their data-bearing medium: cumulated shares
GRADE_SHARES = (("A", 0.25), ("B", 0.65), ("C", 0.9), ("D", 1.0))
# storage media broken beyond erasure: destroyed, and the device recycled
DESTROYED_SHARE = 0.04
# outcome of the devices graded A to C: on the shop (recent lots only),
# sold, otherwise donated; printers and the like are donated
SHOP_SHARE, SOLD_SHARE = 0.45, 0.7


class ReemploiLotDemoMixin(models.AbstractModel):
    """Demo data: eighteen months of lots, played at their own dates.
    Inherited by ``reemploi.lot`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.lot.demo.mixin"
    _description = "Lot: demo data"

    @api.model
    def _demo_play_story(self, lots, seed=2025):
        """Declare, match, collect, receive, process and report the demo
        lots at their dates, in the order things happened, through the real
        actions (custody chains are sealed at those dates and verify).

        ``lots``: list of dicts with ``donor``, ``site``, ``contact`` (ids),
        ``days_ago`` (declaration), ``devices`` ({category code: count}),
        ``target`` (last state; the lot stops earlier when the next step
        would fall after today), ``note`` (access notes, in French) and
        optional ``missing`` (devices not found at the collection).
        """
        rng = random.Random(seed)
        today = fields.Date.context_today(self)
        now = datetime.combine(today, time(8, 0))
        chosen = set()
        steps = []
        for number, spec in enumerate(lots):
            devices = self._demo_pick_devices(spec, chosen)
            start = datetime.combine(
                today - timedelta(days=spec["days_ago"]), time(9, 0)
            ) + timedelta(minutes=rng.randint(0, 420))
            plan = self._demo_plan_lot(spec, devices, start, now, rng)
            steps += [
                (when, number, order, step) for order, (when, step) in enumerate(plan)
            ]
        steps.sort(key=lambda item: item[:3])
        context = {"lots": {}, "specs": lots}
        if not steps:
            return True
        with demo_clock(self.env.cr, steps[0][0]) as clock:
            for when, number, _order, step in steps:
                clock.move_to(when)
                step(context, number)
            self.env.flush_all()
        return True

    @api.model
    def _demo_pick_devices(self, spec, chosen):
        """The donor's oldest devices still in its register, per category,
        those of the lot's site first. Devices of other demo records (with
        an XML id) or of an import source are left to them."""
        Equipment = self.env["reemploi.equipment"]
        if not chosen:
            chosen.update(
                self.env["ir.model.data"]
                .search([("model", "=", Equipment._name)])
                .mapped("res_id")
            )
        devices = Equipment
        for code, count in spec["devices"].items():
            candidates = Equipment.search(
                [
                    ("owner_id", "=", spec["donor"]),
                    ("category_id.code", "=", code),
                    ("state", "in", sorted(lifecycle.OWNER_STATES)),
                    ("id", "not in", list(chosen)),
                    ("import_source_id", "=", False),
                ],
                order="purchase_date, id",
            )
            candidates = candidates.sorted(
                lambda d: (d.site_id.id != spec["site"], d.purchase_date, d.id)
            )[:count]
            chosen.update(candidates.ids)
            devices |= candidates
        return devices

    @api.model
    def _demo_plan_lot(self, spec, devices, start, now, rng):
        """[(datetime, step)] of one lot: its states, and the processing and
        outcome of each of its devices."""
        target = spec["target"]
        plan = [(start, self._demo_step_create(devices))]
        if target == DRAFT:
            return plan
        plan.append((start + timedelta(minutes=20), self._demo_step_declare()))
        if target == CANCELLED:
            plan.append((start + timedelta(days=5, hours=2), self._demo_step_cancel()))
            return plan
        path = PATH[1 : PATH.index(target) + 1]
        reached = DECLARED
        for state in path:
            when = start + timedelta(days=STEP_DAYS[state], hours=rng.randint(0, 6))
            if when >= now:
                break
            reached = state
            plan.append((when, self._demo_step_state(state)))
            if state == COLLECTED and spec.get("missing"):
                plan.append(
                    (
                        when + timedelta(minutes=30),
                        self._demo_step_missing(spec["missing"]),
                    )
                )
        if PATH.index(reached) < PATH.index(RECEIVED):
            return plan
        # the devices' processing, at their own pace: erased, graded, then
        # reused or recycled before the lot is processed; sold later
        plan += [
            (when, step)
            for when, step in self._demo_plan_devices(devices, start, now, rng)
            if when < now
        ]
        return plan

    @api.model
    def _demo_plan_devices(self, devices, start, now, rng):
        """[(datetime, step)] of the devices of a lot received at ``start``
        plus 15 days: erasure, grading, then the outcome of each."""
        erase = devices.filtered("has_data_medium")
        plan = []
        destroyed = erase.filtered(lambda _d: rng.random() < DESTROYED_SHARE)
        grades = {}
        for device in devices - destroyed:
            draw = rng.random()
            grades[device.id] = next(g for g, share in GRADE_SHARES if draw < share)
        day = timedelta(days=1)
        plan.append(
            (
                start + ERASE_DAY * day,
                self._demo_step_erase(erase - destroyed, destroyed),
            )
        )
        plan.append((start + GRADE_DAY * day, self._demo_step_grade(grades)))
        recent = now - start < timedelta(days=SHOP_DAYS + STEP_DAYS[PROCESSED])
        outcome_at = start + OUTCOME_DAY * day
        # (date, outcome) -> devices, so that devices go in batches
        outcomes = {
            (outcome_at, "recycle"): destroyed.ids
            + [i for i, grade in grades.items() if grade == "D"]
        }
        for device in devices.filtered(lambda d: grades.get(d.id, "D") != "D"):
            draw = rng.random()
            shop = device.category_id.code in SHOP_CATEGORIES
            sold_at = outcome_at + timedelta(days=rng.randint(3, 60), hours=3)
            # not sold yet: still on the shop
            unsold = draw < SOLD_SHARE and sold_at >= now
            if shop and (recent and draw < SHOP_SHARE or unsold):
                outcomes.setdefault((outcome_at, "shop"), []).append(device.id)
            elif shop and draw < SOLD_SHARE:
                outcomes.setdefault((outcome_at, "publish"), []).append(device.id)
                outcomes.setdefault((sold_at, "sell"), []).append(device.id)
            else:
                donated_at = outcome_at + timedelta(days=rng.randint(1, 5), hours=2)
                outcomes.setdefault((donated_at, "donate"), []).append(device.id)
        plan += [
            (when, self._demo_step_outcome(outcome, device_ids))
            for (when, outcome), device_ids in outcomes.items()
        ]
        return plan

    # ------------------------------------------------------------------
    # Steps: each is called with the story's context and the lot's number
    # ------------------------------------------------------------------
    def _demo_env_of(self, user):
        """The environment of ``user`` (falls back to the administrator),
        as superuser: the story runs every role's actions."""
        user = user or self.env.ref("base.user_admin")
        # the demo speaks French: what the actions write (custody notes,
        # messages) is in French
        return self.env(
            user=user.id, su=True, context=dict(self.env.context, lang="fr_FR")
        )

    def _demo_operator_user(self, company):
        """The operator's first employee doing the work, if any."""
        return self.env["res.users"].search(
            [("company_id", "=", company.id), ("share", "=", False)],
            order="id",
            limit=1,
        )

    def _demo_step_create(self, devices):
        def step(context, number):
            spec = context["specs"][number]
            contact = self.env["res.partner"].browse(spec["contact"])
            donor_user = contact.user_ids[:1]
            env = self._demo_env_of(donor_user)
            lot = env["reemploi.lot"].create(
                {
                    "partner_id": spec["donor"],
                    "site_id": spec["site"],
                    "contact_partner_id": contact.id,
                    "contact_phone": contact.phone or "04 76 00 00 00",
                    "date_from": fields.Date.context_today(self) + timedelta(days=7),
                    "date_to": fields.Date.context_today(self) + timedelta(days=40),
                    "floor": spec.get("floor", 0),
                    "has_lift": True,
                    "has_loading_dock": spec.get("dock", False),
                    "access_notes": spec["note"],
                    "line_ids": [
                        Command.create({"equipment_id": device.id})
                        for device in devices
                    ],
                }
            )
            context["lots"][number] = lot

        return step

    def _demo_step_declare(self):
        def step(context, number):
            lot = context["lots"][number]
            donor_user = lot.contact_partner_id.user_ids[:1]
            lot.with_env(self._demo_env_of(donor_user)).action_declare()

        return step

    def _demo_step_cancel(self):
        def step(context, number):
            lot = context["lots"][number]
            donor_user = lot.contact_partner_id.user_ids[:1]
            lot.with_env(self._demo_env_of(donor_user)).action_cancel()

        return step

    def _demo_step_state(self, state):
        def step(context, number):
            lot = context["lots"][number]
            if state == MATCHED:
                self._demo_match(lot)
                return
            user = self._demo_operator_user(lot.company_id)
            lot = lot.with_env(self._demo_env_of(user)).with_company(lot.company_id)
            getattr(
                lot,
                {
                    SCHEDULED: "action_schedule",
                    COLLECTED: "action_collect",
                    RECEIVED: "action_receive",
                    PROCESSED: "action_process",
                    REPORTED: "action_report",
                }[state],
            )()

        return step

    def _demo_match(self, lot):
        """The coordinator runs the matching; the operator offered the lot
        accepts it."""
        coordinator = self.env.ref(
            "reemploi_asset.user_coordinator_sophie_demo", raise_if_not_found=False
        )
        lot.with_env(self._demo_env_of(coordinator)).action_propose()
        proposal = lot.current_proposal_id
        if not proposal:
            # nobody free in the period: the coordinator asks the nearest one
            operator = self.env.ref("reemploi_asset.company_alpes_reemploi_demo")
            lot.with_env(self._demo_env_of(coordinator)).action_match(operator)
            return
        user = self._demo_operator_user(proposal.company_id)
        proposal.with_env(self._demo_env_of(user)).with_company(
            proposal.company_id
        ).action_accept()

    def _demo_step_missing(self, count):
        def step(context, number):
            lot = context["lots"][number]
            user = self._demo_operator_user(lot.company_id)
            devices = lot.equipment_ids.sorted("id")[:count]
            env = self._demo_env_of(user)
            devices.with_env(env).with_company(lot.company_id)._transition(
                lifecycle.MISSING,
                note=env._("Not found at the collection of lot %(lot)s", lot=lot.name),
                document_ref=lot.name,
            )

        return step

    def _demo_device_env(self, devices):
        company = devices[:1].company_id
        user = self._demo_operator_user(company)
        return devices.with_env(self._demo_env_of(user)).with_company(company)

    def _demo_step_erase(self, erase, destroyed):
        def step(context, number):
            for devices, destroy in ((erase, False), (destroyed, True)):
                devices = devices.filtered(lambda d: d.state == lifecycle.RECEIVED)
                if not devices:
                    continue
                devices = self._demo_device_env(devices)
                devices._demo_record_erasures(destroy=destroy)
                if not destroy:
                    devices.action_mark_erased()

        return step

    def _demo_step_grade(self, grades):
        def step(context, number):
            devices = self.env["reemploi.equipment"].browse(list(grades))
            devices = devices.filtered(
                lambda d: (
                    d.state == lifecycle.ERASED
                    or (d.state == lifecycle.RECEIVED and not d.has_data_medium)
                )
            )
            if not devices:
                return
            devices = self._demo_device_env(devices)
            devices._demo_record_gradings({d.id: grades[d.id] for d in devices})
            devices.action_grade()

        return step

    def _demo_step_outcome(self, outcome, device_ids):
        def step(context, number):
            devices = self.env["reemploi.equipment"].browse(device_ids)
            devices = devices.filtered(lambda d: d.state != lifecycle.MISSING)
            if not devices:
                return
            devices = self._demo_device_env(devices)
            if outcome == "recycle":
                devices.filtered(
                    lambda d: d.state != lifecycle.RECYCLED
                ).action_recycle()
            elif outcome == "shop":
                devices.action_refurbish()
                devices.action_publish_shop()
            elif outcome == "publish":
                devices.action_refurbish()
                devices.action_publish()
            elif outcome == "sell":
                devices.action_sell()
            elif outcome == "donate":
                devices.action_donate()

        return step
