from odoo import Command

from odoo.addons.reemploi_market.tests.common import MarketCase


class GamificationCase(MarketCase):
    """MarketCase's donors, operators and coordinator, plus lots received
    by an operator and challenges run by the real gamification cron.

    Nothing here relies on demo data: the challenges of the tests list
    their participants, and the assertions look at the test's users only.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Challenge = cls.env["gamification.challenge"]
        cls.Goal = cls.env["gamification.goal"]
        cls.BadgeUser = cls.env["gamification.badge.user"]
        cls.Devices = cls.env["reemploi.received.device"]
        cls.donor_a.reemploi_employee_count = 50
        cls.donor_b.reemploi_employee_count = 2000
        cls.serial_index = 0

    @classmethod
    def _definition(cls, name):
        return cls.env.ref(f"reemploi_gamification.definition_{name}")

    @classmethod
    def _badge(cls, name):
        return cls.env.ref(f"reemploi_gamification.badge_{name}")

    @classmethod
    def _devices(cls, count, donor=None, category=None):
        devices = cls.env["reemploi.equipment"]
        for _index in range(count):
            cls.serial_index += 1
            devices |= cls._device(
                f"GAM-{cls.serial_index:04d}",
                owner=donor or cls.donor_a,
                category=category,
            )
        return devices

    @classmethod
    def _collected_lot(cls, count=3, donor=None, category=None, company=None, **values):
        """A lot of ``count`` devices of the donor's register, collected by
        the operator (not received yet)."""
        donor = donor or cls.donor_a
        devices = cls._devices(count, donor, category)
        lot = cls._matched_lot(company=company, donor=donor, devices=devices, **values)
        lot.action_schedule()
        lot.action_collect()
        return lot

    @classmethod
    def _received_lot(cls, count=3, donor=None, category=None, company=None, **values):
        """A lot of ``count`` devices, received by the operator."""
        lot = cls._collected_lot(count, donor, category, company, **values)
        lot.with_company(lot.company_id).action_receive()
        return lot

    @classmethod
    def _challenge(cls, lines, users=None, **values):
        """A running organisations ranking between ``users`` (default: the
        staff of donors A and B); ``lines``: [(definition name, target)]."""
        vals = {
            "name": "Test challenge",
            "reemploi_kind": "ranking",
            "visibility_mode": "ranking",
            "period": "monthly",
            "challenge_category": "other",
            "user_domain": False,
            "user_ids": [
                Command.set((users or (cls.user_donor_a | cls.user_donor_b)).ids)
            ],
            "line_ids": [
                Command.create(
                    {"definition_id": cls._definition(name).id, "target_goal": target}
                )
                for name, target in lines
            ],
        }
        vals.update(values)
        challenge = cls.env["gamification.challenge"].create(vals)
        challenge.action_start()
        return challenge

    @classmethod
    def _erase_all(cls, devices):
        for device in devices:
            cls._erase(device)
        devices.action_mark_erased()

    @classmethod
    def _donate(cls, devices):
        """Reuse the devices: erased, graded and donated."""
        cls._erase_all(devices)
        for device in devices:
            cls._grading(device)
        devices.action_grade()
        devices.action_donate()

    @classmethod
    def _recycle(cls, devices):
        cls._erase_all(devices)
        devices.action_recycle()

    def _run_cron(self):
        """The daily cron of the gamification, as ir.cron runs it (without
        its intermediate commits, which tests cannot make)."""
        self.env["gamification.challenge"]._cron_update(commit=False)

    def _goal(self, challenge, user, definition=None):
        domain = [("challenge_id", "=", challenge.id), ("user_id", "=", user.id)]
        if definition:
            domain.append(("definition_id", "=", self._definition(definition).id))
        return self.Goal.search(domain)

    def _badges_of(self, users):
        return self.BadgeUser.search([("user_id", "in", users.ids)]).badge_id
