/** @odoo-module **/

import { registry } from "@web/core/registry";

function setOnline(online) {
    Object.defineProperty(navigator, "onLine", { get: () => online, configurable: true });
    window.dispatchEvent(new Event(online ? "online" : "offline"));
}

function sign(canvas) {
    const box = canvas.getBoundingClientRect();
    const at = (x, y, type) =>
        canvas.dispatchEvent(
            new PointerEvent(type, {
                bubbles: true,
                pointerId: 1,
                pointerType: "touch",
                clientX: box.left + x * box.width,
                clientY: box.top + y * box.height,
            })
        );
    at(0.1, 0.6, "pointerdown");
    for (let step = 1; step <= 10; step++) {
        at(0.1 + step * 0.08, 0.6 - Math.sin(step) * 0.3, "pointermove");
    }
    at(0.9, 0.5, "pointerup");
}

// The driver starts the round on a phone, scans a serial, loses the network,
// scans another one (kept on the phone, and sent twice when the network is
// back, as after an answer lost on the way), marks the third device missing,
// has the donor sign and validates: the pickup receipt is there.
registry.category("web_tour.tours").add("reemploi_round_pickup", {
    steps: () => [
        {
            content: "Start the round",
            trigger: "button.o_reemploi_start_round_phone",
            run: "click",
        },
        {
            content: "The stop shows the address, the access notes and whom to call",
            trigger: ".o_reemploi_round_stop a.o_reemploi_round_call[href^='tel:']",
        },
        {
            content: "The address opens the map application",
            trigger: ".o_reemploi_round_stop a.o_reemploi_round_map[href^='geo:']",
        },
        {
            content: "Collect at the stop",
            trigger: "button.o_reemploi_round_open_stop",
            run: "click",
        },
        {
            content: "Three devices are expected",
            trigger: ".o_reemploi_round_line[data-kind='device']:eq(2)",
        },
        {
            content: "Type the first serial number",
            trigger: "input.o_reemploi_round_input",
            run: "edit TOUR-1",
        },
        {
            content: "Send it",
            trigger: "button.o_reemploi_round_add",
            run: "click",
        },
        {
            content: "The first device is scanned",
            trigger: ".o_reemploi_round_result[data-result='scanned']:contains('TOUR-1')",
        },
        {
            content: "The network is lost",
            trigger: ".o_reemploi_round_collected:contains('1')",
            run: () => setOnline(false),
        },
        {
            content: "The screen says it is offline",
            trigger: ".o_reemploi_round_offline:contains('0')",
        },
        {
            content: "Type the second serial number",
            trigger: "input.o_reemploi_round_input",
            run: "edit TOUR-2",
        },
        {
            content: "Send it",
            trigger: "button.o_reemploi_round_add",
            run: "click",
        },
        {
            content: "The scan is kept on the phone",
            trigger: ".o_reemploi_round_offline:contains('1')",
        },
        {
            content: "The scan is listed as pending",
            trigger: ".o_reemploi_round_queued li:contains('TOUR-2')",
            run: () => {
                // the answer of the first sending is lost: the scan is sent twice
                const key = Object.keys(localStorage).find((k) =>
                    k.startsWith("reemploi_pickup_queue_")
                );
                const queue = JSON.parse(localStorage.getItem(key));
                localStorage.setItem(key, JSON.stringify([...queue, queue[0]]));
            },
        },
        {
            content: "The network is back",
            trigger: ".o_reemploi_round_offline",
            run: () => setOnline(true),
        },
        {
            content: "The queued scan reached the server",
            trigger: ".o_reemploi_round_collected:contains('2')",
        },
        {
            content: "Nothing is pending any more",
            trigger: ".o_reemploi_round:not(:has(.o_reemploi_round_pending, .o_reemploi_round_offline, .o_reemploi_round_queued))",
        },
        {
            content: "Mark the third device missing",
            trigger: ".o_reemploi_round_line[data-status='pending'] button.o_reemploi_round_mark_missing",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: "input.o_reemploi_round_missing_reason",
            run: "edit Gardé par le service",
        },
        {
            content: "Confirm",
            trigger: "button.o_reemploi_round_missing_confirm",
            run: "click",
        },
        {
            content: "The device is missing",
            trigger: ".o_reemploi_round_missing:contains('1')",
        },
        {
            content: "The representative types the name",
            trigger: "input.o_reemploi_round_signer",
            run: "edit Claire Martin",
        },
        {
            content: "and signs",
            trigger: "canvas.o_reemploi_round_canvas",
            run: () => sign(document.querySelector("canvas.o_reemploi_round_canvas")),
        },
        {
            content: "Validate the pickup",
            trigger: "button.o_reemploi_round_validate:enabled",
            run: "click",
        },
        {
            content: "The pickup is validated and its receipt is there",
            trigger: ".o_reemploi_round_done a.o_reemploi_round_receipt[href*='/web/content/']",
        },
    ],
});
