"""Grade computation rules of the shared grading standard.

Inputs are plain values so the rules can be tested without Odoo:

* ``checks``: mapping of functional check code -> "ok" | "ko" | "na";
* ``defects``: iterable of (kind, severity) pairs, kind "cosmetic" or
  "functional", severity "minor" | "major" | "critical";
* ``battery_health``: remaining full-charge capacity in percent of the design
  capacity, or ``None`` when the device has no battery.

Rules (documented in readme/USAGE.md as well):

1. Cosmetic grade: no cosmetic defect -> A; at most two minor defects -> B;
   a major defect or more than two minor ones -> C; a critical defect -> D.
2. Functional grade: every check "ok" (or "na") and no functional defect ->
   OK; a failed non-blocking check or a minor/major functional defect ->
   PARTIAL; a failed blocking check (power, boot, screen, storage) or a
   critical functional defect -> KO. A grading with no check at all is
   refused: a device is never graded without being tested.
3. Overall grade: start from the cosmetic grade; PARTIAL caps it at C; KO
   makes it D (parts or recycling); a battery below 80 % of its design
   capacity caps it at C (A and B promise a battery of at least 80 %); a
   battery below 50 % caps it at D unless the battery is replaced.
"""

from dataclasses import dataclass, field

GRADES = ("A", "B", "C", "D")
FUNCTIONAL = ("OK", "PARTIAL", "KO")

BLOCKING_CHECKS = frozenset({"power", "boot", "screen", "storage"})
CHECK_CODES = (
    "power",
    "boot",
    "screen",
    "storage",
    "keyboard",
    "pointing",
    "battery",
    "ports",
    "network",
    "audio",
    "camera",
)

BATTERY_AB_MIN = 80.0
BATTERY_C_MIN = 50.0


class GradingError(ValueError):
    """Inputs that cannot be graded (the message says why, in English;
    ``code`` and ``params`` let the caller say it in the user's language)."""

    def __init__(self, message, code=None, **params):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Reason:
    """One step of the grade's justification: ``code`` (``cosmetic``,
    ``functional_ko``, ``functional_partial``, ``battery_d``, ``battery_c``)
    and its values; ``str()`` gives it in English, the model translates it."""

    code: str
    params: tuple = ()

    def __str__(self):
        values = dict(self.params)
        return {
            "cosmetic": "cosmetic {grade}",
            "functional_ko": "functional KO: parts or recycling",
            "functional_partial": "functional PARTIAL: at best C",
            "battery_d": "battery {health:g} % < {minimum:g} %: D",
            "battery_c": "battery {health:g} % < {minimum:g} %: at best C",
        }[self.code].format(**values)


@dataclass
class GradeResult:
    cosmetic: str
    functional: str
    grade: str
    reasons: list = field(default_factory=list)


def _worse(grade_a, grade_b):
    return GRADES[max(GRADES.index(grade_a), GRADES.index(grade_b))]


def cosmetic_grade(defects):
    severities = [sev for kind, sev in defects if kind == "cosmetic"]
    if "critical" in severities:
        return "D"
    minors = severities.count("minor")
    if "major" in severities or minors > 2:
        return "C"
    if minors:
        return "B"
    return "A"


def functional_grade(checks, defects):
    results = {code: value for code, value in checks.items() if value in ("ok", "ko")}
    if not results:
        raise GradingError("no functional check was recorded", code="no_check")
    failed = {code for code, value in results.items() if value == "ko"}
    severities = [sev for kind, sev in defects if kind == "functional"]
    if failed & BLOCKING_CHECKS or "critical" in severities:
        return "KO"
    if failed or severities:
        return "PARTIAL"
    return "OK"


def compute_grade(checks, defects=(), battery_health=None):
    """Apply the rules above and return a :class:`GradeResult`."""
    defects = list(defects)
    for kind, severity in defects:
        if kind not in ("cosmetic", "functional"):
            raise GradingError(f"unknown defect kind {kind!r}")
        if severity not in ("minor", "major", "critical"):
            raise GradingError(f"unknown defect severity {severity!r}")
    if battery_health is not None and not 0 <= battery_health <= 150:
        raise GradingError(f"battery health {battery_health} % is not plausible")

    cosmetic = cosmetic_grade(defects)
    functional = functional_grade(checks, defects)
    grade = cosmetic
    reasons = [Reason("cosmetic", (("grade", cosmetic),))]
    if functional == "KO":
        grade = "D"
        reasons.append(Reason("functional_ko"))
    elif functional == "PARTIAL":
        grade = _worse(grade, "C")
        reasons.append(Reason("functional_partial"))
    if battery_health is not None:
        if battery_health < BATTERY_C_MIN:
            grade = "D"
            reasons.append(
                Reason("battery_d", (("health", battery_health), ("minimum", BATTERY_C_MIN)))
            )
        elif battery_health < BATTERY_AB_MIN:
            grade = _worse(grade, "C")
            reasons.append(
                Reason("battery_c", (("health", battery_health), ("minimum", BATTERY_AB_MIN)))
            )
    return GradeResult(cosmetic, functional, grade, reasons)


def battery_health(design_capacity, full_capacity):
    """Percentage of design capacity, or None when unknown."""
    if not design_capacity or full_capacity is None:
        return None
    if design_capacity < 0 or full_capacity < 0:
        raise GradingError("battery capacities cannot be negative")
    return round(100.0 * full_capacity / design_capacity, 1)
