/** @odoo-module **/
/* Defects of a grading session, one tap each: the defects of the device's
   category, the most often recorded first, and "Nothing to report" that
   confirms a device without cosmetic defect. Each tap also marks the
   cosmetic condition as checked (the session's cosmetic_checked field,
   required by its validation on the server). */
import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useSpecialData } from "@web/views/fields/relational_utils";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export class DefectTapsField extends Component {
    static template = "reemploi_asset.DefectTapsField";
    static props = { ...standardFieldProps };

    setup() {
        this.choices = useSpecialData((orm, props) => {
            const category = props.record.data.category_id;
            return orm.call("reemploi.defect", "get_tap_choices", [category ? category[0] : false]);
        });
    }

    get list() {
        return this.props.record.data[this.props.name];
    }

    get groups() {
        let all = this.choices.data || [];
        if (this.props.readonly) {
            all = all.filter((d) => this.isSelected(d));
        }
        return [
            { kind: "cosmetic", title: _t("Appearance"), items: all.filter((d) => d.kind === "cosmetic") },
            { kind: "functional", title: _t("Faults"), items: all.filter((d) => d.kind === "functional") },
        ].filter((group) => group.items.length);
    }

    get selected() {
        const ids = this.list.currentIds;
        return (this.choices.data || []).filter((d) => ids.includes(d.id));
    }

    get nothingToReport() {
        return (
            this.props.record.data.cosmetic_checked &&
            !this.selected.some((d) => d.kind === "cosmetic")
        );
    }

    isSelected(defect) {
        return this.list.currentIds.includes(defect.id);
    }

    async toggle(defect) {
        if (this.props.readonly) {
            return;
        }
        const on = !this.isSelected(defect);
        await this.list.addAndRemove(on ? { add: [defect.id] } : { remove: [defect.id] });
        if (defect.kind === "cosmetic") {
            await this.props.record.update({ cosmetic_checked: true });
        }
    }

    async onNothingToReport() {
        if (this.props.readonly) {
            return;
        }
        const cosmetic = this.selected.filter((d) => d.kind === "cosmetic").map((d) => d.id);
        if (cosmetic.length) {
            await this.list.addAndRemove({ remove: cosmetic });
        }
        await this.props.record.update({ cosmetic_checked: true });
    }
}

export const defectTapsField = {
    component: DefectTapsField,
    displayName: _t("Defects, one tap each"),
    supportedTypes: ["many2many"],
    fieldDependencies: [
        { name: "category_id", type: "many2one", relation: "reemploi.equipment.category" },
        { name: "cosmetic_checked", type: "boolean" },
    ],
    isEmpty: () => false,
};

registry.category("fields").add("reemploi_defect_taps", defectTapsField);
