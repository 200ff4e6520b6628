/** @odoo-module **/

import { markup } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

// First-run tour of a territory coordinator: the lots declared by donors
// (where the matching starts) and the imports of the donors' inventories.
// Proposed once to coordinators (record
// reemploi_market.reemploi_coordinator_onboarding_tour).
registry.category("web_tour.tours").add("reemploi_coordinator_onboarding", {
    url: "/odoo",
    steps: () => [
        {
            // the apps menu is closed on arrival (Discussion): the welcome
            // shows on its toggle, visible at once (stepUtils.goToAppSteps
            // opens it only in the automatic tests)
            trigger: ".o_navbar_apps_menu button:enabled",
            content: markup(
                _t("Welcome! From the <b>Reuse</b> app you coordinate the territory: donors' lots, operators, imports.")
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
            trigger: ".o_main_navbar [data-menu-xmlid='reemploi_market.reemploi_market_menu_root']",
            content: markup(_t("The lots that donors declare are under <b>Market</b>.")),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='reemploi_market.reemploi_lot_menu']",
            content: markup(_t("Open the <b>Lots</b>.")),
            tooltipPosition: "right",
            run: "click",
        },
        {
            // a lot of the list (a click elsewhere in the list opens no lot)
            trigger: ".o_list_renderer .o_data_row .o_data_cell, .o_kanban_renderer .o_kanban_record",
            content: markup(
                _t(
                    "Open a declared lot and <b>Propose operators</b>: the matching ranks them by distance, capacity and categories, and offers the lot to the first one."
                )
            ),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            // the lot's form, opened by the step before
            trigger: ".o_form_view .o_statusbar_status",
            content: markup(
                _t(
                    "The status bar follows the lot: declared, matched with an operator, scheduled, collected, received…"
                )
            ),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".o_main_navbar [data-menu-xmlid='reemploi_asset.reemploi_import_menu_root']",
            content: markup(_t("Donors' inventories come in through <b>Imports</b>.")),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='reemploi_asset.reemploi_import_run_menu']",
            content: markup(
                _t(
                    "Each <b>import run</b> lists its rejected rows with the reason: fix the mapping or the file, then replay it."
                )
            ),
            tooltipPosition: "right",
            run: "click",
        },
    ],
});
