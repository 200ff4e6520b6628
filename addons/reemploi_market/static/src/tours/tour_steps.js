/** @odoo-module **/

import { markup } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";

// What the onboarding tours' steps share: each step clicks what it points
// at and says why, in words translated by the caller (_t).

export function clickStep(trigger, content, tooltipPosition = "bottom") {
    return { trigger, content: markup(content), tooltipPosition, run: "click" };
}

/** The first steps of a tour: its welcome, then the Reuse app opened. */
export function openReuseAppSteps(welcome) {
    return [
        // the apps menu is closed on arrival (Discussion): the welcome
        // shows on its toggle, visible at once (stepUtils.goToAppSteps
        // opens it only in the automatic tests)
        clickStep(".o_navbar_apps_menu button:enabled", welcome),
        clickStep(
            ".o_app[data-menu-xmlid='reemploi_asset.reemploi_root_menu']",
            _t("Open the <b>Reuse</b> app."),
            "right"
        ),
    ];
}

/** A menu of the app's navbar opened, then one of its items. */
export function menuSteps(menu, menuContent, item, itemContent) {
    return [
        clickStep(`.o_main_navbar [data-menu-xmlid='${menu}']`, menuContent),
        clickStep(`.dropdown-item[data-menu-xmlid='${item}']`, itemContent, "right"),
    ];
}
