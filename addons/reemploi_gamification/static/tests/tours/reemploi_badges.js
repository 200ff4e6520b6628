/** @odoo-module **/

import { registry } from "@web/core/registry";

// A donor opens its organisation's badges from the portal: the badge it
// earned, the next one with its progress, and its rank in the challenge.
registry.category("web_tour.tours").add("reemploi_badges", {
    url: "/my",
    steps: () => [
        {
            content: "Open the badges of my organisation",
            trigger: 'a[href="/my/badges"]',
            run: "click",
        },
        {
            content: "The first lot earned a badge",
            trigger: ".o_reemploi_badges_earned .o_reemploi_badge[data-measure='lots'][data-target='1'] .o_reemploi_badge_name",
        },
        {
            content: "The next badge shows how far it is",
            trigger: ".o_reemploi_badges_next .o_reemploi_badge[data-measure='devices'][data-target='10'] .o_reemploi_badge_progress:contains('3 / 10')",
        },
        {
            content: "The organisation's rank in the monthly challenge",
            trigger: ".o_reemploi_challenge_rank:contains('Tour challenge') .o_reemploi_rank:contains('1 / 2')",
        },
        {
            content: "Choose to appear in the public leaderboards",
            trigger: "button.o_reemploi_public_toggle",
            run: "click",
        },
        {
            content: "The organisation now appears publicly",
            trigger: ".o_reemploi_public_status[data-public='1']",
        },
    ],
});
