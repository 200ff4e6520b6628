/** @odoo-module **/

import { registry } from "@web/core/registry";

// An operator opens a lot of its round, scans (types) two serial numbers on
// the check-in screen and validates: the third device is missing.
registry.category("web_tour.tours").add("reemploi_checkin", {
    steps: () => [
        {
            content: "Check in the lot of the round",
            trigger: ".o_field_widget[name='lot_ids'] .o_data_row button.o_reemploi_open_checkin",
            run: "click",
        },
        {
            content: "Three devices are expected",
            trigger: ".o_reemploi_checkin .o_reemploi_checkin_line[data-kind='device']:eq(2)",
        },
        {
            content: "Type the first serial number",
            trigger: "input.o_reemploi_checkin_input",
            run: "edit TOUR-1",
        },
        {
            content: "Send it, as a scanner's Enter does",
            trigger: "button.o_reemploi_checkin_add",
            run: "click",
        },
        {
            content: "The first device is received",
            trigger: ".o_reemploi_checkin_result[data-result='received']:contains('TOUR-1')",
        },
        {
            content: "Type the second serial number, loosely",
            trigger: "input.o_reemploi_checkin_input",
            run: "edit tour 2",
        },
        {
            content: "Send it",
            trigger: "button.o_reemploi_checkin_add",
            run: "click",
        },
        {
            content: "Two devices are received",
            trigger: ".o_reemploi_checkin_received:contains('2')",
        },
        {
            content: "Validate the check-in",
            trigger: "button.o_reemploi_checkin_validate",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The check-in is validated and the third device missing",
            trigger: ".o_reemploi_checkin_done",
        },
        {
            content: "One device is missing",
            trigger: ".o_reemploi_checkin_missing:contains('1')",
        },
    ],
});
