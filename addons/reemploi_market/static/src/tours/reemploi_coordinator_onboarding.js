/** @odoo-module **/

import { markup } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// First-run tour of a territory coordinator: the lots declared by donors
// (where the matching starts) and the imports of the donors' inventories.
// Proposed once to coordinators (record
// reemploi_market.reemploi_coordinator_onboarding_tour).
registry.category("web_tour.tours").add("reemploi_coordinator_onboarding", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "reemploi_asset.reemploi_root_menu",
            markup(
                _t("Welcome! From the <b>Reuse</b> app you coordinate the territory: donors' lots, operators, imports.")
            )
        ),
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
            trigger: ".o_list_renderer, .o_kanban_renderer, .o_view_nocontent",
            content: markup(
                _t(
                    "Open a declared lot and <b>Propose operators</b>: the matching ranks them by distance, capacity and categories, and offers the lot to the first one."
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
