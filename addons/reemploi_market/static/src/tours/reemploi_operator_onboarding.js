/** @odoo-module **/

import { markup } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

// First-run tour of an operator: the register, a device, and where its
// grading starts. Proposed once to the users who have the onboarding on
// (record reemploi_market.reemploi_operator_onboarding_tour).
registry.category("web_tour.tours").add("reemploi_operator_onboarding", {
    url: "/odoo",
    steps: () => [
        {
            // the apps menu is closed on arrival (Discussion): the welcome
            // shows on its toggle, visible at once (stepUtils.goToAppSteps
            // opens it only in the automatic tests)
            trigger: ".o_navbar_apps_menu button:enabled",
            content: markup(
                _t("Welcome! The <b>Reuse</b> app holds the register of the devices you process.")
            ),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".o_app[data-menu-xmlid='reemploi_asset.reemploi_root_menu']",
            content: markup(_t("Open the <b>Reuse</b> app.")),
            tooltipPosition: "right",
            run: "click",
        },
        {
            // the app opens on the operator's overview
            trigger: ".o_main_navbar [data-menu-xmlid='reemploi_asset.reemploi_equipment_menu_root']",
            content: markup(
                _t("Your <b>overview</b> opens first: your company's figures, each opening the records behind it. The devices are under <b>Equipment</b>.")
            ),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='reemploi_asset.reemploi_equipment_menu']",
            content: markup(_t("Open the <b>Register</b>.")),
            tooltipPosition: "right",
            run: "click",
        },
        {
            trigger: ".o_list_renderer .o_data_row .o_data_cell[name='serial']",
            content: markup(
                _t("This is the <b>register</b>: one row per device. Open a device.")
            ),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status",
            content: markup(
                _t(
                    "The status bar follows the device from the donor to its second life: received, erased, graded, for sale…"
                )
            ),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".o_main_navbar [data-menu-xmlid='reemploi_asset.reemploi_processing_menu_root']",
            content: markup(_t("Erasures and gradings are under <b>Processing</b>.")),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='reemploi_asset.reemploi_grading_menu']",
            content: markup(_t("Open the <b>Gradings</b>.")),
            tooltipPosition: "right",
            run: "click",
        },
        {
            trigger: ".o_list_button_add",
            content: markup(_t("<b>Start a grading</b> once the device is erased.")),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='equipment_id'] input",
            content: markup(
                _t(
                    "Choose the device, tick the checks and the defects you see, then <b>Validate and grade the device</b>: the grade is computed by the rules explained in the <i>Guide</i> menu."
                )
            ),
            tooltipPosition: "bottom",
            run: "click",
        },
    ],
});
