/** @odoo-module **/

import { registry } from "@web/core/registry";

// A donor declares a lot from the portal: one device of its register and a
// number of monitors that the register does not list.
registry.category("web_tour.tours").add("reemploi_lot_declare", {
    url: "/my",
    steps: () => [
        {
            content: "Open the lots of my organisation",
            trigger: 'a[href="/my/lots"]',
            run: "click",
        },
        {
            content: "Start a new declaration",
            trigger: "a.o_reemploi_lot_new",
            run: "click",
        },
        {
            content: "Another donor's device is not offered",
            trigger: ".o_reemploi_lot_form:not(:has(label:contains('PORTAL-B-1')))",
        },
        {
            content: "Pick a device to decommission from the register",
            trigger: ".o_reemploi_lot_devices li:contains('PORTAL-A-1') input[name='equipment_id']",
            run: "check",
        },
        {
            content: "Add monitors that are not in the register",
            trigger: "input[data-category='monitor']",
            run: "edit 2",
        },
        {
            content: "Give the pickup address",
            trigger: "textarea[name='pickup_address']",
            run: "edit 1 rue du Lac, 38000 Grenoble",
        },
        {
            content: "Say how to reach the pickup place",
            trigger: "textarea[name='access_notes']",
            run: "edit Quai de livraison, sonner à l'accueil",
        },
        {
            content: "Declare the lot",
            trigger: "button.o_reemploi_lot_declare",
            run: "click",
        },
        {
            content: "The lot is declared",
            trigger: ".o_reemploi_lot_page .o_reemploi_lot_state:contains('Declared')",
        },
        {
            content: "Its content lists the device and the monitors",
            trigger: ".o_reemploi_lot_lines:contains('PORTAL-A-1'):contains('Monitor')",
        },
    ],
});
