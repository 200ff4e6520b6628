from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user

OPERATOR_MANAGER = "reemploi_asset.group_reemploi_operator_manager"
# the least privileged role of an operator's staff (drivers, technicians)
TECHNICIAN = "reemploi_asset.group_reemploi_operator_user"


class ReemploiCase(TransactionCase):
    """Two operators (X, Y), two donors (A, B), a coordinator and their users.

    Nothing here relies on demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Equipment = cls.env["reemploi.equipment"]
        cls.company_x = cls.env["res.company"].create({"name": "Opérateur X"})
        cls.company_y = cls.env["res.company"].create({"name": "Opérateur Y"})
        cls.donor_a = cls.env["res.partner"].create(
            {"name": "Donateur A", "is_company": True}
        )
        cls.donor_b = cls.env["res.partner"].create(
            {"name": "Donateur B", "is_company": True}
        )
        cls.laptop = cls.env.ref("reemploi_asset.category_laptop")
        cls.monitor = cls.env.ref("reemploi_asset.category_monitor")
        cls.grade_a = cls.env.ref("reemploi_asset.grade_a")
        cls.grade_b = cls.env.ref("reemploi_asset.grade_b")
        cls.grade_c = cls.env.ref("reemploi_asset.grade_c")
        cls.grade_d = cls.env.ref("reemploi_asset.grade_d")
        cls.user_operator_x = cls._operator("op_x", cls.company_x)
        cls.user_operator_y = cls._operator("op_y", cls.company_y)
        cls.user_coordinator = new_test_user(
            cls.env,
            login="coordinator",
            groups="reemploi_asset.group_reemploi_coordinator",
        )
        cls.user_donor_a = cls._donor("donor_a", cls.donor_a)
        cls.user_donor_b = cls._donor("donor_b", cls.donor_b)
        cls.user_public = cls.env.ref("base.public_user")

    @classmethod
    def _operator(cls, login, company, groups=OPERATOR_MANAGER, **values):
        """A user of the operator ``company``: its manager, or a technician
        (``groups=TECHNICIAN``, the least privileged of its roles)."""
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
            **values,
        )

    @classmethod
    def _api_key(cls, user, scope=None, name="test"):
        """A new API key of ``user`` for ``scope`` (None: every scope),
        without expiry date, as an administrator may give one (sudo)."""
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(scope, name, None)
        )

    @classmethod
    def _donor(cls, login, organisation):
        contact = cls.env["res.partner"].create(
            {"name": f"Contact {login}", "parent_id": organisation.id}
        )
        return new_test_user(
            cls.env,
            login=login,
            groups="reemploi_asset.group_reemploi_donor",
            partner_id=contact.id,
        )

    @classmethod
    def _device(cls, serial, owner=None, company=None, category=None, **values):
        vals = {
            "serial": serial,
            "manufacturer": "Dell",
            "model": "Latitude 5490",
            "category_id": (category or cls.laptop).id,
            "owner_id": (owner or cls.donor_a).id,
            "company_id": company.id if company else False,
        }
        vals.update(values)
        return cls.env["reemploi.equipment"].create(vals)

    @classmethod
    def _erase(cls, device, medium_serial=None, **values):
        # both ends given: a default start taken a second after the end
        # (the clock ticking between the two) would be refused
        end = fields.Datetime.now()
        vals = {
            "equipment_id": device.id,
            "company_id": device.company_id.id,
            "medium_type": "nvme",
            "medium_serial": medium_serial or f"{device.serial}-D1",
            "method": "purge",
            "technique": "NVMe Format, crypto erase",
            "tool_name": "nwipe",
            "tool_version": "0.37",
            "date_start": end - timedelta(hours=1),
            "date_end": end,
            "result": "success",
            "verification_method": "sample",
            "verification_result": "pass",
        }
        vals.update(values)
        return cls.env["reemploi.erasure"].create(vals)

    @classmethod
    def _grading(cls, device, validate=True, **values):
        vals = {
            "equipment_id": device.id,
            "company_id": device.company_id.id,
            "check_power": "ok",
            "check_boot": "ok",
            "check_screen": "ok",
            "check_storage": "ok",
            "cosmetic_checked": True,
        }
        vals.update(values)
        grading = cls.env["reemploi.grading"].create(vals)
        if validate:
            grading.action_done()
        return grading

    @classmethod
    def _received(cls, serial, company=None, **values):
        device = cls._device(serial, company=company or cls.company_x, **values)
        device.action_declare()
        device.action_receive()
        return device


class AccessMatrixMixin:
    """Checks an access matrix: model x role x create/read/write/unlink.

    The test class, a ReemploiCase, gives ``records`` (model -> the record
    read, written and deleted) and ``_create_values(model, index)``; every
    operation a role is not allowed must raise AccessError.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "anonymous": cls.user_public,
            "donor_a": cls.user_donor_a,
            "donor_b": cls.user_donor_b,
            "operator_x": cls.user_operator_x,
            "operator_y": cls.user_operator_y,
            "coordinator": cls.user_coordinator,
        }

    def _attempt(self, model, role, operation, index):
        user = self.users[role]
        if operation == "c":
            record = (
                self.env[model]
                .with_user(user)
                .with_company(user.company_id)
                .create(self._create_values(model, index))
            )
            self.assertTrue(record.id)
            return
        record = self.records[model].with_user(user)
        if operation == "r":
            record.read(["display_name"])
            self.assertTrue(record.display_name)
        else:
            record.check_access({"w": "write", "u": "unlink"}[operation])

    def _check_access_matrix(self, expected):
        """``expected``: {model: {role: the operations allowed, e.g. "cr"}}."""
        index = 0
        for model, expectations in expected.items():
            for role, allowed in expectations.items():
                for operation in "crwu":
                    index += 1
                    with self.subTest(model=model, role=role, operation=operation):
                        if operation in allowed:
                            self._attempt(model, role, operation, index)
                        else:
                            with self.assertRaises(AccessError):
                                self._attempt(model, role, operation, index)


class InstalledChecks:
    """The check of an addon's test_install: the addon and the dependencies
    it names in ``expected`` are installed (a mixin, not a test case: it
    runs where a TransactionCase inherits it)."""

    expected = ()
    # Odoo's loader runs only the test methods of a class's own body,
    # unless told (odoo/tests/loader.py)
    allow_inherited_tests_method = True

    def test_module_and_dependencies_installed(self):
        modules = self.env["ir.module.module"].search([("name", "in", self.expected)])
        self.assertEqual(sorted(modules.mapped("name")), sorted(self.expected))
        self.assertEqual(set(modules.mapped("state")), {"installed"})
