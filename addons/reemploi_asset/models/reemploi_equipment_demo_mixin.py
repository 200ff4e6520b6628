import csv
import random
import string
from datetime import date, datetime, time, timedelta

from odoo import Command, api, fields, models
from odoo.tools.misc import file_open

from ..services import lifecycle
from ..services.demo_clock import demo_clock

# The devices organisations of the Grenoble area buy (model, years of
# purchase, specifications), one per line. Demo data only.
CATALOGUE_PATH = "reemploi_asset/demo/equipment_catalogue.csv"

# Serial number shapes of the makers: (prefix, length of the random tail)
SERIAL_SHAPES = {
    "Dell": ("", 7),
    "HP": ("5CG", 7),
    "Lenovo": ("PF", 6),
    "Apple": ("C02", 9),
    "Samsung": ("R58N", 7),
    "Iiyama": ("11", 10),
    "Eizo": ("2", 7),
    "Brother": ("E7", 8),
}


class ReemploiEquipmentDemoMixin(models.AbstractModel):
    """Demo data: the parks of the donors of the demo story, brought to their
    states through the real lifecycle actions. Inherited by
    ``reemploi.equipment`` (docs/ARCHITECTURE.md)."""

    _name = "reemploi.equipment.demo.mixin"
    _description = "Equipment: demo data"

    @api.model
    def _demo_catalogue(self):
        """{category code: [(maker, model, first year, last year, processor,
        RAM, storage, storage type, screen)]} of the demo catalogue."""
        catalogue = {}
        with file_open(CATALOGUE_PATH) as file:
            for row in csv.DictReader(file, delimiter=";"):
                catalogue.setdefault(row["category"], []).append(
                    (
                        row["manufacturer"],
                        row["model"],
                        int(row["first_year"]),
                        int(row["last_year"]),
                        row["cpu"],
                        float(row["ram_gb"]),
                        float(row["storage_gb"]),
                        row["storage_type"],
                        float(row["screen_size"]),
                    )
                )
        return catalogue

    @api.model
    def _demo_generate_park(self, owner_id, site_ids, mix, seed, tag_prefix, days_ago):
        """Register the park of a donor as its first inventory import did,
        ``days_ago`` days ago: ``mix`` is {category code: number of devices}.

        The same ``seed`` always gives the same devices (serials, models,
        purchase dates 2014-2024, sites). Devices bought before 2019 that
        were still kept in stock are registered as to decommission."""
        rng = random.Random(seed)
        catalogue = self._demo_catalogue()
        Category = self.env["reemploi.equipment.category"]
        categories = {c.code: c for c in Category.search([("code", "in", list(mix))])}
        alphabet = string.ascii_uppercase + string.digits
        vals_list = []
        number = 0
        for code, count in mix.items():
            for _index in range(count):
                number += 1
                maker, model, first, last, cpu, ram, storage, kind, screen = rng.choice(
                    catalogue[code]
                )
                bought = date(rng.randint(first, last), 1, 1) + timedelta(
                    days=rng.randint(0, 364)
                )
                bought = min(bought, date(2024, 12, 20))
                prefix, length = SERIAL_SHAPES[maker]
                serial = prefix + "".join(rng.choice(alphabet) for _i in range(length))
                old = bought.year < 2019
                state = (
                    lifecycle.TO_DECOMMISSION
                    if old and rng.random() < 0.25
                    else lifecycle.IN_USE
                )
                vals_list.append(
                    {
                        "category_id": categories[code].id,
                        "manufacturer": maker,
                        "model": model,
                        "serial": serial,
                        "asset_tag": f"{tag_prefix}-{number:05d}",
                        "owner_id": owner_id,
                        "site_id": rng.choice(site_ids) if site_ids else False,
                        "purchase_date": bought,
                        "cpu": cpu or False,
                        "ram_gb": ram,
                        "storage_gb": storage,
                        "storage_type": kind,
                        "screen_size": screen,
                        "state": state,
                    }
                )
        when = datetime.combine(
            fields.Date.context_today(self) - timedelta(days=days_ago), time(9, 30)
        )
        with demo_clock(self.env.cr, when):
            # the demo speaks French: the devices' first custody note too
            records = self.with_context(lang="fr_FR")._insert_imported(vals_list)
            self.env.flush_all()
        return records.ids

    def _demo_technicians(self):
        """{company id: its first operator user}: each operator's own
        technician, not the superuser who plays the story."""
        group = self.env.ref("reemploi_asset.group_reemploi_operator_user")
        technicians = {}
        for user in group.users.filtered(lambda user: not user._is_superuser()).sorted(
            "id"
        ):
            technicians.setdefault(user.company_id.id, user)
        return technicians

    def _demo_record_erasures(self, destroy=False):
        """Record the verified erasure of the storage medium of each device,
        as the operator's technician did it, ending now."""
        now = fields.Datetime.now()
        media = {"hdd": "hdd", "ssd": "ssd", "nvme": "nvme"}
        technicians = self._demo_technicians()
        vals_list = []
        for device in self:
            mobile = device.category_id.code in ("smartphone", "tablet")
            medium = "mobile" if mobile else media.get(device.storage_type, "ssd")
            if destroy:
                technique, tool, version = "Broyage", "Broyeur DataStroyer", "2.1"
            elif mobile:
                technique, tool, version = (
                    "Réinitialisation chiffrée",
                    "Blancco Mobile Diagnostics & Erasure",
                    "5.2",
                )
            elif medium == "hdd":
                technique, tool, version = "Écrasement en un passage", "nwipe", "0.37"
            else:
                technique, tool, version = (
                    "Effacement cryptographique",
                    "ShredOS / nwipe",
                    "0.37",
                )
            vals_list.append(
                {
                    "equipment_id": device.id,
                    "company_id": device.company_id.id,
                    "user_id": technicians.get(device.company_id.id, self.env.user).id,
                    "medium_type": medium,
                    "medium_serial": f"{device.serial}-D1",
                    "medium_capacity_gb": device.storage_gb,
                    "method": "destroy" if destroy else "purge",
                    "technique": technique,
                    "tool_name": tool,
                    "tool_version": version,
                    "operator_role": "Technicien reconditionnement",
                    "date_start": now - timedelta(minutes=45),
                    "date_end": now,
                    "place": device.company_id.city or device.company_id.name,
                    "result": "success",
                    "verification_method": "visual" if destroy else "sample",
                    "verification_result": "pass",
                    "destination": "destroyed" if destroy else "reuse",
                }
            )
        return self.env["reemploi.erasure"].create(vals_list)

    def _demo_record_gradings(self, grades):
        """Validate a grading session of each device whose checks and defects
        give the grade of ``grades`` ({device id: "A" | "B" | "C" | "D"}).

        The bench tests every function of the devices it grades A or B; on
        a grade D and on every other grade C it leaves the ports, the audio
        and the camera untested, as a busy bench does: those devices are
        sold as "Occasion", the others as "Reconditionné" (décret 2022-190).
        """
        defects = {
            "A": [],
            "B": ["reemploi_asset.defect_scratch_minor"],
            "C": ["reemploi_asset.defect_scratch_deep"],
            "D": ["reemploi_asset.defect_screen_cracked"],
        }
        technicians = self._demo_technicians()
        vals_list = []
        for device in self:
            grade = grades[device.id]
            battery = device.category_id.has_battery
            laptop = device.category_id.code == "laptop"
            # False: not tested
            quick = grade == "D" or (grade == "C" and device.id % 2)
            vals_list.append(
                {
                    "equipment_id": device.id,
                    "company_id": device.company_id.id,
                    "user_id": technicians.get(device.company_id.id, self.env.user).id,
                    "check_power": "ok",
                    "check_boot": "ok" if device.has_data_medium else "na",
                    "check_screen": "ok",
                    "check_storage": "ok" if device.has_data_medium else "na",
                    "check_keyboard": "ok" if laptop else "na",
                    "check_pointing": "ok" if laptop else "na",
                    "check_ports": False if quick else "ok",
                    "check_network": "ok" if device.has_data_medium else "na",
                    "check_audio": ("ok" if not quick else False) if laptop else "na",
                    "check_camera": ("ok" if not quick else False) if laptop else "na",
                    "check_battery": "ok" if battery else "na",
                    "battery_design_capacity": 50.0 if battery else 0.0,
                    "battery_full_capacity": (
                        (46.5 if grade == "A" else 42.0) if battery else 0.0
                    ),
                    "defect_ids": [
                        Command.set(
                            [self.env.ref(xmlid).id for xmlid in defects[grade]]
                        )
                    ],
                    "cosmetic_checked": True,
                }
            )
        gradings = self.env["reemploi.grading"].create(vals_list)
        gradings.action_done()
        return gradings

    @api.model
    def _demo_walk_lifecycle(self, targets):
        """Bring demo devices to their target states through the real actions."""
        path = {
            lifecycle.IN_USE: [],
            lifecycle.TO_DECOMMISSION: [lifecycle.TO_DECOMMISSION],
            lifecycle.DECLARED: [lifecycle.TO_DECOMMISSION, lifecycle.DECLARED],
            lifecycle.MISSING: [lifecycle.DECLARED, lifecycle.MISSING],
        }
        intake = [lifecycle.DECLARED, lifecycle.COLLECTED, lifecycle.RECEIVED]
        path[lifecycle.COLLECTED] = intake[:2]
        path[lifecycle.RECEIVED] = intake
        path[lifecycle.RECYCLED] = intake + [lifecycle.RECYCLED]
        path[lifecycle.ERASED] = intake + [lifecycle.ERASED]
        path[lifecycle.GRADED] = path[lifecycle.ERASED] + [lifecycle.GRADED]
        path[lifecycle.DONATED] = path[lifecycle.GRADED] + [lifecycle.DONATED]
        path[lifecycle.REFURBISHED] = path[lifecycle.GRADED] + [lifecycle.REFURBISHED]
        path[lifecycle.FOR_SALE] = path[lifecycle.REFURBISHED] + [lifecycle.FOR_SALE]
        path[lifecycle.SOLD] = path[lifecycle.FOR_SALE] + [lifecycle.SOLD]
        actions = {
            lifecycle.TO_DECOMMISSION: "action_to_decommission",
            lifecycle.DECLARED: "action_declare",
            lifecycle.COLLECTED: "action_collect",
            lifecycle.RECEIVED: "action_receive",
            lifecycle.REFURBISHED: "action_refurbish",
            lifecycle.FOR_SALE: "action_publish",
            lifecycle.SOLD: "action_sell",
            lifecycle.DONATED: "action_donate",
            lifecycle.RECYCLED: "action_recycle",
            lifecycle.MISSING: "action_mark_missing",
        }
        for equipment_id, target in targets.items():
            equipment = self.browse(int(equipment_id)).with_company(
                self.browse(int(equipment_id)).company_id or self.env.company
            )
            for step in path[target]:
                if step == lifecycle.ERASED and not equipment.has_data_medium:
                    continue
                if step == lifecycle.RECYCLED and not equipment.erasure_verified:
                    equipment._demo_erase(method="destroy")
                    equipment.action_recycle()
                elif step == lifecycle.ERASED:
                    equipment._demo_erase()
                    equipment.action_mark_erased()
                elif step == lifecycle.GRADED:
                    equipment._demo_grade()
                    equipment.action_grade()
                else:
                    getattr(equipment, actions[step])()
        return True

    def _demo_erase(self, method="purge"):
        """The device's verified erasure (or destruction), as the demo story
        records them (below)."""
        self.ensure_one()
        return self._demo_record_erasures(destroy=method == "destroy")

    def _demo_grade(self):
        """A validated grading of the device giving B (a minor scratch)."""
        self.ensure_one()
        return self._demo_record_gradings({self.id: "B"})
