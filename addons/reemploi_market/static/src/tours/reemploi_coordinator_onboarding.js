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
            // a declared lot (in bold) of the lots' list: only the declared
            // ones can be proposed. The trigger names the lots' list, not any
            // list: a list of the view left behind matched too, and the tour
            // stepped back when it went away
            trigger: ".o_reemploi_lot_list .o_data_row.fw-bold .o_data_cell[name='name']",
            content: markup(
                _t(
                    "The lots in <b>bold</b> are declared and wait for an operator: open one."
                )
            ),
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            // a click on the status bar reaches a disabled button, which
            // sends no click event: the step is the lot's real next action
            // (a lot offered already: its proposals)
            trigger:
                ".o_form_view button[name='action_propose'].btn-primary, .o_form_view button[name='action_view_proposals']",
            content: markup(
                _t(
                    "<b>Propose operators</b>: the matching ranks them by distance, capacity and categories, and offers the lot to the first one. Its <b>proposals</b> show who it was offered to."
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
