/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { clickStep, menuSteps, openReuseAppSteps } from "./tour_steps";

// First-run tour of a territory coordinator: the lots declared by donors
// (where the matching starts) and the imports of the donors' inventories.
// Proposed once to coordinators (record
// reemploi_market.reemploi_coordinator_onboarding_tour).
registry.category("web_tour.tours").add("reemploi_coordinator_onboarding", {
    url: "/odoo",
    steps: () => [
        ...openReuseAppSteps(
            _t("Welcome! From the <b>Reuse</b> app you coordinate the territory: donors' lots, operators, imports.")
        ),
        ...menuSteps(
            "reemploi_market.reemploi_market_menu_root",
            _t("The lots that donors declare are under <b>Market</b>."),
            "reemploi_market.reemploi_lot_menu",
            _t("Open the <b>Lots</b>.")
        ),
        // a declared lot (in bold) of the lots' list: only the declared
        // ones can be proposed. The trigger names the lots' list, not any
        // list: a list of the view left behind matched too, and the tour
        // stepped back when it went away
        clickStep(
            ".o_reemploi_lot_list .o_data_row.fw-bold .o_data_cell[name='name']",
            _t("The lots in <b>bold</b> are declared and wait for an operator: open one.")
        ),
        // a click on the status bar reaches a disabled button, which
        // sends no click event: the step is the lot's real next action
        // (a lot offered already: its proposals)
        clickStep(
            ".o_form_view button[name='action_propose'].btn-primary, .o_form_view button[name='action_view_proposals']",
            _t(
                "<b>Propose operators</b>: the matching ranks them by distance, capacity and categories, and offers the lot to the first one. Its <b>proposals</b> show who it was offered to."
            )
        ),
        ...menuSteps(
            "reemploi_asset.reemploi_import_menu_root",
            _t("Donors' inventories come in through <b>Imports</b>."),
            "reemploi_asset.reemploi_import_run_menu",
            _t(
                "Each <b>import run</b> lists its rejected rows with the reason: fix the mapping or the file, then replay it."
            )
        ),
    ],
});
