import json
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import file_open

from odoo.addons.reemploi_asset.services import lifecycle

from ..services import opendata

SCHEMA_PATH = "reemploi_market/data/opendata/reemploi-territoire.schema.json"
CSV_NAME = "reemploi-territoire.csv"
JSON_NAME = "reemploi-territoire.json"
# donors' own inventory is not a flow of the territory yet
FLOW_EXCLUDED = sorted(lifecycle.OWNER_STATES)


class ReemploiOpendata(models.AbstractModel):
    """The daily open-data export of the territory: aggregates of the
    register (no device, no person), kept as two public attachments that
    /opendata serves."""

    _name = "reemploi.opendata"
    _description = "Open data of the territory"

    @api.model
    def _schema(self):
        with file_open(SCHEMA_PATH, "rb") as schema:
            return json.load(schema)

    @api.model
    def _rows(self):
        """One row per month × commune × category × state."""
        Equipment = self.env["reemploi.equipment"]
        # sudo: counts over every operator's register, published as
        # aggregates only (the rows carry no device and no partner)
        groups = Equipment.sudo()._read_group(
            [("state", "not in", FLOW_EXCLUDED)],
            ["state_date:month", "site_id", "owner_id", "category_id", "state"],
            ["__count", "co2e_avoided_kg:sum"],
        )
        totals = defaultdict(lambda: [0, 0.0, 0.0])
        for month, site, owner, category, state, count, co2e in groups:
            place = site or owner
            key = (
                month.strftime("%Y-%m") if month else "",
                (place.city or "").strip(),
                (place.zip or "").strip(),
                category,
                state,
            )
            total = totals[key]
            total[0] += count
            total[1] += count * category.weight_kg
            total[2] += co2e or 0.0
        french = self.with_context(lang="fr_FR").env
        rows = []
        for (month, city, zip_code, category, state), (count, weight, co2e) in sorted(
            totals.items(), key=lambda item: (item[0][:3], item[0][3].code, item[0][4])
        ):
            if not month:
                continue
            rows.append(
                {
                    "mois": month,
                    "commune": city,
                    "code_postal": zip_code,
                    "categorie": category.code,
                    "categorie_libelle": category.with_env(french).name,
                    "etat": state,
                    "issue": opendata.outcome(state),
                    "nombre_appareils": count,
                    "poids_kg": round(weight, 1),
                    "co2e_evite_kg": round(co2e, 1),
                }
            )
        return rows

    @api.model
    def _actor_counts(self):
        Entry = self.env["reemploi.directory.entry"]
        # sudo: how many actors the public directory shows, by kind
        groups = Entry.sudo()._read_group(Entry._public_domain(), ["kind"], ["__count"])
        return dict(groups)

    @api.model
    def _export(self):
        """Write the CSV and the JSON into their public attachments."""
        schema = self._schema()
        rows = self._rows()
        generated = fields.Datetime.now().replace(microsecond=0).isoformat() + "Z"
        payload = opendata.to_json(
            schema,
            rows,
            generated=generated,
            licence="ODbL-1.0",
            actors=self._actor_counts(),
            totals={
                "nombre_appareils": sum(r["nombre_appareils"] for r in rows),
                "poids_kg": round(sum(r["poids_kg"] for r in rows), 1),
                "co2e_evite_kg": round(sum(r["co2e_evite_kg"] for r in rows), 1),
            },
        )
        self._store(CSV_NAME, opendata.to_csv(schema, rows), "text/csv")
        self._store(JSON_NAME, payload, "application/json")
        return True

    @api.model
    def _store(self, name, text, mimetype):
        Attachment = self.env["ir.attachment"].sudo()  # sudo: the export's own files
        values = {"raw": text.encode("utf-8"), "mimetype": mimetype, "public": True}
        attachment = self._attachment(name)
        if attachment:
            attachment.write(values)
        else:
            Attachment.create(dict(values, name=name, res_model=self._name, res_id=0))

    @api.model
    def _attachment(self, name):
        # sudo: the export's public attachments, found by their fixed name
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("name", "=", name)],
                order="id desc",
                limit=1,
            )
        )

    @api.model
    def _cron_export(self):
        self._export()
