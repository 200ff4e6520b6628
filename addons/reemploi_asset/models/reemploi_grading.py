from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services import grading as grading_rules
from .labels import selection_labels

CHECK_SELECTION = [("ok", "OK"), ("ko", "Failed"), ("na", "Not applicable")]

# computed from the checks, never given
# Context value with which the session's buttons write its state. It is an
# object, not a flag: no RPC, import or URL can send it.
STATE_WRITE = object()

COMPUTED_GRADE_FIELDS = frozenset(
    {
        "battery_health",
        "cosmetic_grade_id",
        "functional_grade_id",
        "functions_tested",
        "grade_id",
        "grade_reasons",
    }
)
# what a validated session proves: frozen once done
EVIDENCE_FIELDS = frozenset(
    {
        "equipment_id",
        "company_id",
        "user_id",
        "date",
        "battery_design_capacity",
        "battery_full_capacity",
        "defect_ids",
        "cosmetic_checked",
        "photo_ids",
        *(f"check_{code}" for code in grading_rules.CHECK_CODES),
    }
)


class ReemploiGrading(models.Model):
    _name = "reemploi.grading"
    _description = "Grading session"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    equipment_id = fields.Many2one(
        "reemploi.equipment",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        default=lambda self: self.env.user,
        required=True,
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    check_power = fields.Selection(CHECK_SELECTION, string="Powers on")
    check_boot = fields.Selection(CHECK_SELECTION, string="Boots")
    check_screen = fields.Selection(CHECK_SELECTION, string="Screen")
    check_storage = fields.Selection(CHECK_SELECTION, string="Storage")
    check_keyboard = fields.Selection(CHECK_SELECTION, string="Keyboard")
    check_pointing = fields.Selection(CHECK_SELECTION, string="Touchpad / touch")
    check_battery = fields.Selection(CHECK_SELECTION, string="Battery charges")
    check_ports = fields.Selection(CHECK_SELECTION, string="Ports")
    check_network = fields.Selection(CHECK_SELECTION, string="Wi-Fi / network")
    check_audio = fields.Selection(CHECK_SELECTION, string="Audio")
    check_camera = fields.Selection(CHECK_SELECTION, string="Camera")
    battery_design_capacity = fields.Float(string="Battery design capacity (Wh)")
    battery_full_capacity = fields.Float(string="Battery full-charge capacity (Wh)")
    battery_health = fields.Float(
        string="Battery health (%)", compute="_compute_grade", store=True
    )
    category_id = fields.Many2one(related="equipment_id.category_id")
    has_battery = fields.Boolean(related="equipment_id.category_id.has_battery")
    defect_ids = fields.Many2many("reemploi.defect", string="Defects")
    cosmetic_checked = fields.Boolean(
        string="Cosmetic condition checked",
        copy=False,
        help="The technician looked at the device: each defect seen is "
        "recorded, or nothing was to report. A session is validated only "
        "once its cosmetic condition is checked.",
    )
    functions_tested = fields.Boolean(
        string="Every function tested",
        compute="_compute_functions_tested",
        store=True,
        help="Every functional check is recorded (OK or not applicable) and "
        "none failed. With a verified erasure, the device may be called "
        "\"reconditionné\" (décret 2022-190).",
    )
    photo_ids = fields.Many2many(
        "ir.attachment",
        "reemploi_grading_photo_rel",
        "grading_id",
        "attachment_id",
        string="Photos",
    )
    cosmetic_grade_id = fields.Many2one(
        "reemploi.grade", compute="_compute_grade", store=True, string="Cosmetic grade"
    )
    functional_grade_id = fields.Many2one(
        "reemploi.grade",
        compute="_compute_grade",
        store=True,
        string="Functional grade",
    )
    grade_id = fields.Many2one("reemploi.grade", compute="_compute_grade", store=True)
    grade_reasons = fields.Text(compute="_compute_grade", store=True, string="Why")
    note = fields.Text()

    def _check_values(self):
        self.ensure_one()
        return {
            code: self[f"check_{code}"]
            for code in grading_rules.CHECK_CODES
            if self[f"check_{code}"]
        }

    @api.depends(
        *[f"check_{code}" for code in grading_rules.CHECK_CODES],
        "battery_design_capacity",
        "battery_full_capacity",
        "defect_ids.kind",
        "defect_ids.severity",
    )
    def _compute_grade(self):
        grades = {
            (g.scale, g.code): g
            for g in self.env["reemploi.grade"]
            .with_context(active_test=False)
            .search([])
        }
        for session in self:
            session.update(
                {
                    "battery_health": 0.0,
                    "cosmetic_grade_id": False,
                    "functional_grade_id": False,
                    "grade_id": False,
                    "grade_reasons": False,
                }
            )
            try:
                health = grading_rules.battery_health(
                    session.battery_design_capacity,
                    session.battery_full_capacity or None,
                )
                result = grading_rules.compute_grade(
                    session._check_values(),
                    [(d.kind, d.severity) for d in session.defect_ids],
                    health,
                )
            except grading_rules.GradingError as error:
                session.grade_reasons = session._grading_message(error.code, error.params) or str(error)
                continue
            session.update(
                {
                    "battery_health": health or 0.0,
                    "cosmetic_grade_id": grades.get(("overall", result.cosmetic)),
                    "functional_grade_id": grades.get(
                        ("functional", result.functional)
                    ),
                    "grade_id": grades.get(("overall", result.grade)),
                    "grade_reasons": "\n".join(
                        session._grading_message(reason.code, dict(reason.params))
                        for reason in result.reasons
                    ),
                }
            )

    @api.depends(
        *[f"check_{code}" for code in grading_rules.CHECK_CODES],
        "equipment_id.category_id.has_battery",
    )
    def _compute_functions_tested(self):
        for session in self:
            # a device without battery has no battery to test
            codes = [
                code
                for code in grading_rules.CHECK_CODES
                if code != "battery" or session.has_battery
            ]
            values = [session[f"check_{code}"] for code in codes]
            session.functions_tested = all(value in ("ok", "na") for value in values)

    @api.onchange("defect_ids")
    def _onchange_defect_ids_cosmetic_checked(self):
        """Tapping a cosmetic defect is checking the cosmetic condition."""
        if any(defect.kind == "cosmetic" for defect in self.defect_ids):
            self.cosmetic_checked = True

    def _grading_message(self, code, params):
        """A step of the grade's justification (services/grading.py) in the
        user's language; empty for an unknown code."""
        params = dict(params or {})
        for name in ("health", "minimum"):
            if name in params:
                params[name] = f"{params[name]:g}"
        if code == "cosmetic":
            return self.env._("cosmetic grade %(grade)s", **params)
        if code == "functional_ko":
            return self.env._("functional tests failed: parts or recycling (D)")
        if code == "functional_partial":
            return self.env._("some functional tests failed: at best C")
        if code == "battery_d":
            return self.env._("battery %(health)s %% < %(minimum)s %%: D", **params)
        if code == "battery_c":
            return self.env._("battery %(health)s %% < %(minimum)s %%: at best C", **params)
        if code == "no_check":
            return self.env._("no functional check was recorded")
        return ""

    def _compute_display_name(self):
        for session in self:
            session.display_name = self.env._(
                "Grading of %(device)s", device=session.equipment_id.display_name
            )

    @api.onchange("equipment_id")
    def _onchange_equipment_id_audit(self):
        """Pre-fill what the device's last audit measured: the capacities of
        its batteries, and the storage check from the SMART health of its
        media (failed if one failed, OK if all passed). Values already
        entered are kept; the operator checks the rest."""
        components = self.equipment_id.component_ids
        batteries = components.filtered(
            lambda c: c.kind == "battery" and c.design_capacity_mwh
        )
        if batteries and not self.battery_design_capacity:
            self.battery_design_capacity = (
                sum(batteries.mapped("design_capacity_mwh")) / 1000.0
            )
            self.battery_full_capacity = (
                sum(batteries.mapped("current_capacity_mwh")) / 1000.0
            )
        health = components.filtered(lambda c: c.kind == "storage").mapped(
            "smart_passed"
        )
        if health and not self.check_storage:
            if "failed" in health:
                self.check_storage = "ko"
            elif all(value == "passed" for value in health):
                self.check_storage = "ok"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            for name in COMPUTED_GRADE_FIELDS:
                vals.pop(name, None)
            if vals.get("state", "draft") != "draft":
                raise UserError(
                    self.env._(
                        "A grading session starts as a draft: record its checks, "
                        "then validate it."
                    )
                )
        return super().create(vals_list)

    def write(self, vals):
        vals = {k: v for k, v in vals.items() if k not in COMPUTED_GRADE_FIELDS}
        if (
            "state" in vals
            and self.env.context.get("reemploi_grading_transition") is not STATE_WRITE
            and any(session.state != vals["state"] for session in self)
        ):
            raise UserError(
                self.env._(
                    "The state of %(session)s changes only through its buttons "
                    "(Validate, Cancel): a grade needs its checks.",
                    session=self[:1].display_name,
                )
            )
        closed = self.filtered(lambda s: s.state != "draft")
        changed = sorted(EVIDENCE_FIELDS.intersection(vals))
        if closed and changed:
            labels = selection_labels(self, "state")
            raise UserError(
                self.env._(
                    "%(session)s is %(state)s: its %(fields)s cannot be changed. "
                    "Open a new grading session instead.",
                    session=closed[0].display_name,
                    state=labels[closed[0].state].lower(),
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in changed
                    ),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(session.state == "done" for session in self):
            raise UserError(
                self.env._("A validated grading is evidence: cancel it instead.")
            )

    def action_done(self):
        for session in self:
            if session.state != "draft":
                raise UserError(
                    self.env._(
                        "%(session)s is not a draft.", session=session.display_name
                    )
                )
            if not session._check_values():
                raise UserError(
                    self.env._(
                        "%(session)s has no check recorded: test the device and "
                        "record at least one check before validating.",
                        session=session.display_name,
                    )
                )
            if not session.cosmetic_checked and not any(
                defect.kind == "cosmetic" for defect in session.defect_ids
            ):
                raise UserError(
                    self.env._(
                        "%(session)s: check the cosmetic condition of the device: "
                        "tap each defect you see, or \"Nothing to report\".",
                        session=session.display_name,
                    )
                )
            if not session.grade_id:
                raise UserError(
                    self.env._(
                        "%(session)s cannot be graded: %(reason)s",
                        session=session.display_name,
                        reason=session.grade_reasons or "",
                    )
                )
        self.with_context(reemploi_grading_transition=STATE_WRITE).write(
            {"state": "done"}
        )
        for session in self:
            session.equipment_id._log_custody(
                "grading",
                note=self.env._(
                    "Graded %(grade)s (%(reasons)s)",
                    grade=session.grade_id.code,
                    reasons=(session.grade_reasons or "").replace("\n", "; "),
                ),
                document_ref=f"reemploi.grading,{session.id}",
            )
        return True

    def action_rest_ok(self):
        """"Le reste fonctionne": every check not recorded yet is OK (the
        battery's is not applicable to a category without battery). The
        technician records the exceptions first (a failed test, a function
        the device lacks), then confirms the rest in one tap."""
        for session in self:
            if session.state != "draft":
                raise UserError(
                    self.env._("%(session)s is not a draft.", session=session.display_name)
                )
            values = {}
            for code in grading_rules.CHECK_CODES:
                if not session[f"check_{code}"]:
                    no_battery = code == "battery" and not session.category_id.has_battery
                    values[f"check_{code}"] = "na" if no_battery else "ok"
            if values:
                session.write(values)
        return True

    def action_done_and_grade(self):
        """Validate the session and grade the device in one step."""
        self.action_done()
        self.equipment_id.action_grade()
        return True

    def action_cancel(self):
        self.with_context(reemploi_grading_transition=STATE_WRITE).write(
            {"state": "cancel"}
        )
        return True
