/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { clickStep, menuSteps, openReuseAppSteps } from "./tour_steps";

// First-run tour of an operator: the register, a device, and where its
// grading starts. Proposed once to the users who have the onboarding on
// (record reemploi_market.reemploi_operator_onboarding_tour).
registry.category("web_tour.tours").add("reemploi_operator_onboarding", {
    url: "/odoo",
    steps: () => [
        ...openReuseAppSteps(
            _t("Welcome! The <b>Reuse</b> app holds the register of the devices you process.")
        ),
        // the app opens on the operator's overview
        ...menuSteps(
            "reemploi_asset.reemploi_equipment_menu_root",
            _t(
                "Your <b>overview</b> opens first: your company's figures, each opening the records behind it. The devices are under <b>Equipment</b>."
            ),
            "reemploi_asset.reemploi_equipment_menu",
            _t("Open the <b>Register</b>.")
        ),
        clickStep(
            ".o_list_renderer .o_data_row .o_data_cell[name='serial']",
            _t("This is the <b>register</b>: one row per device. Open a device.")
        ),
        clickStep(
            ".o_form_view .o_statusbar_status",
            _t(
                "The status bar follows the device from the donor to its second life: received, erased, graded, for sale…"
            )
        ),
        ...menuSteps(
            "reemploi_asset.reemploi_processing_menu_root",
            _t("Erasures and gradings are under <b>Processing</b>."),
            "reemploi_asset.reemploi_grading_menu",
            _t("Open the <b>Gradings</b>.")
        ),
        clickStep(".o_list_button_add", _t("<b>Start a grading</b> once the device is erased.")),
        clickStep(
            ".o_form_view .o_field_widget[name='equipment_id'] input",
            _t(
                "Choose the device, tick the checks and the defects you see, then <b>Validate and grade the device</b>: the grade is computed by the rules explained in the <i>Guide</i> menu."
            )
        ),
    ],
});
