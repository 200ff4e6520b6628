/** @odoo-module **/

import { registry } from "@web/core/registry";

// A donor follows one of its devices from the portal home to the erasure
// certificate and the public traceability page.
registry.category("web_tour.tours").add("reemploi_donor_portal", {
    url: "/my",
    steps: () => [
        {
            content: "Open the devices of my organisation",
            trigger: 'a[href="/my/equipment"]',
            run: "click",
        },
        {
            content: "Only the devices of my organisation are listed",
            trigger: "td:contains('TOUR-A-1')",
        },
        {
            content: "Another donor's device is not listed",
            trigger: "table:not(:has(td:contains('TOUR-B-1')))",
        },
        {
            content: "Open the device",
            trigger: "a:contains('Latitude 7490')",
            run: "click",
        },
        {
            content: "Its chain of custody is shown",
            trigger: "li.list-group-item:contains('Received')",
        },
        {
            content: "The erasure certificate can be downloaded",
            trigger: "a.o_reemploi_certificate",
        },
        {
            content: "Follow the public traceability page",
            trigger: "a:contains('Public traceability page')",
            run: "click",
        },
        {
            content: "The public page shows the verified erasure",
            trigger: ".o_reemploi_traceability .o_reemploi_erasure:contains('Verified')",
        },
    ],
});
