"""Map the text cells of an inventory export to equipment values.

Plain Python: the import engine (``reemploi.import.run``) gives
each row's ``{header: text}`` and gets back the values to write, or the
reasons why the row is rejected. The presets know the column names of the
exports of GLPI, OCS Inventory and Snipe-IT; a source can override them.
"""

import functools
import hashlib
import json
import re
import unicodedata

from . import identity, lifecycle
from .messages import Message, _

# target field -> kind of value
FIELDS = {
    "source_ref": "text",
    "serial": "text",
    "asset_tag": "text",
    "manufacturer": "text",
    "model": "text",
    "category": "category",
    "state": "state",
    "purchase_date": "date",
    "restricted_data": "boolean",
    "cpu": "text",
    "ram_gb": "decimal",
    "storage_gb": "decimal",
    "screen_size": "decimal",
    "os_name": "text",
    "site": "text",
}

# Column names of each preset, compared after normalise().
PRESETS = {
    "generic": {
        "source_ref": ["id", "identifiant", "source_id"],
        "serial": [
            "serial",
            "serial_number",
            "numero_de_serie",
            "n_de_serie",
            "no_de_serie",
            "num_serie",
            "numero_serie",
            "sn",
        ],
        "asset_tag": [
            "asset_tag",
            "numero_d_inventaire",
            "n_d_inventaire",
            "no_d_inventaire",
            "n_inventaire",
            "num_inventaire",
            "numero_inventaire",
            "inventaire",
            "tag",
        ],
        "manufacturer": ["manufacturer", "fabricant", "marque", "constructeur"],
        "model": ["model", "modele"],
        "category": ["category", "categorie", "type"],
        "state": ["state", "status", "statut", "etat"],
        "purchase_date": ["purchase_date", "date_d_achat", "date_achat"],
        "restricted_data": [
            "restricted_data",
            "donnees_restreintes",
            "diffusion_restreinte",
            "donnees_classifiees",
        ],
        "cpu": ["cpu", "processor", "processeur"],
        "ram_gb": ["ram", "ram_gb", "memoire", "memoire_go", "memory"],
        "storage_gb": ["storage", "storage_gb", "disque", "stockage", "disque_go"],
        "screen_size": ["screen_size", "taille_ecran", "ecran"],
        "os_name": ["os", "os_name", "systeme_d_exploitation", "systeme"],
        "site": ["site", "lieu", "location", "localisation"],
    },
    "glpi": {
        "source_ref": ["id"],
        "serial": ["numero_de_serie", "serial_number"],
        "asset_tag": ["numero_d_inventaire", "n_d_inventaire", "inventory_number"],
        "manufacturer": ["fabricant", "manufacturer"],
        "model": ["modele", "model"],
        "category": ["type"],
        "state": ["statut", "status"],
        "purchase_date": ["date_d_achat", "purchase_date"],
        "site": ["lieu", "location"],
        "os_name": ["systeme_d_exploitation_nom", "operating_system_name"],
    },
    "ocs": {
        "source_ref": ["id", "tag"],
        "serial": ["ssn"],
        "manufacturer": ["smanufacturer"],
        "model": ["smodel"],
        "category": ["type"],
        "os_name": ["osname"],
        "ram_gb": ["memory"],
        "cpu": ["processort"],
        # OCS's TAG sorts computers by site or entity (the agents' --tag): never
        # an inventory number, whatever the generic names say
        "site": ["tag"],
    },
    "snipeit": {
        "source_ref": ["id"],
        "serial": ["serial"],
        "asset_tag": ["asset_tag"],
        "manufacturer": ["manufacturer"],
        "model": ["model"],
        "category": ["category"],
        "state": ["status"],
        "purchase_date": ["purchase_date"],
        "site": ["location"],
    },
}

# OCS reports memory in MB
MEGABYTE_FIELDS = {"ocs": {"ram_gb"}}

# Columns a connector reads for its cursor (modification dates): not data to
# import, so never listed among the columns an import ignored.
CURSOR_COLUMNS = {"glpi": {"date_mod"}, "ocs": {"lastdate"}, "snipeit": {"updated_at"}}

DEFAULT_STATES = {
    "en_service": "in_use",
    "en_production": "in_use",
    "in_use": "in_use",
    "deployed": "in_use",
    "en_stock": "in_use",
    "ready_to_deploy": "in_use",
    "a_reformer": "to_decommission",
    "rebut": "to_decommission",
    "retour_rebut": "to_decommission",
    "don": "to_decommission",
    "reforme": "to_decommission",
    "archived": "to_decommission",
    "pending": "to_decommission",
}

DEFAULT_CATEGORIES = {
    "ordinateur_portable": "laptop",
    "portable": "laptop",
    "laptop": "laptop",
    "notebook": "laptop",
    "ordinateur_fixe": "desktop",
    "ordinateur": "desktop",
    "computer": "desktop",
    "desktop": "desktop",
    "unite_centrale": "desktop",
    "moniteur": "monitor",
    "ecran": "monitor",
    "monitor": "monitor",
    "telephone": "smartphone",
    "smartphone": "smartphone",
    "phone": "smartphone",
    "mobile": "smartphone",
    "tablette": "tablet",
    "tablet": "tablet",
    "imprimante": "printer",
    "printer": "printer",
    "materiel_reseau": "network",
    "network": "network",
    "networkequipment": "network",
    "serveur": "server",
    "server": "server",
    "ecran_plat": "monitor",
    "mobile_phone": "smartphone",
    "telephone_mobile": "smartphone",
    "pc_portable": "laptop",
    "pc_fixe": "desktop",
    # computer types of GLPI parks, named by hand or by its native inventory
    "ordinateur_de_bureau": "desktop",
    "poste_fixe": "desktop",
    "poste_de_travail": "desktop",
    "station_de_travail": "desktop",
    "workstation": "desktop",
    "tour": "desktop",
    "mini_tour": "desktop",
    "tout_en_un": "desktop",
    "client_leger": "desktop",
    "thin_client": "desktop",
    "ultraportable": "laptop",
    "telephone_ip": "network",
    # Snipe-IT's asset categories (database/factories/CategoryFactory.php)
    "display": "monitor",
    "voip_phone": "network",
    "conference_phone": "network",
    # SMBIOS System Enclosure or Chassis Types 01h-24h (DMTF DSP0134 7.4.1),
    # as GLPI, OCS Inventory and their agents name them: dmidecode's names,
    # Windows' Win32_SystemEnclosure names. A computer whose chassis is
    # "Other" or "Unknown" is read as a desktop, as OCS Inventory does.
    "other": "desktop",
    "unknown": "desktop",
    "low_profile_desktop": "desktop",
    "pizza_box": "desktop",
    "mini_tower": "desktop",
    "tower": "desktop",
    "hand_held": "tablet",
    "handheld": "tablet",
    "docking_station": "laptop",  # a laptop in its dock reports the dock
    "all_in_one": "desktop",
    "sub_notebook": "laptop",
    "subnotebook": "laptop",
    "space_saving": "desktop",
    "lunch_box": "desktop",
    "lunchbox": "desktop",
    "main_server_chassis": "server",
    "main_system_chassis": "server",
    "expansion_chassis": "server",
    "subchassis": "server",
    "sub_chassis": "server",
    "bus_expansion_chassis": "server",
    "peripheral_chassis": "server",
    "raid_chassis": "server",
    "storage_chassis": "server",
    "rack_mount_chassis": "server",
    "sealed_case_pc": "desktop",
    "multi_system_chassis": "server",
    "multi_system": "server",
    "compact_pci": "server",
    "compactpci": "server",
    "advanced_tca": "server",
    "advancedtca": "server",
    "blade": "server",
    "blade_enclosure": "server",
    "blade_enclosing": "server",
    "convertible": "laptop",
    "detachable": "tablet",
    "iot_gateway": "network",
    "embedded_pc": "desktop",
    "mini_pc": "desktop",
    "stick_pc": "desktop",
}

# Bumped when map_row() maps the same cells to other values: every stored raw
# fingerprint then differs, and the next import maps each row again.
# (3: a yes/no column of classified or restricted data is read)
MAPPING_VERSION = 3


# how a yes/no cell is written, after normalise()
YES = frozenset({"1", "x", "o", "oui", "y", "yes", "true", "vrai"})
NO = frozenset({"0", "n", "non", "no", "false", "faux"})


@functools.lru_cache(maxsize=4096)
def normalise(text):
    """Lower case, no accents, runs of other characters as one '_'.
    Cached: an inventory repeats the same few types and states."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


class Mapping:
    """How one source's columns, states and types map to ours."""

    def __init__(
        self,
        header,
        preset="generic",
        columns=None,
        states=None,
        categories=None,
        categories_known=(),
    ):
        """``columns``: {field: source column} overrides; ``states`` and
        ``categories``: {source value: our state / category code} additions;
        ``categories_known``: the category codes that exist."""
        self.preset = preset if preset in PRESETS else "generic"
        by_name = {normalise(name): name for name in header}
        self.columns = {}
        # a tool's own column names first, then the usual French and English
        # ones: a GLPI list re-typed in a spreadsheet ("N° de série") still
        # maps; not for the fields whose unit is the tool's (OCS's MB)
        megabytes = MEGABYTE_FIELDS.get(self.preset, set())
        # a column the tool's own names give to a field is that field's only
        tool_names = {
            name
            for field, names in PRESETS[self.preset].items()
            if field != "source_ref"
            for name in names
        }
        wanted = {
            field: PRESETS[self.preset].get(field, [])
            + (
                []
                if field in megabytes
                else [
                    name
                    for name in PRESETS["generic"].get(field, [])
                    if name not in PRESETS[self.preset].get(field, [])
                    and (self.preset == "generic" or name not in tool_names)
                ]
            )
            for field in FIELDS
        }
        for field in FIELDS:
            for candidate in wanted.get(field, []):
                if candidate in by_name:
                    self.columns[field] = by_name[candidate]
                    break
        for field, column in (columns or {}).items():
            if field not in FIELDS:
                raise ValueError(
                    Message(_("unknown target field %(field)s"), field=repr(field))
                )
            if normalise(column) not in by_name:
                raise ValueError(
                    Message(
                        _("column %(column)s is not in the file"), column=repr(column)
                    )
                )
            self.columns[field] = by_name[normalise(column)]
        self.states = dict(DEFAULT_STATES)
        self.states.update({normalise(k): v for k, v in (states or {}).items()})
        self.categories = dict(DEFAULT_CATEGORIES)
        self.categories.update({normalise(k): v for k, v in (categories or {}).items()})
        self.categories_known = set(categories_known)
        self.megabytes = MEGABYTE_FIELDS.get(self.preset, set())
        self._category_codes = {}  # text of the file -> our code
        self._mapped_columns = sorted(set(self.columns.values()))
        # whatever changes how a row maps changes the rows' raw fingerprints
        setup = json.dumps(
            [
                MAPPING_VERSION,
                self.preset,
                sorted(self.columns.items()),
                sorted(self.states.items()),
                sorted(self.categories.items()),
                sorted(self.categories_known),
            ],
            ensure_ascii=False,
        )
        self.signature = hashlib.sha1(setup.encode("utf-8")).hexdigest()  # noqa: S324

    def _cell(self, values, field):
        column = self.columns.get(field)
        return (values.get(column) or "").strip() if column else ""

    def quick_identity(self, values):
        """The :func:`identity_key` of the row, from its cells alone (no
        mapping of the other cells); ``None`` when it has none."""
        return identity.row_key(
            self._cell(values, "source_ref"),
            self._cell(values, "serial"),
            self._cell(values, "asset_tag"),
            self._cell(values, "manufacturer"),
        )

    def ignored_columns(self, header):
        """The columns of ``header`` this mapping reads into no field (but
        the modification dates connectors read for their cursor)."""
        mapped = set(self.columns.values())
        technical = CURSOR_COLUMNS.get(self.preset, set())
        return [
            column
            for column in header
            if column not in mapped and normalise(column) not in technical
        ]

    def raw_fingerprint(self, values):
        """Stable hash of the cells this mapping reads, and of the mapping:
        equal for a row that maps to the same values as when it was stored,
        without mapping it."""
        cells = "\x1f".join(
            (values.get(column) or "").strip() for column in self._mapped_columns
        )
        return hashlib.sha1((self.signature + cells).encode("utf-8")).hexdigest()  # noqa: S324

    def _category(self, text):
        """Our category code for a type, also in the plural ("Laptops")."""
        if text not in self._category_codes:
            self._category_codes[text] = self._find_category(text)
        return self._category_codes[text]

    def _find_category(self, text):
        key = normalise(text)
        singular = "_".join(word.removesuffix("s") for word in key.split("_"))
        for candidate in (key, singular):
            code = self.categories.get(candidate, candidate)
            if code in self.categories_known:
                return code
        return key

    def missing_identity(self):
        """A file must give at least a serial, an asset tag or an id."""
        return not {"serial", "asset_tag", "source_ref"} & set(self.columns)

    def _check_serial(self, vals, errors, notices):
        """Leave out of ``vals`` a serial number that cannot tell a device:
        an asset tag or identifier tells it instead (say so in ``notices``),
        or the row is rejected (add the reason to ``errors``)."""
        problem = identity.serial_problem(vals.get("serial"))
        if not problem:
            return
        del vals["serial"]
        column = self.columns["serial"]
        if vals.get("source_ref") or vals.get("asset_tag"):
            if notices is not None:
                notices.append(
                    Message(
                        _(
                            "%(column)s: %(problem)s; the serial number is left "
                            "empty and the device is told by its %(by)s %(value)s"
                        ),
                        column=column,
                        problem=problem,
                        by=Message(_("identifier in the source"))
                        if vals.get("source_ref")
                        else Message(_("asset tag")),
                        value=repr(vals.get("source_ref") or vals["asset_tag"]),
                    )
                )
        elif not errors:
            errors.append(
                Message(
                    _(
                        "%(column)s: %(problem)s, and the row has no asset tag "
                        "nor identifier to tell the device by: correct the serial "
                        "number in the file (as text), or add an asset tag or "
                        "identifier column"
                    ),
                    column=column,
                    problem=problem,
                )
            )

    def map_row(self, values, parse_date, parse_decimal, notices=None):
        """Return ``(vals, errors)`` for one row's ``{header: text}``.

        A serial number that cannot tell a device (see
        :func:`identity.serial_problem`) is left out of ``vals``: the row is
        rejected unless an asset tag or identifier tells the device, and
        then the reason is added to ``notices`` (a list) when given."""
        vals, errors = {}, []
        for field, column in self.columns.items():
            text = (values.get(column) or "").strip()
            if not text:
                continue
            kind = FIELDS[field]
            try:
                if kind == "text":
                    vals[field] = text
                elif kind == "decimal":
                    number = parse_decimal(text)
                    if number is not None and number < 0:
                        raise ValueError(
                            Message(
                                _("%(column)s: %(value)s cannot be negative"),
                                column=column,
                                value=repr(text),
                            )
                        )
                    if number is not None and field in self.megabytes:
                        number = round(number / 1024.0, 1)
                    vals[field] = number
                elif kind == "date":
                    vals[field] = parse_date(text)
                elif kind == "boolean":
                    vals[field] = _yes_no(column, text)
                elif kind == "state":
                    state = self.states.get(normalise(text))
                    if state not in lifecycle.OWNER_STATES:
                        raise ValueError(
                            Message(
                                _(
                                    "%(column)s: unknown state %(value)s; map it to "
                                    "'in use' or 'to decommission' in the source"
                                ),
                                column=column,
                                value=repr(text),
                            )
                        )
                    vals[field] = state
                elif kind == "category":
                    code = self._category(text)
                    if code not in self.categories_known:
                        raise ValueError(
                            Message(
                                _(
                                    "%(column)s: unknown category %(value)s; map it "
                                    "to one of our categories in the source (Mappings "
                                    "tab, 'Category (type / model)')"
                                ),
                                column=column,
                                value=repr(text),
                            )
                        )
                    vals[field] = code
            except ValueError as error:
                errors.append(_column_error(column, error))
        self._check_serial(vals, errors, notices)
        if not errors and not (
            vals.get("serial") or vals.get("asset_tag") or vals.get("source_ref")
        ):
            errors.append(Message(_("no serial number, asset tag or identifier")))
        if not errors and "category" not in vals:
            errors.append(
                Message(_("no category: add a type or category column, or map it"))
            )
        return vals, errors


def _yes_no(column, text):
    """True or False for a yes/no cell, or raise ValueError(Message)."""
    answer = normalise(text)
    if answer not in YES | NO:
        raise ValueError(
            Message(
                _("%(column)s: %(value)s is neither yes nor no"),
                column=column,
                value=repr(text),
            )
        )
    return answer in YES


def _column_error(column, error):
    """The message of ``error`` (a :class:`Message` when it is one), starting
    with the column's name."""
    message = error.args[0] if error.args else ""
    if not isinstance(message, Message):
        message = str(error)
    if message.startswith(f"{column}:"):
        return message
    return Message(_("%(column)s: %(message)s"), column=column, message=message)


def identity_key(vals):
    """Key that identifies a device inside one source: see
    :func:`identity.row_key`."""
    return identity.row_key(
        vals.get("source_ref"),
        vals.get("serial"),
        vals.get("asset_tag"),
        vals.get("manufacturer"),
    )


# json.dumps() with options builds an encoder at each call: one for all
_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)


def fingerprint(vals):
    """Stable hash of mapped values: an unchanged row is not rewritten."""
    payload = _FINGERPRINT_JSON.encode(vals)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()  # noqa: S324
